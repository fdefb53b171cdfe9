package llvmbuild

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"
	"github.com/bpfdoctor/bpfdoctor/internal/host"
	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
	"github.com/bpfdoctor/bpfdoctor/internal/usage"
)

// planHost is a machine made for the test: tools that print the given
// --version text, and a root with os-release and meminfo. It returns the
// tools' directory too, which the golden files show as $BIN.
func planHost(t *testing.T, memAvailKB string, tools map[string]string) (*host.Host, string) {
	t.Helper()
	f := testkit.Fake{
		Files: map[string]string{
			"/etc/os-release": "ID=debian\nVERSION_ID=12\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n",
			"/proc/meminfo":   "MemTotal:       16384000 kB\nMemFree:         1000000 kB\nMemAvailable:   " + memAvailKB + " kB\n",
		},
		Tools: map[string]string{},
	}
	for name, version := range tools {
		f.Tools[name] = "cat <<'EOF'\n" + version + "\nEOF\n"
	}
	h := f.Host(t)
	return h, h.Path[0]
}

var debianTools = map[string]string{
	"git":   "git version 2.39.5",
	"cmake": "cmake version 3.25.1\n\nCMake suite maintained and supported by Kitware (kitware.com/cmake).",
	"ninja": "1.11.1",
	"c++":   "c++ (Debian 12.2.0-14+deb12u1) 12.2.0\nCopyright (C) 2022 Free Software Foundation, Inc.",
}

func free(n uint64) func(string) (uint64, error) {
	return func(string) (uint64, error) { return n, nil }
}

func dryRun(t *testing.T, h *host.Host, bin string, o Options) (string, *Plan) {
	t.Helper()
	p, err := NewPlan(context.Background(), h, o)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	p.WriteDryRun(&out)
	return strings.ReplaceAll(out.String(), bin, "$BIN"), p
}

// The default plan on a Debian 12 machine: clone the default ref, the
// flags bpf_devel_QA.rst recommends, link jobs from 12 GiB of memory.
func TestDryRunDefault(t *testing.T) {
	h, bin := planHost(t, "12582912", debianTools)
	got, p := dryRun(t, h, bin, Options{CacheDir: "/nonexistent/.cache/bpfdoctor/llvm", HostArch: "amd64", CPUs: 8, FreeDisk: free(100 << 30)})
	testkit.Golden(t, "dryrun-default.golden", []byte(got))
	if p.LinkJobs != 3 || len(p.Blocked()) != 0 {
		t.Errorf("link jobs %d, blocked %v", p.LinkJobs, p.Blocked())
	}
}

// Misses block with their install command on the same line; lld and
// ccache change the flags and the memory per link; --src is read for its
// own minimums.
func TestDryRunMissesAndSrc(t *testing.T) {
	tools := map[string]string{
		"cmake":   "cmake version 3.18.4",
		"g++":     "g++ (GCC) 6.3.0",
		"ld.lld":  "Debian LLD 14.0.6 (compatible with GNU linkers)",
		"ccache":  "ccache version 4.8",
		"clang++": "clang version 14.0.6",
	}
	h, bin := planHost(t, "3145728", tools) // 3 GiB
	src := t.TempDir()
	testkit.WriteFile(t, filepath.Join(src, "llvm/CMakeLists.txt"), "# comment\ncmake_minimum_required(VERSION 3.20.0)\nproject(LLVM)\n", 0o644)
	testkit.WriteFile(t, filepath.Join(src, "cmake/Modules/LLVMVersion.cmake"), "if(NOT DEFINED LLVM_VERSION_MAJOR)\n  set(LLVM_VERSION_MAJOR 19)\nendif()\n", 0o644)
	testkit.WriteFile(t, filepath.Join(src, "llvm/cmake/modules/CheckCompilerVersion.cmake"), "set(GCC_MIN 7.4)\nset(GCC_SOFT_ERROR 7.4)\nset(CLANG_MIN 5.0)\nset(CLANG_SOFT_ERROR 5.0)\n", 0o644)
	got, p := dryRun(t, h, bin, Options{Src: src, Prefix: "/opt/llvm-bpf", HostArch: "arm64", Jobs: 4, FreeDisk: free(5 << 30)})
	got = strings.ReplaceAll(got, src, "$SRC")
	testkit.Golden(t, "dryrun-misses.golden", []byte(got))
	var blocked []string
	for _, c := range p.Blocked() {
		blocked = append(blocked, c.Name)
	}
	if strings.Join(blocked, ",") != "cmake,ninja,C++ compiler" {
		t.Errorf("blocked = %v", blocked)
	}
	if p.Major != 19 || p.Clone != nil {
		t.Errorf("major %d, clone %v", p.Major, p.Clone)
	}
	if _, err := p.Run(context.Background(), h, RunOptions{}); err == nil || !strings.Contains(err.Error(), "preflight failed: cmake (cmake 3.18.4") {
		t.Errorf("Run with misses: %v", err)
	}
}

