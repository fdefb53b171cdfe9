// Package pahole understands the versions and BTF capabilities of pahole
// (the dwarves project), the tool that turns DWARF into the kernel's BTF. It
// only parses text handed to it: running pahole is the caller's business,
// and fetching and building a release (bootstrap pahole) is package
// bootstrap/paholebuild.
package pahole

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/bpfdoctor/bpfdoctor/internal/clip"
)

// Version is a pahole release. pahole has only ever had major.minor releases
// (v1.24, v1.31); the kernel folds them into one number, major*100+minor.
type Version struct{ Major, Minor int }

// MinBTF is the oldest pahole the kernel accepts for CONFIG_DEBUG_INFO_BTF:
// 1.16 is the first to encode BTF_KIND_FUNC.
var MinBTF = Version{1, 16}

// maxPart bounds each component so that Numeric stays unambiguous and
// absurd input is rejected rather than overflowing.
const maxPart = 99

// ParseVersion reads the output of `pahole --version` ("v1.24\n"). It also
// takes "1.25" without the v, a trailing suffix such as "-rc1" or "pre1"
// (ignored), and the `--numeric_version` form "124". Blank lines and lines
// that are not a version (a warning printed before it) are skipped.
func ParseVersion(out string) (Version, error) {
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if v, ok := parseVersionLine(line); ok {
			return v, nil
		}
	}
	return Version{}, fmt.Errorf("parse pahole version: %w", errNoVersion(out))
}

func errNoVersion(out string) error {
	out = strings.TrimSpace(out)
	if out == "" {
		return errors.New("empty output")
	}
	if len(out) > 60 {
		out = out[:60] + "..."
	}
	return fmt.Errorf("no version in %q", out)
}

func parseVersionLine(s string) (Version, bool) {
	if s[0] == 'v' || s[0] == 'V' {
		s = s[1:]
	}
	major, rest := leadingDigits(s)
	if major == "" {
		return Version{}, false
	}
	if rest == "" {
		// --numeric_version prints major and minor glued together ("%u%u"),
		// so only three or four digits are unambiguous (1.19 .. 99.99).
		if len(major) < 3 || len(major) > 4 {
			return Version{}, false
		}
		n, err := strconv.ParseInt(major, 10, 64)
		if err != nil {
			return Version{}, false
		}
		v := FromNumeric(n)
		return v, v.Major > 0
	}
	if rest[0] != '.' {
		return Version{}, false
	}
	minor, rest := leadingDigits(rest[1:])
	if minor == "" {
		return Version{}, false
	}
	// A patch component has never been released, but tolerate one.
	if strings.HasPrefix(rest, ".") {
		patch, r := leadingDigits(rest[1:])
		if patch == "" {
			return Version{}, false
		}
		rest = r
	}
	if rest != "" && !validSuffix(rest) {
		return Version{}, false
	}
	ma, err1 := strconv.Atoi(major)
	mi, err2 := strconv.Atoi(minor)
	// Every pahole release has major >= 1; 0.x is garbage, not a version.
	if err1 != nil || err2 != nil || ma < 1 || ma > maxPart || mi > maxPart {
		return Version{}, false
	}
	return Version{ma, mi}, true
}

// validSuffix accepts pre-release style tails ("-rc1", "pre1", "+git",
// "~rc1") but not free text after a space.
func validSuffix(s string) bool {
	switch c := s[0]; {
	case c == '-' || c == '+' || c == '~' || c == '_':
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
	default:
		return false
	}
	for _, c := range s {
		if c == ' ' || c == '\t' {
			return false
		}
	}
	return true
}

func leadingDigits(s string) (digits, rest string) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	// Cap the length so strconv never sees a number that cannot fit.
	if i > 9 {
		return "", s
	}
	return s[:i], s[i:]
}

// FromNumeric converts the kernel's CONFIG_PAHOLE_VERSION form (124) into a
// Version (1.24). Non-positive input gives the zero Version.
func FromNumeric(n int64) Version {
	if n <= 0 {
		return Version{}
	}
	return Version{int(n / 100), int(n % 100)}
}

// Numeric is the CONFIG_PAHOLE_VERSION form: 1.24 -> 124.
func (v Version) Numeric() int { return v.Major*100 + v.Minor }

// String gives "1.24", without the v that pahole prints.
func (v Version) String() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// Less reports whether v is older than o.
func (v Version) Less(o Version) bool {
	if v.Major != o.Major {
		return v.Major < o.Major
	}
	return v.Minor < o.Minor
}

// IsZero reports whether v is unset.
func (v Version) IsZero() bool { return v == Version{} }

// Capability is what a pahole release added for BTF.
type Capability struct {
	Since Version
	What  string
}

