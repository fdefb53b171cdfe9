package libbpf

import (
	"regexp"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// LddLibbpf finds libbpf's line in `ldd` output:
//
//	libbpf.so.1 => /lib/x86_64-linux-gnu/libbpf.so.1 (0x00007f...)
//
// and returns the path the dynamic loader resolved, "" when it printed
// "not found". ok is false when no line names libbpf at all (a static
// libbpf, or a binary that does not need it).
func LddLibbpf(out string) (path string, ok bool) {
	for line := range strings.SplitSeq(out, "\n") {
		name, rest, found := strings.Cut(strings.TrimSpace(line), " => ")
		if !found || !strings.HasPrefix(name, "libbpf.so") {
			continue
		}
		rest = strings.TrimSpace(rest)
		if strings.HasPrefix(rest, "not found") {
			return "", true
		}
		p, _, _ := strings.Cut(rest, " (")
		return strings.TrimSpace(p), true
	}
	return "", false
}

var soVersionRe = regexp.MustCompile(`^libbpf\.so\.(\d+\.\d+(?:\.\d+)?)$`)

// SharedObjectVersion reads the version from a libbpf shared object's file
// name once symlinks are resolved: libbpf.so.1.1.2 is 1.1.2. The soname
// alone (libbpf.so.1) says only the major, so it gives ok false.
func SharedObjectVersion(base string) (*semver.Version, bool) {
	m := soVersionRe.FindStringSubmatch(base)
	if m == nil {
		return nil, false
	}
	v, err := semver.NewVersion(m[1])
	return v, err == nil
}

// SymbolVersionsVersion is the libbpf version a shared object's symbol
// version definitions (its SHT_GNU_verdef: LIBBPF_0.0.1 ... LIBBPF_1.1.0)
// say: the highest, since each release adds its own node in libbpf.map.
// It has no patch level.
func SymbolVersionsVersion(names []string) (*semver.Version, bool) {
	var best *semver.Version
	for _, n := range names {
		s, ok := strings.CutPrefix(n, "LIBBPF_")
		if !ok {
			continue
		}
		v, err := semver.NewVersion(s)
		if err != nil {
			continue
		}
		if best == nil || v.GreaterThan(best) {
			best = v
		}
	}
	return best, best != nil
}
