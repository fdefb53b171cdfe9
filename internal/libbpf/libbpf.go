// Package libbpf parses what bpftool and an installed libbpf say about their
// versions and build features. It only parses text handed to it: running
// bpftool or pkg-config is the caller's business.
package libbpf

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/bpfdoctor/bpfdoctor/internal/clip"
)

// Bpftool is what `bpftool version` reports.
type Bpftool struct {
	// Version is bpftool's own version. Since libbpf 0.7 it is libbpf's
	// major+6 (7.1.0 goes with libbpf 1.1); older bpftools from the kernel
	// tree carry the kernel's version (5.10.0), and packagers may override it.
	Version *semver.Version
	// LibbpfVersion is the libbpf bpftool runs with, "1.1", without the v of
	// the text form. Empty when the output does not say (bpftool < 6.7).
	LibbpfVersion string
	// Features holds the build features bpftool reports. A feature missing
	// from the map is unknown, not absent: which features are reported
	// depends on the bpftool version and on the output form.
	Features map[string]bool
}

// bpftoolJSON mirrors `bpftool version -j`. Features are decoded loosely so a
// future non-boolean entry does not make the whole output unreadable.
type bpftoolJSON struct {
	Version       *string                    `json:"version"`
	LibbpfVersion string                     `json:"libbpf_version"`
	Features      map[string]json.RawMessage `json:"features"`
}

// ParseBpftoolJSON reads `bpftool version -j` (or -p), e.g.
// {"version":"7.1.0","libbpf_version":"1.1","features":{"libbfd":false,...}}.
func ParseBpftoolJSON(out []byte) (Bpftool, error) {
	var raw bpftoolJSON
	if err := json.Unmarshal(out, &raw); err != nil {
		return Bpftool{}, fmt.Errorf("decode bpftool version JSON: %w", err)
	}
	if raw.Version == nil {
		return Bpftool{}, errors.New("decode bpftool version JSON: no \"version\" field")
	}
	v, err := parseSemver(*raw.Version)
	if err != nil {
		return Bpftool{}, fmt.Errorf("decode bpftool version JSON: %w", err)
	}
	b := Bpftool{
		Version:       v,
		LibbpfVersion: strings.TrimPrefix(strings.TrimSpace(raw.LibbpfVersion), "v"),
		Features:      map[string]bool{},
	}
	for name, val := range raw.Features {
		var on bool
		if json.Unmarshal(val, &on) == nil {
			b.Features[name] = on
		}
	}
	return b, nil
}

// alwaysReported are the features every bpftool with a "features:" line
// prints when on, so their absence from that line means off. The others
// (llvm, crypto, bootstrap, libbpf_strict) came and went between versions,
// so the text form cannot tell "off" from "not reported".
var alwaysReported = []string{"libbfd", "skeletons"}

// ParseBpftoolText reads the plain `bpftool version` (or -V) output:
//
//	bpftool v7.1.0
//	using libbpf v1.1
//	features: libbpf_strict
//
// The first word is bpftool's argv[0], so it is "/usr/sbin/bpftool" when
// run by path. Old bpftools print only the first line, or no libbpf line.
func ParseBpftoolText(out string) (Bpftool, error) {
	var b Bpftool
	features := false
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "":
		case strings.HasPrefix(line, "using libbpf "):
			b.LibbpfVersion = strings.TrimPrefix(strings.TrimSpace(strings.TrimPrefix(line, "using libbpf ")), "v")
		case strings.HasPrefix(line, "features:"):
			fs, err := parseFeatureList(strings.TrimPrefix(line, "features:"))
			if err != nil {
				return Bpftool{}, fmt.Errorf("parse bpftool version: %w", err)
			}
			if b.Features == nil {
				b.Features = map[string]bool{}
			}
			for _, f := range fs {
				b.Features[f] = true
			}
			features = true
		case b.Version == nil:
			// "<argv[0]> v<version>"; argv[0] may be a path, even one with
			// spaces, so split at the last " v".
			i := strings.LastIndex(line, " v")
			if i <= 0 {
				continue
			}
			v, err := parseSemver(line[i+2:])
			if err != nil {
				continue
			}
			b.Version = v
		}
	}
	if b.Version == nil {
		return Bpftool{}, fmt.Errorf("parse bpftool version: no version line in %q", clip.String(out, clip.Short))
	}
	if b.Features == nil {
		b.Features = map[string]bool{}
	}
	if features {
		for _, f := range alwaysReported {
			if !b.Features[f] {
				b.Features[f] = false
			}
		}
	}
	return b, nil
}

// parseFeatureList reads " libbfd, skeletons" (bpftool separates with ", ";
// an empty list is valid: no feature is on).
func parseFeatureList(s string) ([]string, error) {
	var names []string
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !isIdent(f) {
			return nil, fmt.Errorf("invalid feature name %q", clip.String(f, clip.Short))
		}
		names = append(names, f)
	}
	return names, nil
}

func isIdent(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return s != ""
}

