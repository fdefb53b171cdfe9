package kconfiglang

import (
	"slices"
	"testing"

	"github.com/bpfdoctor/bpfdoctor/internal/kconfig"
)

// The shape of drivers/media/rc/Kconfig in 6.12: BPF_LIRC_MODE2 depends on
// RC_CORE=y, a comparison, on top of the RC_CORE of its if block.
const lircKconfig = `
config MODULES
	bool "Enable loadable module support"
	modules
config BPF_SYSCALL
	bool "Enable bpf() system call"
config INPUT
	tristate "Generic input layer"
menuconfig RC_CORE
	tristate "Remote Controller support"
	depends on INPUT
if RC_CORE
config BPF_LIRC_MODE2
	bool "Support for eBPF programs attached to lirc devices"
	depends on BPF_SYSCALL
	depends on RC_CORE=y
	depends on LIRC
config LIRC
	bool "LIRC user interface"
config RC_LOOPBACK
	tristate "Remote Control Loopback Driver"
config LIRC_LEGACY
	bool "a driver that cannot be built in"
	depends on RC_CORE != y
endif
`

// lircBase is a config as Debian ships it: RC_CORE a module.
const lircBase = `CONFIG_MODULES=y
CONFIG_BPF_SYSCALL=y
CONFIG_INPUT=y
CONFIG_RC_CORE=m
CONFIG_LIRC=y
CONFIG_RC_LOOPBACK=m
# CONFIG_LIRC_LEGACY is not set
`

func lircExplain(t *testing.T, fragment string) *kconfig.Explanation {
	t.Helper()
	k := readTree(t, map[string]string{"Kconfig": lircKconfig})
	base := mustParse(t, lircBase)
	consistent(t, k, base)
	return Explain(kconfig.Compare(base, setOf(t, "config", fragment)), base, k)
}

func causeOf(x *kconfig.Explanation, root string) *kconfig.Cause {
	for i, c := range x.Causes {
		if c.Root == root && c.Kind == kconfig.CauseParent {
			return &x.Causes[i]
		}
	}
	return nil
}

// A comparison in depends on (RC_CORE=y) is a dependency on RC_CORE: the
// explanation names RC_CORE=m as what hides BPF_LIRC_MODE2, not "nothing
// in the tree's Kconfig hides them".
func TestExplainComparisonDependency(t *testing.T) {
	x := lircExplain(t, "CONFIG_BPF_SYSCALL=y\nCONFIG_RC_CORE=y\nCONFIG_LIRC=y\nCONFIG_BPF_LIRC_MODE2=y\n")
	c := causeOf(x, "RC_CORE")
	if c == nil {
		t.Fatalf("no RC_CORE root cause in %q", summaries(x))
	}
	if got, want := c.Summary(0), "CONFIG_RC_CORE=m — hides BPF_LIRC_MODE2"; got != want {
		t.Errorf("cause = %q, want %q", got, want)
	}
	var names []string
	for _, it := range c.Items {
		names = append(names, it.Symbol+"="+it.Entry.Value+" (have "+it.Have.Value+")")
	}
	if want := []string{"RC_CORE=y (have m)", "BPF_LIRC_MODE2=y (have )"}; !slices.Equal(names, want) {
		t.Errorf("items = %q, want %q", names, want)
	}
	for _, c := range x.Causes {
		if c.Kind == kconfig.CauseAbsent {
			t.Errorf("an absent cause is left: %s", c.Summary(0))
		}
	}
	if len(x.Refused) != 0 {
		t.Errorf("refused: %v", x.Refused)
	}
}

// When the fragments do not list RC_CORE, the fix adds RC_CORE=y for the
// comparison and says why.
func TestExplainComparisonAddsParent(t *testing.T) {
	x := lircExplain(t, "CONFIG_BPF_LIRC_MODE2=y\n")
	c := causeOf(x, "RC_CORE")
	if c == nil {
		t.Fatalf("no RC_CORE root cause in %q", summaries(x))
	}
	if got, want := c.Summary(0), "CONFIG_RC_CORE=m (the selftests config assumes it; the fix adds it) — hides BPF_LIRC_MODE2"; got != want {
		t.Errorf("cause = %q, want %q", got, want)
	}
	if len(c.Adds) != 1 || c.Adds[0].String() != "CONFIG_RC_CORE=y" {
		t.Errorf("adds = %v, want CONFIG_RC_CORE=y", c.Adds)
	}
	if len(x.Refused) != 0 {
		t.Errorf("refused: %v", x.Refused)
	}
}

// RC_CORE != y rules an option out once the fix builds RC_CORE in: the
// refusal names the comparison.
func TestExplainComparisonRefusal(t *testing.T) {
	x := lircExplain(t, "CONFIG_RC_CORE=y\nCONFIG_LIRC_LEGACY=y\n")
	r := x.Refused["LIRC_LEGACY"]
	if want := "CONFIG_RC_CORE=y rules them out (they depend on RC_CORE != y)"; r != want {
		t.Errorf("refused LIRC_LEGACY: %q, want %q (causes %q)", r, want, summaries(x))
	}
}

// The comparison terms themselves, on each side and operator.
func TestTristateCmp(t *testing.T) {
	k := readTree(t, map[string]string{"Kconfig": lircKconfig + testSyms})
	s := simulate(k, mustParse(t, lircBase), nil) // RC_CORE=m, INPUT=y, FLAG and TRI n
	for _, tt := range []struct {
		expr string
		want string // sym, at, neg/exact; "" for no term
	}{
		{"RC_CORE=y", "RC_CORE>=y"},
		{"y=RC_CORE", "RC_CORE>=y"},
		{"RC_CORE!=m", "RC_CORE>=y"},
		{"RC_CORE!=y", ""}, // holds already
		{"RC_CORE=n", "RC_CORE<=n"},
		{"FLAG=y", "FLAG>=y"},
		{"FLAG!=n", "FLAG>=y"},
		{"FLAG=m", ""}, // a bool is never m
		{"INPUT=m", "INPUT<=m"},
		{"TRI=m", "TRI>=m exactly"},
		{"TRI!=n", "TRI>=m"},
		{"RC_CORE=BPF_SYSCALL", ""},
		{"RC_CORE=\"y\"", "RC_CORE>=y"},
	} {
		e := parseTestExpr(t, tt.expr)
		tm, ok := s.tristateCmp(e)
		got := ""
		if ok && s.eval(e, nil) != triY {
			got = tm.sym + ">=" + tm.at.String()
			if tm.neg {
				got = tm.sym + "<=" + tm.at.String()
			}
			if tm.exact {
				got += " exactly"
			}
		}
		if got != tt.want {
			t.Errorf("%s: term %q, want %q", tt.expr, got, tt.want)
		}
	}
}

// testSyms are a bool and a tristate the base config leaves n.
const testSyms = "config FLAG\n\tbool \"flag\"\nconfig TRI\n\ttristate \"tri\"\n"

// parseTestExpr reads an expression through the tree reader, as the
// depends on of a throwaway symbol.
func parseTestExpr(t *testing.T, s string) *Expr {
	t.Helper()
	k := readTree(t, map[string]string{"Kconfig": lircKconfig + testSyms + "config PROBE\n\tbool \"probe\"\n\tdepends on " + s + "\n"})
	sym, ok := k.Symbol("PROBE")
	if !ok || len(sym.prompts) == 0 || sym.prompts[0].cond == nil {
		t.Fatalf("no expression read from %q", s)
	}
	e := sym.prompts[0].cond
	if e.op == opAnd || e.op == opOr {
		t.Fatalf("%q read as more than one comparison: %s", s, e)
	}
	return e
}