func TestNewPlanUsage(t *testing.T) {
	h, _ := planHost(t, "8000000", debianTools)
	tests := []struct {
		o    Options
		want string
	}{
		{Options{Src: "/x", Ref: "llvmorg-19.1.0"}, "--src and --ref exclude each other"},
		{Options{Ref: "--upload-pack=evil", CacheDir: "/c"}, `invalid --ref "--upload-pack=evil"`},
		{Options{Ref: "llvmorg-19.1.0/../../x", CacheDir: "/c"}, "invalid --ref"},
		{Options{Ref: "main"}, "no cache directory"},
		{Options{Src: t.TempDir()}, "not an llvm-project tree"},
		{Options{Targets: "X86", CacheDir: "/c"}, `--targets "X86" lacks BPF`},
		{Options{Targets: "BPF X86", CacheDir: "/c"}, `invalid --targets "BPF X86"`},
		{Options{Projects: "clang;$(rm)", CacheDir: "/c", HostArch: "amd64"}, "invalid --projects"},
		{Options{Jobs: -1, CacheDir: "/c"}, "must be positive"},
		{Options{CacheDir: "/c", HostArch: "sparc64"}, `no LLVM target known for "sparc64"`},
	}
	for _, tt := range tests {
		_, err := NewPlan(context.Background(), h, tt.o)
		if !usage.Is(err) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("NewPlan(%+v) = %v, want a usage error with %q", tt.o, err, tt.want)
		}
	}
	// "main" is fine with a cache, and takes the newest requirements.
	p, err := NewPlan(context.Background(), h, Options{Ref: "main", CacheDir: "/c", HostArch: "riscv64", FreeDisk: free(1 << 40)})
	if err != nil || p.Major != 0 || !strings.Contains(strings.Join(p.Configure, " "), "-DLLVM_TARGETS_TO_BUILD=BPF;RISCV") {
		t.Errorf("main: %v, %+v", err, p)
	}
}

func TestLinkJobs(t *testing.T) {
	tests := []struct {
		memKB    string
		lld      bool
		o        Options
		want     int
		wantWarn bool
	}{
		{"33554432", false, Options{CPUs: 16}, 8, false},         // 32 GiB / 4 GiB
		{"33554432", true, Options{CPUs: 16}, 16, false},         // 32 GiB / 2 GiB
		{"33554432", true, Options{CPUs: 16, Jobs: 4}, 4, false}, // never above -j
		{"33554432", false, Options{LinkJobs: 2}, 2, false},      // --link-jobs wins
		{"2097152", false, Options{CPUs: 4}, 1, true},            // 2 GiB: warn, one job
	}
	for _, tt := range tests {
		tools := map[string]string{"cmake": "cmake version 3.25.1", "ninja": "1.11.1", "c++": debianTools["c++"]}
		if tt.lld {
			tools["ld.lld"] = "LLD 18"
		}
		h, _ := planHost(t, tt.memKB, tools)
		tt.o.CacheDir, tt.o.HostArch, tt.o.FreeDisk = "/c", "amd64", free(1<<40)
		p, err := NewPlan(context.Background(), h, tt.o)
		if err != nil {
			t.Fatal(err)
		}
		var mem Check
		for _, c := range p.Checks {
			if c.Name == "memory" {
				mem = c
			}
		}
		if p.LinkJobs != tt.want || (mem.Status == finding.Warn) != tt.wantWarn {
			t.Errorf("%s kB lld=%v %+v: link jobs %d (want %d), memory %+v", tt.memKB, tt.lld, tt.o, p.LinkJobs, tt.want, mem)
		}
	}
}

func TestDisplayCommand(t *testing.T) {
	got := DisplayCommand([]string{"cmake", "-S", "/a b/llvm", "-DLLVM_TARGETS_TO_BUILD=BPF;X86", "-DX=$HOME", "-DCMAKE_BUILD_TYPE=Release", "it's"})
	want := `cmake -S '/a b/llvm' -DLLVM_TARGETS_TO_BUILD="BPF;X86" -DX="\$HOME" -DCMAKE_BUILD_TYPE=Release 'it'\''s'`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestHostTarget(t *testing.T) {
	for arch, want := range map[string]string{"amd64": "X86", "arm64": "AArch64", "s390x": "SystemZ", "ppc64le": "PowerPC", "riscv64": "RISCV", "loong64": "LoongArch", "wasm": ""} {
		if got := HostTarget(arch); got != want {
			t.Errorf("HostTarget(%s) = %q, want %q", arch, got, want)
		}
	}
}
