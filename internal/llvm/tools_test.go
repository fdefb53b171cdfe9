package llvm

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
)

// These tests parse what the real tools on this machine print.

// run runs a real tool and returns stdout and stderr together, because llc
// prints -mcpu=help on stderr.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func TestRealLLC(t *testing.T) {
	llc := testkit.Tool(t, "llc")
	l, err := ParseLLCVersion(run(t, llc, "--version"))
	if err != nil {
		t.Fatal(err)
	}
	if l.Version.Major() == 0 || l.Build == "" || l.DefaultTarget == "" {
		t.Errorf("incomplete parse: %+v", l)
	}
	if m := l.MissingBPFTargets(); len(m) != 0 {
		t.Errorf("llc lacks BPF targets %q", m)
	}

	h, err := ParseCPUHelp(run(t, llc, "-march=bpf", "-mcpu=help"))
	if err != nil {
		t.Fatal(err)
	}
	for _, cpu := range []string{"generic", "probe", "v1", "v2", "v3"} {
		if !h.Has(cpu) {
			t.Errorf("CPUs %q lack %s", h.CPUs, cpu)
		}
	}
	if n, ok := cpuVersion(h.Best()); !ok || n < 3 {
		t.Errorf("Best = %q, want v3 or later", h.Best())
	}
	if !slices.Contains(h.Features, "alu32") {
		t.Errorf("Features %q lack alu32", h.Features)
	}
}

func TestRealClang(t *testing.T) {
	clang := testkit.Tool(t, "clang")
	c, err := ParseClangVersion(run(t, clang, "--version"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Version.Major() < 10 || c.Target == "" || c.InstalledDir == "" {
		t.Errorf("incomplete parse: %+v", c)
	}
	// -print-supported-cpus works on every clang; -mcpu=help only on newer ones.
	h, err := ParseCPUHelp(run(t, clang, "--target=bpf", "-print-supported-cpus"))
	if err != nil {
		t.Fatal(err)
	}
	if !h.Has("v3") {
		t.Errorf("CPUs %q lack v3", h.CPUs)
	}
}

// llvm-strip is optional even under BPFDOCTOR_REQUIRE_TOOLS: it ships in a
// different package than clang and llc on some distributions.
func TestRealLLVMStrip(t *testing.T) {
	strip, err := exec.LookPath("llvm-strip")
	if err != nil {
		t.Skipf("llvm-strip not on PATH: %v", err)
	}
	v, err := ParseToolVersion(run(t, strip, "--version"))
	if err != nil {
		t.Fatal(err)
	}
	if v.Major() == 0 {
		t.Errorf("version = %+v", v)
	}
}
