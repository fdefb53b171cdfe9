package checks

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"
	"github.com/bpfdoctor/bpfdoctor/internal/testkit"

	"github.com/bpfdoctor/bpfdoctor/internal/host"
)

func realFindings(t *testing.T) map[string]finding.Finding {
	t.Helper()
	h := host.Real()
	// bpftool is in /usr/sbin on Debian, off a normal user's PATH.
	h.Path = append(h.Path, "/usr/sbin")
	got := Run(context.Background(), NewEnv(h), All())
	byID := map[string]finding.Finding{}
	for _, f := range got {
		byID[f.ID] = f
		t.Logf("%-22s %-5s %s", f.ID, f.Status, f.Message)
	}
	return byID
}

// TestRealToolchain runs every check against this machine's real tools,
// /proc and /sys. CI installs Debian's llvm, clang, dwarves, bpftool and
// libbpf-dev, so those checks must pass there.
func TestRealToolchain(t *testing.T) {
	testkit.Tools(t, "llc", "clang", "pahole", "pkg-config")
	t.Setenv("PATH", os.Getenv("PATH")+":/usr/sbin")
	testkit.Tool(t, "bpftool")
	byID := realFindings(t)
	for _, id := range []string{"llvm.llc", "llvm.bpf-targets", "llvm.cpu", "llvm.strip", "clang.version", "clang.llc-match", "clang.probe", "pahole.version", "libbpf.version", "libbpf.bpftool", "kernel.release"} {
		if f := byID[id]; f.Status != finding.Pass && f.Status != finding.Warn {
			t.Errorf("%s: %s: %s", id, f.Status, f.Message)
		}
	}
	for id, f := range byID {
		if f.Status == finding.Error {
			t.Errorf("%s could not tell on a real machine: %s", id, f.Message)
		}
	}
	// The facts must be what the tools themselves say.
	out, err := exec.Command("pahole", "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.TrimPrefix(strings.TrimSpace(string(out)), "v"); byID["pahole.version"].Facts["version"] != want {
		t.Errorf("pahole.version fact = %q, `pahole --version` says %q", byID["pahole.version"].Facts["version"], want)
	}
	out, err = exec.Command("llc", "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if v := byID["llvm.llc"].Facts["version"]; v == "" || !strings.Contains(string(out), "version "+v) {
		t.Errorf("llvm.llc fact version %q not in `llc --version`:\n%s", v, out)
	}
}

// TestRealKernel reads the machine's own /proc and /sys.
func TestRealKernel(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc")
	}
	byID := map[string]finding.Finding{}
	h := host.Real()
	cs, _ := Select(All(), []string{"kernel"}, nil)
	for _, f := range Run(context.Background(), NewEnv(h), cs) {
		byID[f.ID] = f
	}
	rel, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		t.Fatal(err)
	}
	if got := byID["kernel.release"].Facts["release"]; got != strings.TrimSpace(string(rel)) {
		t.Errorf("kernel.release = %q, want %q", got, rel)
	}
	_, btfErr := os.Stat("/sys/kernel/btf/vmlinux")
	if want := btfErr == nil; (byID["kernel.btf"].Status == finding.Pass) != want {
		t.Errorf("kernel.btf = %s but /sys/kernel/btf/vmlinux exists=%v", byID["kernel.btf"].Status, want)
	}
	if _, err := os.Stat("/proc/config.gz"); err == nil {
		if f := byID["kernel.config"]; f.Status != finding.Pass || f.Facts["path"] != "/proc/config.gz" {
			t.Errorf("kernel.config: %s %q, want /proc/config.gz", f.Status, f.Message)
		}
	}
	for id, f := range byID {
		if f.Status == finding.Error && id != "kernel.config" {
			t.Errorf("%s could not tell: %s", id, f.Message)
		}
	}
}

// mixedLLVM is a real host whose PATH is one directory holding clang of
// LLVM 19 and llc of LLVM 14, as a user who links a newer clang into
// ~/bin next to the distribution's llc has.
func mixedLLVM(t *testing.T) *host.Host {
	t.Helper()
	clang, llc := testkit.Tool(t, "clang-19"), testkit.Tool(t, "llc-14")
	dir := t.TempDir()
	for name, target := range map[string]string{"clang": clang, "llc": llc} {
		real, err := filepath.EvalSymlinks(target)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(real, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	h := host.Real()
	h.Path = []string{dir}
	return h
}

// TestRealMixedLLVMPitfalls: llc 14 cannot read clang 19's bitcode, so
// clang.pitfalls cannot judge the native builds and must not pass.
func TestRealMixedLLVMPitfalls(t *testing.T) {
	f := runOnly(t, NewEnv(mixedLLVM(t)), "clang.pitfalls")
	t.Logf("%s %s\n%s", f.Status, f.Message, strings.Join(f.Details, "\n"))
	if f.Status != finding.Warn || !strings.HasPrefix(f.Message, "native -O2 -g | llc -march=bpf failed at llc: llc: error: llc: native.bc: ") {
		t.Errorf("got %s %q, want a warning naming the failed native build and llc's error", f.Status, f.Message)
	}
	if f.Facts["native"] != "failed" || f.Facts["bpf"] != "none" {
		t.Errorf("facts %v", f.Facts)
	}
}

// TestRealMixedLLVMFixes: with clang 19 and llc 14 in one directory on
// PATH, the fixes of clang.llc-match and llvm.strip name Debian's LLVM 19,
// whose clang, llc and llvm-strip agree, and not that directory or LLVM 22.
func TestRealMixedLLVMFixes(t *testing.T) {
	h := mixedLLVM(t)
	testkit.Tool(t, "llvm-strip-19")
	const want = "export PATH=/usr/lib/llvm-19/bin:$PATH"
	e := NewEnv(h)
	for _, id := range []string{"clang.llc-match", "llvm.strip", "clang.pitfalls"} {
		f := runOnly(t, e, id)
		t.Logf("%s: %s %s; fix %+v", id, f.Status, f.Message, f.Fix)
		if f.Status != finding.Warn || f.Fix == nil || !slices.Contains(f.Fix.Commands, want) {
			t.Errorf("%s: got %s %q with fix %+v, want a warning whose fix runs %q", id, f.Status, f.Message, f.Fix, want)
		}
	}
}
