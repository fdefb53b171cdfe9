package llvmbuild

import (
	"context"
	"debug/elf"
	"maps"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"
	"github.com/bpfdoctor/bpfdoctor/internal/host"
	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
)

// lld19Host is Debian with lld-19 installed: ld.lld-19 on PATH and ld.lld
// in /usr/lib/llvm-19/bin (when layout), no plain ld.lld anywhere on PATH.
func lld19Host(t *testing.T, cxx string, layout bool) (*host.Host, string) {
	t.Helper()
	tools := maps.Clone(debianTools)
	tools["ld.lld-19"] = "Debian LLD 19.1.7 (compatible with GNU linkers)"
	if cxx != "" {
		delete(tools, "c++")
		tools["clang++"] = cxx
	}
	h, bin := planHost(t, "12582912", tools)
	if layout {
		testkit.WriteFile(t, filepath.Join(h.Root, "usr/lib/llvm-19/bin/ld.lld"), "#!/bin/sh\necho 'Debian LLD 19.1.7'\n", 0o755)
	}
	return h, bin
}

// With GCC, Debian's lld-19 is used through -B/usr/lib/llvm-19/bin: GCC
// takes -fuse-ld=lld, never a path.
func TestDryRunVersionedLLD(t *testing.T) {
	h, bin := lld19Host(t, "", true)
	got, p := dryRun(t, h, bin, Options{CacheDir: "/nonexistent/.cache/bpfdoctor/llvm", HostArch: "amd64", CPUs: 8, FreeDisk: free(100 << 30)})
	got = strings.ReplaceAll(got, h.Root, "$ROOT")
	testkit.Golden(t, "dryrun-lld19.golden", []byte(got))
	if !p.UseLLD || p.Linker != "lld" || p.LinkerDir != filepath.Join(h.Root, "usr/lib/llvm-19/bin") {
		t.Errorf("UseLLD %v, Linker %q, LinkerDir %q", p.UseLLD, p.Linker, p.LinkerDir)
	}
}

func TestVersionedLLDChoice(t *testing.T) {
	clang := "Debian clang version 14.0.6\nTarget: x86_64-pc-linux-gnu"
	for _, tt := range []struct {
		name   string
		cxx    string // "" is GCC as c++
		layout bool
		want   string // the lld check
		define string // LLVM_USE_LINKER, "" for none
	}{
		{"clang, only ld.lld-19 on PATH", clang, false, "✓ lld 19 found ($BIN/ld.lld-19): links with -DLLVM_USE_LINKER=$BIN/ld.lld-19", "$BIN/ld.lld-19"},
		{"clang, Debian layout", clang, true, "✓ lld 19 found ($BIN/ld.lld-19): links with -DLLVM_USE_LINKER=$BIN/ld.lld-19", "$BIN/ld.lld-19"},
		{"gcc, only ld.lld-19 on PATH", "", false, "- lld: $BIN/ld.lld-19 found, but GCC finds lld only as ld.lld on PATH or in a -B directory (optional: clang links faster and in less memory with lld)", ""},
		{"gcc, Debian layout", "", true, "✓ lld 19 found: links with -DLLVM_USE_LINKER=lld and -B$ROOT/usr/lib/llvm-19/bin/, where GCC finds ld.lld", "lld"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h, bin := lld19Host(t, tt.cxx, tt.layout)
			p, err := NewPlan(context.Background(), h, Options{CacheDir: "/c", HostArch: "amd64", CPUs: 8, FreeDisk: free(1 << 40)})
			if err != nil {
				t.Fatal(err)
			}
			show := func(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, bin, "$BIN"), h.Root, "$ROOT") }
			var lld Check
			for _, c := range p.Checks {
				if c.Name == "lld" {
					lld = c
				}
			}
			got := show(lld.Status.Mark() + " " + lld.Detail)
			if lld.Status == finding.Skip {
				got = show(lld.Status.Mark() + " lld: " + lld.Detail)
			}
			if got != tt.want {
				t.Errorf("lld check:\n got %s\nwant %s", got, tt.want)
			}
			define := ""
			for _, d := range p.Defines() {
				if d[0] == "LLVM_USE_LINKER" {
					define = show(d[1])
				}
			}
			if define != tt.define {
				t.Errorf("LLVM_USE_LINKER = %q, want %q", define, tt.define)
			}
		})
	}
}

// The linker the plan picks on this machine links a program with the real
// g++ and clang++, as LLVM's cmake does: -fuse-ld=LLVM_USE_LINKER and the
// linker flags, and the program says lld linked it. Debian's lld-19 has
// no plain ld.lld on PATH.
func TestVersionedLLDLinksForReal(t *testing.T) {
	real := host.Real()
	if len(real.LookLLVM("ld.lld")) == 0 {
		testkit.Missing(t, "no lld installed (apt-get install lld-19)")
	}
	src := filepath.Join(t.TempDir(), "hello.cc")
	testkit.WriteFile(t, src, "int main() { return 0; }\n", 0o644)
	for _, cxx := range []string{"g++", "clang++"} {
		t.Run(cxx, func(t *testing.T) {
			path := testkit.Tool(t, cxx)
			p, err := NewPlan(context.Background(), real, Options{CacheDir: t.TempDir(), HostArch: "amd64", CPUs: 1, CXX: path, FreeDisk: free(1 << 40)})
			if err != nil {
				t.Fatal(err)
			}
			if !p.UseLLD {
				t.Fatalf("lld is installed, the plan does not use it: %+v", p.Checks)
			}
			args := []string{src, "-o", filepath.Join(t.TempDir(), "hello"), "-fuse-ld=" + p.Linker}
			for _, d := range p.Defines() {
				if d[0] == "CMAKE_EXE_LINKER_FLAGS" {
					args = append(args, strings.Fields(d[1])...)
				}
			}
			out, err := exec.Command(path, args...).CombinedOutput()
			if err != nil {
				t.Fatalf("%s %s: %v\n%s", cxx, strings.Join(args, " "), err, out)
			}
			if c := elfComment(t, args[2]); !strings.Contains(c, "LLD") {
				t.Errorf("%s %s: not linked by lld (.comment %q)", cxx, strings.Join(args, " "), c)
			}
			t.Logf("%s %s", cxx, strings.Join(args[3:], " "))
		})
	}
}

func elfComment(t *testing.T, path string) string {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := f.Section(".comment")
	if s == nil {
		return ""
	}
	b, err := s.Data()
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(b), "\x00", " ")
}