// FeatureNotes explains, one line each, the feature states that limit what
// bpftool can do. Features that are on, or unknown, give no note.
func (b Bpftool) FeatureNotes() []string {
	var notes []string
	off := func(name string) bool {
		on, known := b.Features[name]
		return known && !on
	}
	if off("skeletons") {
		// Only bpftool's own BPF programs are missing; skeleton generation
		// for the user's objects is plain code generation and still works.
		notes = append(notes, "built without its own BPF skeletons: `bpftool prog profile` and pid info "+
			"(which processes hold a program, map or link) are unavailable; `bpftool gen skeleton` still works")
	}
	if off("libbfd") && !b.Features["llvm"] {
		notes = append(notes, "built without a JIT disassembler (neither libbfd nor LLVM): "+
			"`bpftool prog dump jited` fails; `bpftool prog dump xlated` still works")
	}
	if b.Features["bootstrap"] {
		notes = append(notes, "bootstrap build: only the `btf` and `gen` commands work; "+
			"prog, map, link and the others report \"not supported in bootstrap mode\"")
	}
	if off("crypto") {
		notes = append(notes, "built without libcrypto: signing BPF programs (the --sign option of "+
			"`bpftool gen skeleton` and `bpftool prog load`) is unavailable")
	}
	if off("libbpf_strict") {
		notes = append(notes, "running in legacy libbpf mode (--legacy): objects are loaded with libbpf's "+
			"pre-1.0 behaviour")
	}
	return notes
}

// ParseVersionHeader reads bpf/libbpf_version.h, which defines
// LIBBPF_MAJOR_VERSION and LIBBPF_MINOR_VERSION (libbpf >= 0.6). The header
// has no patch level, so 1.1 gives 1.1.0.
func ParseVersionHeader(src string) (*semver.Version, error) {
	major, minor := -1, -1
	for _, line := range strings.Split(src, "\n") {
		f := strings.Fields(line)
		if len(f) < 3 || f[0] != "#define" {
			// Also accept "# define" as some headers are written.
			if len(f) >= 4 && f[0] == "#" && f[1] == "define" {
				f = append([]string{"#define"}, f[2:]...)
			} else {
				continue
			}
		}
		var dst *int
		switch f[1] {
		case "LIBBPF_MAJOR_VERSION":
			dst = &major
		case "LIBBPF_MINOR_VERSION":
			dst = &minor
		default:
			continue
		}
		n, err := strconv.ParseUint(f[2], 10, 32)
		if err != nil {
			return nil, fmt.Errorf("parse libbpf_version.h: %s is %q, not a number", f[1], clip.String(f[2], clip.Short))
		}
		*dst = int(n)
	}
	if major < 0 || minor < 0 {
		return nil, errors.New("parse libbpf_version.h: LIBBPF_MAJOR_VERSION or LIBBPF_MINOR_VERSION not defined")
	}
	return semver.New(uint64(major), uint64(minor), 0, "", ""), nil
}

// ParsePkgConfigVersion reads `pkg-config --modversion libbpf` ("1.1.2\n").
func ParsePkgConfigVersion(out string) (*semver.Version, error) {
	s := strings.TrimSpace(out)
	if s == "" {
		return nil, errors.New("parse pkg-config version: empty output")
	}
	if strings.ContainsAny(s, " \t\r\n") {
		return nil, fmt.Errorf("parse pkg-config version: not a single version: %q", clip.String(s, clip.Short))
	}
	v, err := parseSemver(s)
	if err != nil {
		return nil, fmt.Errorf("parse pkg-config version: %w", err)
	}
	return v, nil
}

// parseSemver accepts "7.1.0", "v5.10.0", "1.1" and "5.15.0-rc1".
func parseSemver(s string) (*semver.Version, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("empty version")
	}
	v, err := semver.NewVersion(s)
	if err != nil {
		return nil, fmt.Errorf("parse version %q: %w", clip.String(s, clip.Short), err)
	}
	return v, nil
}

// ParseSharedObjectVersion reads the version in a libbpf library's file
// name, "libbpf.so.1.1.2" (the real file the libbpf.so and soname links
// point to). A name with the soname's major only, "libbpf.so.1", gives
// ok false: it does not say the minor version.
func ParseSharedObjectVersion(name string) (v *semver.Version, ok bool) {
	rest, found := strings.CutPrefix(name, "libbpf.so.")
	if !found || strings.Count(rest, ".") < 1 {
		return nil, false
	}
	for _, p := range strings.Split(rest, ".") {
		if p == "" || strings.Trim(p, "0123456789") != "" {
			return nil, false
		}
	}
	v, err := semver.NewVersion(rest)
	return v, err == nil
}

// Libbpf is the libbpf bpftool was built with, from the version line
// when it has one. Without one, a bpftool numbered 7.x or later is taken
// as libbpf (major-6).minor: from libbpf 0.7 on, bpftool's version is
// derived from libbpf's (bpftool 7.1.0 says "using libbpf v1.1" on Debian
// 12; the libbpf/bpftool mirror's README pairs v7.x with libbpf v1.x; from
// memory), while 6.x is ambiguous with the kernel's own numbering (6.0.0
// from kernel 6.0). inferred tells the second case; v is nil when neither
// says.
func (b Bpftool) Libbpf() (v *semver.Version, inferred bool) {
	if b.LibbpfVersion != "" {
		if v, err := parseSemver(b.LibbpfVersion); err == nil {
			return v, false
		}
		return nil, false
	}
	if b.Version != nil && b.Version.Major() >= 7 {
		return semver.New(b.Version.Major()-6, b.Version.Minor(), 0, "", ""), true
	}
	return nil, false
}

// IsLinuxToolsWrapper reports whether the start of an executable is
// Ubuntu's linux-tools wrapper script (linux-tools-common's
// /usr/sbin/bpftool, debian/tools/generic in Ubuntu's kernel packaging):
// a shell script that execs /usr/lib/linux-tools/$(uname -r)/bpftool.
func IsLinuxToolsWrapper(head []byte) bool {
	s := string(head)
	return strings.HasPrefix(s, "#!") && strings.Contains(s, "/usr/lib/linux-tools")
}
