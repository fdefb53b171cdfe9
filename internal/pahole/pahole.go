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

// MinBTF is the oldest pahole the kernel accepts for CONFIG_DEBUG_INFO_BTF
// since 5.8: "scripts: require pahole v1.16 when generating BTF" (Lorenz
// Bauer, June 2020, bpf tree for v5.8) raised link-vmlinux.sh's check from
// 1.13, because older pahole leaves out the function definitions bpf_iter
// attaches to. Today's lib/Kconfig.debug: "depends on PAHOLE_VERSION >= 116".
var MinBTF = Version{1, 16}

// minBTFBefore58 is what link-vmlinux.sh asked of pahole from 5.2, where
// e83b9f55448a ("kbuild: add ability to generate BTF type info for
// vmlinux") brought CONFIG_DEBUG_INFO_BTF, to 5.7: "need at least v1.13".
var minBTFBefore58 = Version{1, 13}

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

// capabilities lists what each release added, oldest first. Each row
// names its source: a line of the kernel's lib/Kconfig.debug or
// scripts/Makefile.btf (as of v6.12), a kernel commit, or the
// changes-v1.N file of acmel/dwarves; rows marked "not rechecked" are
// from those release notes as remembered, not read again.
var capabilities = []Capability{
	// link-vmlinux.sh of v5.2, with CONFIG_DEBUG_INFO_BTF's introduction
	// (e83b9f55448a "kbuild: add ability to generate BTF type info for
	// vmlinux"): "need at least v1.13". Dedup via libbpf: not rechecked.
	{Version{1, 13}, "BTF dedup via libbpf: kernel minimum for CONFIG_DEBUG_INFO_BTF up to 5.7"},
	// "scripts: require pahole v1.16 when generating BTF" (v5.8): older
	// pahole leaves out the function definitions bpf_iter attaches to.
	{Version{1, 16}, "encodes the kernel's functions (BTF_KIND_FUNC): kernel minimum for CONFIG_DEBUG_INFO_BTF since 5.8"},
	{Version{1, 17}, "reads raw BTF from /sys/kernel/btf/vmlinux"}, // not rechecked
	// Makefile.btf: --skip_encoding_btf_vars "pahole 1.18 through 1.21
	// can't handle zero-sized per-CPU vars".
	{Version{1, 18}, "encodes per-CPU variables (BTF VAR/DATASEC) in vmlinux BTF"},
	// lib/Kconfig.debug: PAHOLE_HAS_SPLIT_BTF "def_bool PAHOLE_VERSION >= 119".
	{Version{1, 19}, "split BTF for modules (CONFIG_DEBUG_INFO_BTF_MODULES); --numeric_version"},
	{Version{1, 20}, "can link a system libbpf"}, // not rechecked
	// lib/Kconfig.debug: DEBUG_INFO_BTF "depends on DEBUG_INFO_DWARF4 ||
	// PAHOLE_VERSION >= 121"; Makefile.btf: --btf_gen_floats from 121.
	{Version{1, 21}, "--btf_gen_floats; DWARF5 support (kernel: BTF from DWARF5 needs >= 1.21)"},
	// Makefile.btf: "pahole 1.22 introduced the -j option".
	{Version{1, 22}, "-j parallel DWARF loading"},
	// lib/Kconfig.debug: PAHOLE_HAS_BTF_TAG "def_bool PAHOLE_VERSION >= 123".
	{Version{1, 23}, "BTF type_tag / decl_tag (PAHOLE_HAS_BTF_TAG)"},
	// lib/Kconfig.debug: PAHOLE_HAS_LANG_EXCLUDE "def_bool PAHOLE_VERSION >= 124";
	// ENUM64: not rechecked.
	{Version{1, 24}, "ENUM64; --lang_exclude (kernel passes --lang_exclude=rust)"},
	// Makefile.btf: both flags from 125.
	{Version{1, 25}, "--btf_gen_optimized, --skip_encoding_btf_inconsistent_proto"},
	// Makefile.btf: "Switch to using --btf_features for v1.26 and later".
	{Version{1, 26}, "--btf_features, --supported_btf_features"},
	// Makefile.btf: "pahole 1.27 introduced --btf_features=+reproducible_build";
	// decl_tag_kfuncs: not rechecked.
	{Version{1, 27}, "decl_tag_kfuncs (marks kfuncs in vmlinux BTF); reproducible_build"},
	{Version{1, 28}, "distilled_base, global_var, bpf_fastcall tags"},                                                       // not rechecked
	{Version{1, 29}, "reproducible parallel encoding always on"},                                                            // not rechecked
	{Version{1, 30}, "attributes (arena pointer type tags)"},                                                                // not rechecked
	{Version{1, 31}, "reworked selection of functions encoded in BTF (skips ones passing misaligned structs on the stack)"}, // not rechecked
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
// whether the config lets the debug info be DWARF5 (CONFIG_DEBUG_INFO_DWARF5,
// or CONFIG_DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT: lib/Kconfig.debug asks for
// 1.21 unless the config picks DWARF4), and
// kernelMajor/kernelMinor is the kernel release (0, 0 when unknown).
func KernelNeeds(paholeVersion int64, dwarf5 bool, kernelMajor, kernelMinor int) []KernelNeed {
	base := KernelNeed{Min: MinBTF, Why: "CONFIG_DEBUG_INFO_BTF needs it (first to encode the kernel's functions)"}
	if kernelMajor == 5 && kernelMinor < 8 || kernelMajor > 0 && kernelMajor < 5 {
		base = KernelNeed{Min: minBTFBefore58, Why: fmt.Sprintf("CONFIG_DEBUG_INFO_BTF of kernel %d.%d needs it (5.8 raised the minimum to %s)", kernelMajor, kernelMinor, MinBTF)}
	}
	needs := []KernelNeed{base}
	if dwarf5 {
		// lib/Kconfig.debug: DEBUG_INFO_BTF "depends on DEBUG_INFO_DWARF4 ||
		// PAHOLE_VERSION >= 121".
		needs = append(needs, KernelNeed{
			Min: Version{1, 21},
			Why: "BTF from DWARF5 debug info needs its DWARF5 support",
		})
	}
	if kernelMajor > 6 || (kernelMajor == 6 && kernelMinor >= 11) {
		// Makefile.btf passes decl_tag_kfuncs from v6.11 ("kbuild: bpf:
		// Tell pahole to DECL_TAG kfuncs"; the release is from memory, not
		// rechecked; v6.12 has it). Not a build failure: an older pahole
		// still makes BTF, but kfuncs then carry no bpf_kfunc decl tag and
		// look like other functions.
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

// KernelConflict is a pahole too new for a kernel: it emits BTF that the
// kernel's own BTF checker rejects.
type KernelConflict struct {
	From Version // the first pahole release that does it
	Why  string
}

// enum64Pahole and enum64Kernel bound the one known pairing of a too-new
// pahole with an older kernel. pahole 1.24 encodes 64-bit enums as
// BTF_KIND_ENUM64 by default and added --skip_encoding_btf_enum64 to turn
// that off (changes-v1.24; not rechecked); the kernel reads ENUM64 from
// 6089fb325cf7 ("bpf: Add btf enum64 support"), v6.0 (from memory, not
// rechecked). Older kernels then refuse their own vmlinux BTF, so
// /sys/kernel/btf/vmlinux and module BTF are missing after boot. Today's
// scripts/Makefile.btf (v6.12) names the kinds it wants from 1.26 on
// ("--btf_features=encode_force,var,float,enum64,decl_tag,type_tag,..."),
// so a pahole newer than the kernel enables nothing unasked there.
var (
	enum64Pahole = Version{1, 24}
	enum64Kernel = [2]int{6, 0}
)

// KernelConflicts lists what pahole v emits that kernel kernelMajor.
// kernelMinor (0, 0 when unknown) rejects. paholeVersion is the kernel
// config's CONFIG_PAHOLE_VERSION (0 when absent): a kernel already built
// with a pahole as new has evidently been taught to cope (stable branches
// backported --skip_encoding_btf_enum64 in "kbuild: Add
// skip_encoding_btf_enum64 option to pahole"; which releases: not
// rechecked), so no conflict is reported then.
func KernelConflicts(v Version, paholeVersion int64, kernelMajor, kernelMinor int) []KernelConflict {
	if kernelMajor == 0 || v.Less(enum64Pahole) {
		return nil
	}
	if kernelMajor > enum64Kernel[0] || kernelMajor == enum64Kernel[0] && kernelMinor >= enum64Kernel[1] {
		return nil
	}
	if !FromNumeric(paholeVersion).Less(enum64Pahole) {
		return nil
	}
	return []KernelConflict{{From: enum64Pahole, Why: fmt.Sprintf(
		"pahole >= %s encodes BTF_KIND_ENUM64, which kernels before %d.%d reject: "+
			"kernel %d.%d built with it loses its vmlinux and module BTF unless its kbuild passes --skip_encoding_btf_enum64",
		enum64Pahole, enum64Kernel[0], enum64Kernel[1], kernelMajor, kernelMinor)}}
}
