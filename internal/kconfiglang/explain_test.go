package kconfiglang

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/bpfdoctor/bpfdoctor/internal/kconfig"
)

// A small tree with each way an option can be hidden or refused.
const explainKconfig = `
config MODULES
	bool "Enable loadable module support"
	modules
config MODULE_SIG
	bool "Module signature verification"
	depends on MODULES
config MODVERSIONS
	bool "Module versioning support"
	depends on MODULES
config NET
	bool "Networking support"
config TEST_BPF
	tristate "Test BPF filter functionality"
	depends on m && NET
config NET_SCHED
	bool "QoS and/or fair queueing"
	depends on NET
config NET_CLS_ACT
	bool "Actions"
	depends on NET_SCHED
config NET_XGRESS
	bool
config NET_SCH_INGRESS
	tristate "Ingress/classifier-action Qdisc"
	depends on NET_SCHED && NET_CLS_ACT
	select NET_XGRESS
config BPF_SYSCALL
	bool "Enable bpf() system call"
config BPF_UNPRIV_DEFAULT_OFF
	bool "Disable unprivileged BPF by default"
	default y
	depends on BPF_SYSCALL
config 64BIT
	def_bool y
config X86_32
	def_bool !64BIT
config HIGHMEM64G
	bool "64GB"
	depends on X86_32
config KASAN
	bool "KASAN"
config KCSAN
	bool "KCSAN"
	depends on !KASAN
config NR_CPUS
	int "Maximum number of CPUs"
	range 2 512
	default 64
config CRYPTO_SHA1
	tristate "SHA1"
config CRYPTO_USER_API_HASH
	tristate "hash"
	select CRYPTO_SHA1
choice
	prompt "Debug information"
	default DEBUG_INFO_NONE
config DEBUG_INFO_NONE
	bool "none"
config DEBUG_INFO_DWARF4
	bool "dwarf4"
	select DEBUG_INFO
config DEBUG_INFO_DWARF5
	bool "dwarf5"
	select DEBUG_INFO
endchoice
config DEBUG_INFO
	bool
config PAHOLE_VERSION
	int
	default $(shell,$(srctree)/scripts/pahole-version.sh $(PAHOLE))
config DEBUG_INFO_BTF
	bool "BTF"
	depends on DEBUG_INFO && BPF_SYSCALL && PAHOLE_VERSION >= 116
`

// explainBase is a config of that tree as make olddefconfig leaves it.
const explainBase = `# CONFIG_MODULES is not set
CONFIG_NET=y
# CONFIG_NET_SCHED is not set
CONFIG_BPF_SYSCALL=y
CONFIG_BPF_UNPRIV_DEFAULT_OFF=y
CONFIG_64BIT=y
# CONFIG_KASAN is not set
# CONFIG_KCSAN is not set
CONFIG_NR_CPUS=64
CONFIG_CRYPTO_SHA1=y
CONFIG_CRYPTO_USER_API_HASH=y
CONFIG_DEBUG_INFO_NONE=y
# CONFIG_DEBUG_INFO_DWARF4 is not set
# CONFIG_DEBUG_INFO_DWARF5 is not set
CONFIG_PAHOLE_VERSION=124
`

const explainFragment = `CONFIG_MODULES=y
CONFIG_MODULE_SIG=y
CONFIG_MODVERSIONS=y
CONFIG_TEST_BPF=m
CONFIG_NET_SCH_INGRESS=y
CONFIG_BPF_SYSCALL=y
# CONFIG_BPF_UNPRIV_DEFAULT_OFF is not set
CONFIG_HIGHMEM64G=y
CONFIG_KASAN=y
CONFIG_KCSAN=y
CONFIG_NR_CPUS=128
CONFIG_DEBUG_INFO_DWARF4=y
CONFIG_DEBUG_INFO_BTF=y
# CONFIG_CRYPTO_SHA1 is not set
`

// The arch file sets the other member of the choice, later: it wins.
const explainArchFragment = "CONFIG_DEBUG_INFO_DWARF5=y\n"

