// Package llvm understands the LLVM/clang toolchain used to build BPF
// programs: it parses the text that llc, clang and the llvm-* tools print.
// It runs nothing; building LLVM (bootstrap llvm) is package
// bootstrap/llvmbuild, and reading the objects clang produces is bpfobj.
package llvm

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// ErrNoVersion is wrapped by the parsers when no version line is found.
var ErrNoVersion = errors.New("no version line found")

// Version is a tool version as printed by an LLVM tool.
type Version struct {
	// Vendor is "" for upstream builds, else the vendor as printed
	// ("Debian", "Ubuntu", "Homebrew", "Apple", "Fedora", ...).
	Vendor string
	// Version holds only major.minor.patch: distro suffixes such as
	// "-++20230101", "rc" or "git" are dropped so comparisons stay sane.
	Version *semver.Version
	// Raw is the trimmed line the version was read from.
	Raw string
}

// Major returns the major version, 0 when unknown.
func (v Version) Major() uint64 {
	if v.Version == nil {
		return 0
	}
	return v.Version.Major()
}

// String returns the raw line, which is what a user recognises.
func (v Version) String() string { return v.Raw }

var (
	// Vendors print "<Vendor> LLVM version X"; upstream prints
	// "LLVM (http://llvm.org/):" and then "  LLVM version X" on its own line.
	llvmVersionRe = regexp.MustCompile(`^(?:(.*?)\s+)?LLVM version\s+(\d\S*)`)
	// lld prints "<Vendor> LLD X (compatible with GNU linkers)".
	lldVersionRe = regexp.MustCompile(`^(?:(.*?)\s+)?LLD\s+(\d\S*)`)
	// numberRe takes the numeric head of a version token; the rest is
	// vendor noise ("14.0.6-++20230101", "18.1.0rc", "19.0.0git").
	numberRe = regexp.MustCompile(`^(\d+)(?:\.(\d+))?(?:\.(\d+))?`)
)

// ParseNumber turns the numeric head of a version token into a semver
// version; bootstrap reads cmake's and ninja's versions with it too.
func ParseNumber(tok string) (*semver.Version, error) {
	m := numberRe.FindStringSubmatch(tok)
	if m == nil {
		return nil, fmt.Errorf("parse version %q: no number", tok)
	}
	var parts [3]uint64
	for i, s := range m[1:] {
		if s == "" {
			continue
		}
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("parse version %q: %w", tok, err)
		}
		parts[i] = n
	}
	return semver.New(parts[0], parts[1], parts[2], "", ""), nil
}

// lines splits tool output into lines without trailing "\r".
func lines(out string) []string {
	ls := strings.Split(out, "\n")
	for i, l := range ls {
		ls[i] = strings.TrimRight(l, "\r")
	}
	return ls
}

// matchVersion returns the version from the first line matching re, whose
// first group is the vendor and second the version token.
func matchVersion(ls []string, re *regexp.Regexp) (Version, int, bool) {
	v, i, _, ok := matchVersionGroups(ls, re)
	return v, i, ok
}

// matchVersionGroups is matchVersion that also returns all of re's groups,
// for callers that read more than the vendor and version.
func matchVersionGroups(ls []string, re *regexp.Regexp) (Version, int, []string, bool) {
	for i, l := range ls {
		t := strings.TrimSpace(l)
		m := re.FindStringSubmatch(t)
		if m == nil {
			continue
		}
		sv, err := ParseNumber(m[2])
		if err != nil {
			continue
		}
		return Version{Vendor: strings.TrimSpace(m[1]), Version: sv, Raw: t}, i, m, true
	}
	return Version{}, -1, nil, false
}

// ParseToolVersion reads the version from any LLVM tool's --version output.
// llvm-strip and llvm-objcopy print "llvm-strip, compatible with GNU strip"
// before the "Debian LLVM version 14.0.6" line, so the whole text is searched.
// clang and lld banners are understood too.
func ParseToolVersion(out string) (Version, error) {
	ls := lines(out)
	for _, re := range []*regexp.Regexp{llvmVersionRe, clangVersionRe, lldVersionRe} {
		if v, _, ok := matchVersion(ls, re); ok {
			return v, nil
		}
	}
	return Version{}, fmt.Errorf("parse tool version: %w", ErrNoVersion)
}

// Target is one "Registered Targets:" row of llc --version.
type Target struct{ Name, Description string }

// LLC is what `llc --version` says about the installed LLVM.
type LLC struct {
	Version Version
	// Build is "Optimized build." or "DEBUG build with assertions.", may be "".
	Build         string
	DefaultTarget string
	HostCPU       string
	Targets       []Target
}

var (
	buildRe = regexp.MustCompile(`^(?:Optimized|DEBUG|Debug)\s+build\b`)
	// Target rows are matched by shape, not columns: the padding changed
	// between LLVM 15 and 16 when longer target names appeared.
	targetRe = regexp.MustCompile(`^\s+([A-Za-z0-9][A-Za-z0-9_.\-]*)\s+-\s+(.*?)\s*$`)
)

// bpfTargets are the targets bpf_devel_QA.rst requires llc to list.
var bpfTargets = []string{"bpf", "bpfel", "bpfeb"}

// ParseLLCVersion parses `llc --version`. Only the version line is required;
// the other fields stay empty when absent.
func ParseLLCVersion(out string) (LLC, error) {
	ls := lines(out)
	v, at, ok := matchVersion(ls, llvmVersionRe)
	if !ok {
		return LLC{}, fmt.Errorf("parse llc version: %w", ErrNoVersion)
	}
	l := LLC{Version: v}
	inTargets := false
	for _, line := range ls[at+1:] {
		t := strings.TrimSpace(line)
		if inTargets {
			if m := targetRe.FindStringSubmatch(line); m != nil {
				l.Targets = append(l.Targets, Target{Name: m[1], Description: m[2]})
				continue
			}
			if t == "" && len(l.Targets) == 0 {
				continue
			}
			inTargets = false
		}
		switch {
		case t == "Registered Targets:":
			inTargets = true
		case l.Build == "" && buildRe.MatchString(t):
			l.Build = t
		case strings.HasPrefix(t, "Default target:"):
			l.DefaultTarget = strings.TrimSpace(strings.TrimPrefix(t, "Default target:"))
		case strings.HasPrefix(t, "Host CPU:"):
			l.HostCPU = strings.TrimSpace(strings.TrimPrefix(t, "Host CPU:"))
		}
	}
	return l, nil
}

// HasTarget reports whether llc registered the named target.
func (l LLC) HasTarget(name string) bool {
	return slices.ContainsFunc(l.Targets, func(t Target) bool { return t.Name == name })
}

// MissingBPFTargets returns the BPF targets llc lacks, in the order bpf,
// bpfel, bpfeb; a self-built LLVM without "BPF" in LLVM_TARGETS_TO_BUILD
// lacks all three.
func (l LLC) MissingBPFTargets() []string {
	var missing []string
	for _, name := range bpfTargets {
		if !l.HasTarget(name) {
			missing = append(missing, name)
		}
	}
	return missing
}
