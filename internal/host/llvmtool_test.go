package host

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLookLLVM(t *testing.T) {
	root, bin := t.TempDir(), t.TempDir()
	exe := func(p string) {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	exe(filepath.Join(bin, "llc"))
	exe(filepath.Join(bin, "llc-19"))
	exe(filepath.Join(root, "usr/lib/llvm-22/bin/llc"))
	exe(filepath.Join(root, "usr/lib/llvm-14/bin/llc"))
	h := &Host{Root: root, Path: []string{bin}}
	got := h.LookLLVM("llc")
	want := []LLVMTool{
		{Path: filepath.Join(bin, "llc"), Exec: filepath.Join(bin, "llc"), OnPath: true},
		{Path: filepath.Join(bin, "llc-19"), Exec: filepath.Join(bin, "llc-19"), Major: 19},
		{Path: "/usr/lib/llvm-14/bin/llc", Exec: filepath.Join(root, "usr/lib/llvm-14/bin/llc"), Major: 14},
		{Path: "/usr/lib/llvm-22/bin/llc", Exec: filepath.Join(root, "usr/lib/llvm-22/bin/llc"), Major: 22},
	}
	if len(got) != len(want) {
		t.Fatalf("LookLLVM = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("LookLLVM[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
	if n, ok := Newest(got); !ok || n.Major != 22 {
		t.Errorf("Newest = %+v, %v", n, ok)
	}
	if _, ok := Newest(nil); ok {
		t.Error("Newest(nil) found one")
	}
	for p, m := range map[string]int{"ld.lld-19": 19, "/usr/lib/llvm-19/bin/ld.lld": 19, "/usr/bin/llc": 0, "clang-x": 0} {
		if got := LLVMMajor(p); got != m {
			t.Errorf("LLVMMajor(%q) = %d, want %d", p, got, m)
		}
	}
}