// consistent checks that a hand-written base is what the tree makes of
// it, so the explain tests start from a real-looking config.
func consistent(t *testing.T, k *Kconfig, base *kconfig.Config) {
	t.Helper()
	s := simulate(k, base, nil)
	for name, sym := range k.symbols {
		if !sym.defined {
			continue
		}
		got, ok := s.entry(name)
		want, wok := base.Lookup(name)
		if ok != wok || ok && got.Value != want.Value {
			t.Fatalf("the base config is not settled: %s is %q (%v), the tree makes it %q (%v)", name, want.Value, wok, got.Value, ok)
		}
	}
}

func explainFixture(t *testing.T) (*Kconfig, *kconfig.Config, *kconfig.Diff) {
	t.Helper()
	k := readTree(t, map[string]string{"Kconfig": explainKconfig})
	base := mustParse(t, explainBase)
	consistent(t, k, base)
	set := setOf(t, "config", explainFragment, "config.x86_64", explainArchFragment)
	return k, base, kconfig.Compare(base, set)
}

func summaries(x *kconfig.Explanation) []string {
	var out []string
	for _, c := range x.Causes {
		out = append(out, c.Summary(0))
	}
	return out
}

func TestExplainWithTree(t *testing.T) {
	k, base, d := explainFixture(t)
	x := Explain(d, base, k)
	want := []string{
		"CONFIG_MODULES is not set — hides MODULE_SIG, MODVERSIONS, TEST_BPF",
		"CONFIG_DEBUG_INFO_DWARF5 is not set — hides DEBUG_INFO_BTF",
		"CONFIG_NET_SCHED is not set (the selftests config assumes it; the fix adds it) — hides NET_SCH_INGRESS",
		"not set: KASAN",
		"other values: CONFIG_NR_CPUS=64 (want 128)",
		"CONFIG_64BIT=y rules them out (they depend on !64BIT) — so the kernel refuses HIGHMEM64G",
		"CONFIG_KASAN=y rules them out (they depend on !KASAN) — so the kernel refuses KCSAN",
		`the choice "Debug information" takes CONFIG_DEBUG_INFO_DWARF5 — so the kernel refuses DEBUG_INFO_DWARF4`,
		"CONFIG_CRYPTO_SHA1 is selected by CRYPTO_USER_API_HASH — so the kernel refuses CRYPTO_SHA1",
		"set, the selftests want them off: BPF_UNPRIV_DEFAULT_OFF",
	}
	if got := summaries(x); !slices.Equal(got, want) {
		t.Errorf("causes:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
	refused := slices.Sorted(maps.Keys(x.Refused))
	if want := []string{"CRYPTO_SHA1", "DEBUG_INFO_DWARF4", "HIGHMEM64G", "KCSAN"}; !slices.Equal(refused, want) {
		t.Errorf("Refused = %v, want %v", refused, want)
	}
	if x.Missing() != 12 || x.Roots() != 9 || !x.Tree {
		t.Errorf("Missing() = %d, Roots() = %d, Tree = %v; want 12, 9, true", x.Missing(), x.Roots(), x.Tree)
	}

	// The fix: roots before what they hide, the parents the fragments
	// assume added, choice members in the fragments' order.
	var lines []string
	for _, l := range x.Fix {
		lines = append(lines, l.Entry.String())
	}
	wantLines := []string{
		"CONFIG_MODULES=y", "CONFIG_MODULE_SIG=y", "CONFIG_MODVERSIONS=y", "CONFIG_TEST_BPF=m",
		"CONFIG_DEBUG_INFO_DWARF4=y", "CONFIG_DEBUG_INFO_DWARF5=y", "CONFIG_DEBUG_INFO_BTF=y",
		"CONFIG_NET_SCHED=y", "CONFIG_NET_CLS_ACT=y", "CONFIG_NET_SCH_INGRESS=y",
		"CONFIG_KASAN=y", "CONFIG_NR_CPUS=128",
		"CONFIG_HIGHMEM64G=y", "CONFIG_KCSAN=y", "# CONFIG_CRYPTO_SHA1 is not set",
		"# CONFIG_BPF_UNPRIV_DEFAULT_OFF is not set",
	}
	if !slices.Equal(lines, wantLines) {
		t.Errorf("fix lines:\n got %s\nwant %s", strings.Join(lines, " "), strings.Join(wantLines, " "))
	}
	for _, l := range x.Fix {
		if l.Added != (l.Symbol == "NET_SCHED" || l.Symbol == "NET_CLS_ACT") {
			t.Errorf("%s: Added = %v", l.Symbol, l.Added)
		}
	}

	// Merged as the kernel's tooling merges it, the fix leaves exactly
	// the refused options wrong.
	after := simulate(k, base, fixEntries(x.Fix))
	var wrong []string
	for _, it := range d.Items {
		e, ok := after.entry(it.Symbol)
		if kconfig.StateOf(it.Entry, e, ok) != kconfig.OK {
			wrong = append(wrong, it.Symbol)
		}
	}
	slices.Sort(wrong)
	if !slices.Equal(wrong, refused) {
		t.Errorf("after the fix %v are wrong; explain said %v", wrong, refused)
	}
}

func TestExplainKeep(t *testing.T) {
	// BPF_UNPRIV_DEFAULT_OFF is absent, as wanted, until the fix turns
	// BPF_SYSCALL on and its default y comes in: the fix must say so.
	k := readTree(t, map[string]string{"Kconfig": explainKconfig})
	base := mustParse(t, strings.Replace(strings.Replace(explainBase, "CONFIG_BPF_SYSCALL=y", "# CONFIG_BPF_SYSCALL is not set", 1),
		"CONFIG_BPF_UNPRIV_DEFAULT_OFF=y\n", "", 1))
	consistent(t, k, base)
	set := setOf(t, "config", "CONFIG_BPF_SYSCALL=y\n# CONFIG_BPF_UNPRIV_DEFAULT_OFF is not set\n")
	d := kconfig.Compare(base, set)
	x := Explain(d, base, k)
	if got := summaries(x); !slices.Equal(got, []string{
		"not set: BPF_SYSCALL",
		"as wanted already, but the lines above would change them, so the fix states them too: BPF_UNPRIV_DEFAULT_OFF",
	}) {
		t.Errorf("causes: %q", got)
	}
	if len(x.Fix) != 2 || x.Fix[1].Entry.String() != "# CONFIG_BPF_UNPRIV_DEFAULT_OFF is not set" || len(x.Refused) != 0 {
		t.Errorf("fix %v, refused %v", x.Fix, x.Refused)
	}
	if x.Roots() != 1 {
		t.Errorf("Roots() = %d, want 1: keeping an option is no root cause", x.Roots())
	}
}

func TestExplainNoSuchOption(t *testing.T) {
	k := readTree(t, map[string]string{"Kconfig": explainKconfig})
	base := mustParse(t, explainBase)
	d := kconfig.Compare(base, setOf(t, "config", "CONFIG_ARM64_64K_PAGES=y\nCONFIG_MODULES=y\n"))
	x := Explain(d, base, k)
	if r := x.Refused["ARM64_64K_PAGES"]; r != "this kernel's Kconfig has no such options" {
		t.Errorf("refused reason = %q", r)
	}
}

func TestExplainByName(t *testing.T) {
	_, base, d := explainFixture(t)
	x := Explain(d, base, nil)
	want := []string{
		"CONFIG_MODULES is not set — probably hides MODULE_SIG (judged by name)",
		"not set: KASAN, KCSAN, DEBUG_INFO_DWARF4, DEBUG_INFO_DWARF5",
		"other values: CONFIG_NR_CPUS=64 (want 128)",
		"absent (a dependency is off; --kernel-src names it): MODVERSIONS, TEST_BPF, NET_SCH_INGRESS, HIGHMEM64G, DEBUG_INFO_BTF",
		"set, the selftests want them off: BPF_UNPRIV_DEFAULT_OFF, CRYPTO_SHA1",
	}
	if got := summaries(x); !slices.Equal(got, want) {
		t.Errorf("causes:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
	if x.Refused != nil || x.Tree {
		t.Errorf("without a tree: Refused = %v, Tree = %v", x.Refused, x.Tree)
	}
	if len(x.Fix) != len(d.NotOK()) || x.Fix[0].Symbol != "MODULES" || x.Fix[1].Symbol != "MODULE_SIG" {
		t.Errorf("fix: %v", x.Fix)
	}
}
