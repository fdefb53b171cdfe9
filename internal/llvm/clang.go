package llvm

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// Clang is what `clang --version` says.
type Clang struct {
	Version      Version
	Target       string
	InstalledDir string
}

var (
	// "Debian clang version 14.0.6", "clang version 19.1.7",
	// "Ubuntu clang version 18.1.3 (1ubuntu1)",
	// "Apple clang version 15.0.0 (clang-1500.3.9.4)". Old Xcode printed
	// "Apple LLVM version 10.0.0 (clang-1000.11.45.5)" instead.
	clangVersionRe    = regexp.MustCompile(`^(?:(.*?)\s+)?clang version\s+(\d\S*)(?:\s+\((.*)\))?`)
	appleLLVMVersionR = regexp.MustCompile(`^(Apple)\s+LLVM version\s+(\d\S*)(?:\s+\((.*)\))?`)
	// Fedora and RHEL name themselves only in the parentheses:
	// "clang version 17.0.6 (Fedora 17.0.6-2.fc39)".
	parenVendorRe = regexp.MustCompile(`^([A-Za-z][A-Za-z ]*?)\s+\d`)
)

// ParseClangVersion parses `clang --version` (or `clang -v`).
func ParseClangVersion(out string) (Clang, error) {
	ls := lines(out)
	var c Clang
	found := false
	for _, re := range []*regexp.Regexp{clangVersionRe, appleLLVMVersionR} {
		v, _, m, ok := matchVersionGroups(ls, re)
		if !ok {
			continue
		}
		c.Version, found = v, true
		if c.Version.Vendor == "" {
			c.Version.Vendor = parenVendor(m[3], v.Version)
		}
		break
	}
	if !found {
		return Clang{}, fmt.Errorf("parse clang version: %w", ErrNoVersion)
	}
	for _, l := range ls {
		t := strings.TrimSpace(l)
		switch {
		case c.Target == "" && strings.HasPrefix(t, "Target:"):
			c.Target = strings.TrimSpace(strings.TrimPrefix(t, "Target:"))
		case c.InstalledDir == "" && strings.HasPrefix(t, "InstalledDir:"):
			c.InstalledDir = strings.TrimSpace(strings.TrimPrefix(t, "InstalledDir:"))
		}
	}
	return c, nil
}

// parenVendor returns "Fedora" for "(Fedora 17.0.6-2.fc39)": a vendor name
// followed by the same version. A self-built clang's "(https://... hash)"
// yields "".
func parenVendor(paren string, v *semver.Version) string {
	m := parenVendorRe.FindStringSubmatch(paren)
	if m == nil {
		return ""
	}
	sv, err := ParseNumber(strings.TrimSpace(paren[len(m[1]):]))
	if err != nil || !sv.Equal(v) {
		return ""
	}
	return m[1]
}

// Capability is a clang version threshold that matters for BPF work.
type Capability struct {
	// Name is short, e.g. "CO-RE".
	Name string
	// Since is the minimum clang version.
	Since *semver.Version
	// Why is one line saying what breaks below Since.
	Why string
	// Hard is true when BPF work is impossible below Since; false is a warning.
	Hard bool
}

// ClangCapabilities lists the known clang thresholds, oldest first. Sources:
// tools/testing/selftests/bpf/README.rst, the libbpf README,
// Documentation/process/changes.rst. cpu v4 is not here: it is read from
// what the compiler lists, not guessed from its version. Each call returns fresh values so
// callers may keep or change them.
func ClangCapabilities() []Capability {
	return []Capability{
		{
			Name:  "CO-RE",
			Since: semver.New(10, 0, 0, "", ""),
			Why:   "no __builtin_preserve_access_index or BTF relocations: CO-RE programs (libbpf, BPF_CORE_READ) do not compile",
			Hard:  true,
		},
		{
			Name:  "bpf_iter tests",
			Since: semver.New(10, 0, 1, "", ""),
			Why:   "LLVM BPF backend bug (D78466): bpf_iter/ipv6_route and bpf_iter/netlink fail with \"only read is supported\"",
		},
		{
			Name:  "kernel build",
			Since: semver.New(11, 0, 0, "", ""),
			Why:   "Documentation/process/changes.rst lists Clang/LLVM 11.0.0 as the minimum to build the kernel with LLVM=1",
		},
		{
			Name:  "profiler tests",
			Since: semver.New(12, 0, 0, "", ""),
			Why:   "profiler[23] selftests fail: \"math between map_value pointer and register with unbounded min value is not allowed\"",
		},
		{
			Name:  "kfunc externs and float BTF",
			Since: semver.New(13, 0, 0, "", ""),
			Why:   "no BTF for extern kfuncs or float types: libbpf fails with \"failed to find BTF for extern\"",
		},
		{
			Name:  "BTF type and decl tags",
			Since: semver.New(14, 0, 0, "", ""),
			Why:   "btf_decl_tag/btf_type_tag attributes are unsupported: tag selftests (and __kptr/__user annotations) do not build",
		},
	}
}

// MissingCapabilities returns the capabilities whose Since is above v. A nil
// v means the version is unknown, so nothing can be vouched for and all are
// returned.
func MissingCapabilities(v *semver.Version) []Capability {
	var missing []Capability
	for _, c := range ClangCapabilities() {
		if v == nil || c.Since.GreaterThan(v) {
			missing = append(missing, c)
		}
	}
	return missing
}