// capabilities comes from the changes-v1.* files of acmel/dwarves and the
// kernel's lib/Kconfig.debug and scripts/Makefile.btf, oldest first.
var capabilities = []Capability{
	{Version{1, 13}, "BTF dedup via libbpf; libbpf becomes the lib/bpf submodule"},
	{Version{1, 16}, "encodes BTF_KIND_FUNC: kernel minimum for CONFIG_DEBUG_INFO_BTF"},
	{Version{1, 17}, "reads raw BTF from /sys/kernel/btf/vmlinux"},
	{Version{1, 18}, "encodes per-CPU variables (BTF VAR/DATASEC) in vmlinux BTF"},
	{Version{1, 19}, "split BTF for modules (CONFIG_DEBUG_INFO_BTF_MODULES); --numeric_version"},
	{Version{1, 20}, "can link a system libbpf"},
	{Version{1, 21}, "--btf_gen_floats; DWARF5 support (kernel: DEBUG_INFO_DWARF5 with BTF needs >= 1.21)"},
	{Version{1, 22}, "-j parallel DWARF loading (newest bpf-next raises the BTF minimum to 1.22)"},
	{Version{1, 23}, "BTF type_tag / decl_tag (PAHOLE_HAS_BTF_TAG)"},
	{Version{1, 24}, "ENUM64; --lang_exclude (kernel passes --lang_exclude=rust)"},
	{Version{1, 25}, "--btf_gen_optimized, --skip_encoding_btf_inconsistent_proto"},
	{Version{1, 26}, "--btf_features, --supported_btf_features"},
	{Version{1, 27}, "decl_tag_kfuncs (marks kfuncs in vmlinux BTF); reproducible_build"},
	{Version{1, 28}, "distilled_base, global_var, bpf_fastcall tags"},
	{Version{1, 29}, "reproducible parallel encoding always on"},
	{Version{1, 30}, "attributes (arena pointer type tags)"},
	{Version{1, 31}, "reworked selection of functions encoded in BTF (skips ones passing misaligned structs on the stack)"},
}

// Capabilities returns the capability table, oldest first. The slice is a
// copy: callers may modify it.
func Capabilities() []Capability {
	return append([]Capability(nil), capabilities...)
}

// CapabilitiesOf splits the table into what pahole v has and what it lacks.
func CapabilitiesOf(v Version) (have, missing []Capability) {
	for _, c := range capabilities {
		if v.Less(c.Since) {
			missing = append(missing, c)
		} else {
			have = append(have, c)
		}
	}
	return have, missing
}

// ParseSupportedBTFFeatures reads `pahole --supported_btf_features` (pahole
// >= 1.26): one comma-separated line such as "encode_force,var,float". Older
// pahole rejects the option with a usage message, which is an error here.
// Empty items are skipped: pahole omits features its libbpf lacks and could
// leave a stray comma.
func ParseSupportedBTFFeatures(out string) ([]string, error) {
	s := strings.TrimSpace(out)
	if s == "" {
		return nil, errors.New("parse supported BTF features: empty output")
	}
	if strings.ContainsAny(s, "\n\r") {
		return nil, fmt.Errorf("parse supported BTF features: more than one line in %q", clip.String(s, clip.Short))
	}
	var feats []string
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !isFeatureName(f) {
			return nil, fmt.Errorf("parse supported BTF features: invalid feature name %q", clip.String(f, clip.Short))
		}
		feats = append(feats, f)
	}
	if len(feats) == 0 {
		return nil, fmt.Errorf("parse supported BTF features: no feature in %q", clip.String(s, clip.Short))
	}
	return feats, nil
}

func isFeatureName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// KernelNeed is a minimum pahole a kernel asks for, and why.
type KernelNeed struct {
	Min Version
	Why string
}

// KernelNeeds lists the pahole minimums that follow from a kernel's config,
// in a fixed order (the BTF baseline first); the strictest is the largest
// Min. paholeVersion is CONFIG_PAHOLE_VERSION (0 when absent), dwarf5 is
// CONFIG_DEBUG_INFO_DWARF5, and kernelMajor/kernelMinor is the kernel
// release (0, 0 when unknown).
func KernelNeeds(paholeVersion int64, dwarf5 bool, kernelMajor, kernelMinor int) []KernelNeed {
	needs := []KernelNeed{{
		Min: MinBTF,
		Why: "CONFIG_DEBUG_INFO_BTF needs it (first to encode BTF functions)",
	}}
	if dwarf5 {
		needs = append(needs, KernelNeed{
			Min: Version{1, 21},
			Why: "CONFIG_DEBUG_INFO_DWARF5 with BTF needs its DWARF5 support",
		})
	}
	if kernelMajor > 6 || (kernelMajor == 6 && kernelMinor >= 11) {
		// Not a build failure: an older pahole still makes BTF, but kfuncs
		// then carry no bpf_kfunc decl tag and look like other functions.
		needs = append(needs, KernelNeed{
			Min: Version{1, 27},
			Why: fmt.Sprintf("kernel %d.%d marks kfuncs in BTF only with its decl_tag_kfuncs", kernelMajor, kernelMinor),
		})
	}
	if built := FromNumeric(paholeVersion); !built.IsZero() {
		// kbuild picks pahole flags from CONFIG_PAHOLE_VERSION (e.g.
		// --btf_features from 1.26), so module BTF generated with an older
		// pahole can meet options it does not know.
		needs = append(needs, KernelNeed{
			Min: built,
			Why: fmt.Sprintf("the kernel was built with it (CONFIG_PAHOLE_VERSION=%d), and kbuild passes BTF flags chosen for that version", paholeVersion),
		})
	}
	return needs
}
