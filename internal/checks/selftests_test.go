package checks

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"
	"github.com/bpfdoctor/bpfdoctor/internal/host"
	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
)

// runSelftests runs the selftests area on h against the tree in dir.
func runSelftests(t *testing.T, h *host.Host, dir string) map[string]finding.Finding {
	t.Helper()
	e := NewEnv(h)
	e.KernelSrc = dir
	return runArea(t, e, "selftests")
}

// realTree is Debian's linux-source-6.12, whole, as CI extracts it.
func realTree(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("BPFDOCTOR_KERNEL_SRC")
	if dir == "" {
		testkit.Missing(t, "a kernel tree in BPFDOCTOR_KERNEL_SRC")
	}
	if _, err := os.Stat(dir + "/tools/testing/selftests/bpf/progs/verifier_bounds.c"); err != nil {
		testkit.Missing(t, "BPFDOCTOR_KERNEL_SRC=%s has no selftests programs", dir)
	}
	return dir
}

// withPath is the real host with dir first on PATH, for lookups and for
// the commands run (clang finds ld.lld on its PATH).
func withPath(dir string) *host.Host {
	h := host.Real()
	h.Path = append([]string{dir}, h.Path...)
	h.Env = append(os.Environ(), "PATH="+dir+":"+os.Getenv("PATH"))
	return h
}

// TestSelftestsRealToolchains is the new user: Debian 12's clang 14
// cannot build 6.12's verifier programs and there is no ld.lld on PATH;
// with /usr/lib/llvm-19/bin first on PATH both findings pass. The verdicts
// are the real compiler's and linker's.
func TestSelftestsRealToolchains(t *testing.T) {
	dir := realTree(t)
	clang := testkit.Tool(t, "clang")
	testkit.Tools(t, "python3")
	if host.LLVMMajor(resolve(clang)) != 14 {
		t.Skipf("clang on PATH is %s, not Debian 12's clang 14", resolve(clang))
	}
	if _, err := os.Stat("/usr/lib/llvm-19/bin/ld.lld"); err != nil {
		testkit.Missing(t, "no /usr/lib/llvm-19/bin/ld.lld (clang-19, lld-19)")
	}
	h := host.Real()
	if _, err := h.LookPath("ld.lld"); err == nil {
		t.Skip("ld.lld is on PATH here")
	}
	got := runSelftests(t, h, dir)
	c := got["selftests.clang"]
	if c.Status != finding.Fail || !strings.Contains(c.Message, "invalid operand for instruction") {
		t.Errorf("clang 14: selftests.clang = %s %q", c.Status, c.Message)
	}
	if c.Fix == nil || !strings.Contains(strings.Join(c.Fix.Commands, "\n"), "export PATH=/usr/lib/llvm-") {
		t.Errorf("clang 14: fix %+v names no LLVM directory", c.Fix)
	}
	l := got["selftests.lld"]
	if l.Status != finding.Fail || !strings.Contains(l.Message, "invalid linker name") {
		t.Errorf("no ld.lld: selftests.lld = %s %q", l.Status, l.Message)
	}
	if l.Fix == nil || !strings.Contains(strings.Join(l.Fix.Commands, "\n"), "export PATH=/usr/lib/llvm-19/bin:$PATH") {
		t.Errorf("no ld.lld: fix %+v", l.Fix)
	}

	got = runSelftests(t, withPath("/usr/lib/llvm-19/bin"), dir)
	for _, id := range []string{"selftests.clang", "selftests.lld"} {
		if f := got[id]; f.Status != finding.Pass {
			t.Errorf("llvm-19 first on PATH: %s = %s %q", id, f.Status, f.Message)
		}
	}
}

// fakeTree writes a kernel tree of version 6.12 whose selftests Makefile
// is mk.
func fakeTree(t *testing.T, mk string) string {
	t.Helper()
	dir := t.TempDir()
	testkit.WriteFile(t, dir+"/Makefile", "VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 3\n", 0o644)
	testkit.WriteFile(t, dir+"/Kconfig", "", 0o644)
	testkit.WriteFile(t, dir+"/tools/testing/selftests/bpf/Makefile", mk, 0o644)
	return dir
}

// TestSelftestsBTFSection: a VMLINUX_BTF without a .BTF section fails
// (bpftool would dump nothing), one with it passes. Objects from the real
// clang: -g gives .BTF, without -g there is none.
func TestSelftestsBTFSection(t *testing.T) {
	clang := testkit.Tool(t, "clang")
	dir := fakeTree(t, "VMLINUX_BTF_PATHS ?= ../../../../vmlinux /sys/kernel/btf/vmlinux\n")
	src := filepath.Join(t.TempDir(), "p.c")
	testkit.WriteFile(t, src, "int x = 1;\n", 0o644)
	for _, tc := range []struct {
		flags []string
		want  finding.Status
		msg   string
	}{
		{[]string{"-g"}, finding.Pass, "vmlinux.h comes from "},
		{nil, finding.Fail, "has no .BTF section"},
	} {
		obj := filepath.Join(t.TempDir(), "vmlinux")
		if out, err := exec.Command(clang, append([]string{"--target=bpf", "-O2", "-c", src, "-o", obj}, tc.flags...)...).CombinedOutput(); err != nil {
			t.Fatalf("clang: %v\n%s", err, out)
		}
		h := host.Real()
		h.Env = append(os.Environ(), "VMLINUX_BTF="+obj)
		e := NewEnv(h)
		e.KernelSrc = dir
		f := checkSelftestsBTF(context.Background(), e)
		if f.Status != tc.want || !strings.Contains(f.Message, tc.msg) {
			t.Errorf("flags %q: %s %q, want %s %q", tc.flags, f.Status, f.Message, tc.want, tc.msg)
		}
	}
}
