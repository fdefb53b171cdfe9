package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
	"github.com/bpfdoctor/bpfdoctor/internal/usage"
)

func testIO(env map[string]string) (IO, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	return IO{In: strings.NewReader(""), Out: &out, ErrOut: &errOut, Getenv: func(k string) string { return env[k] }}, &out, &errOut
}

// Every way of misusing the command line is a usage.Error, by type: exit 2
// must not hang on cobra's wording.
func TestUsageErrorsAreTyped(t *testing.T) {
	for _, args := range [][]string{
		{"--no-such-flag"},
		{"-Z"},
		{"--timeout", "soon"},
		{"--only"},
		{"nosuch"},
		{"check", "extra"},
		{"list", "extra"},
		{"version", "extra"},
		{"report", "extra"},
		{"kconfig", "diff", "extra"},
		{"lint"},
		{"bootstrap", "gcc"},
		{"bootstrap", "pahole", "extra"},
		{"completion", "bash", "extra"},
	} {
		io, out, _ := testIO(nil)
		err := newCLI(io, args).ExecuteContext(context.Background())
		if !usage.Is(err) {
			t.Errorf("bpfdoctor %s: got %T %v, want a usage.Error", strings.Join(args, " "), err, err)
		}
		if out.Len() > 0 {
			t.Errorf("bpfdoctor %s: stdout %q, want nothing", strings.Join(args, " "), out)
		}
		if code := run(context.Background(), args, io); code != exitUsage {
			t.Errorf("bpfdoctor %s: exit %d, want %d", strings.Join(args, " "), code, exitUsage)
		}
	}
}

// A usage.Error from any command, wrapped or not, exits 2; others exit 1.
func TestRunExitCodes(t *testing.T) {
	io, _, errOut := testIO(nil)
	if code := run(context.Background(), []string{"--format", "yaml"}, io); code != exitUsage {
		t.Errorf("--format yaml: exit %d, want %d (%s)", code, exitUsage, errOut)
	}
	if !usage.Is(errors.Join(errors.New("x"), usage.Errorf("bad"))) {
		t.Error("usage.Is misses a joined usage error")
	}
	io, out, _ := testIO(nil)
	if code := run(context.Background(), []string{"version"}, io); code != exitOK || !strings.HasPrefix(out.String(), "bpfdoctor ") {
		t.Errorf("version: exit %d, %q", code, out)
	}
}

// The LLVM build draws its bar in place on a terminal (ErrTTY), and only
// a final line elsewhere. The tools are fakes: ninja reports four edges and
// leaves an llc with the BPF back end.
func TestBootstrapProgressBar(t *testing.T) {
	for _, tty := range []bool{true, false} {
		work := t.TempDir()
		src := filepath.Join(work, "llvm-project")
		build := filepath.Join(work, "build")
		testkit.WriteFile(t, filepath.Join(src, "llvm", "CMakeLists.txt"), "cmake_minimum_required(VERSION 3.20.0)\n", 0o644)
		testkit.WriteFile(t, filepath.Join(src, "cmake", "Modules", "LLVMVersion.cmake"), "set(LLVM_VERSION_MAJOR 18)\n", 0o644)
		root := filepath.Join(work, "root")
		testkit.WriteFile(t, filepath.Join(root, "etc", "os-release"), "ID=debian\nVERSION_ID=12\n", 0o644)
		testkit.WriteFile(t, filepath.Join(root, "proc", "meminfo"), "MemTotal: 32768000 kB\nMemAvailable: 16777216 kB\n", 0o644)
		bin := filepath.Join(work, "bin")
		for name, script := range map[string]string{
			"git":   `echo "git version 2.39.5"`,
			"cmake": `[ "$1" = --version ] && { echo "cmake version 3.25.1"; exit 0; }; exit 0`,
			"c++":   `echo "c++ (Debian 12.2.0-14+deb12u1) 12.2.0"`,
			"ninja": `[ "$1" = --version ] && { echo 1.11.1; exit 0; }
for i in 1 2 3 4; do echo "[$i/4] Building CXX object $i.o"; done`,
		} {
			testkit.WriteFile(t, filepath.Join(bin, name), "#!/bin/sh\n"+script+"\n", 0o755)
		}
		// What the build would leave.
		testkit.WriteFile(t, filepath.Join(build, "bin", "llc"), "#!/bin/sh\nprintf '%s\\n' "+
			"'LLVM (http://llvm.org/):' '  LLVM version 18.1.8' '' '  Registered Targets:' "+
			"'    bpf    - BPF (host endian)' '    bpfeb  - BPF (big endian)' '    bpfel  - BPF (little endian)'\n", 0o755)
		t.Setenv("PATH", bin)
		io, out, errOut := testIO(map[string]string{"BPFDOCTOR_ROOT": root, "XDG_CACHE_HOME": filepath.Join(work, "cache")})
		io.ErrTTY = tty
		code := run(context.Background(), []string{"bootstrap", "llvm", "--src", src, "--build-dir", build}, io)
		if code != exitOK {
			t.Fatalf("tty=%v: exit %d\nstderr:\n%s", tty, code, errOut)
		}
		if !strings.Contains(out.String(), "18.1.8 with the BPF back end") {
			t.Errorf("tty=%v: stdout %q", tty, out)
		}
		drawn := strings.Contains(errOut.String(), "\rbuilding LLVM [")
		if drawn != tty {
			t.Errorf("tty=%v: bar drawn in place = %v\nstderr:\n%q", tty, drawn, errOut)
		}
		if !tty && !strings.Contains(errOut.String(), "\nbuilding LLVM 100% 4/4\n") {
			t.Errorf("no final progress line off a terminal:\n%q", errOut)
		}
	}
}

// TERM=dumb takes no bars even on a terminal.
func TestBarModeDumbTerminal(t *testing.T) {
	io, _, _ := testIO(map[string]string{"TERM": "dumb"})
	io.ErrTTY = true
	if m := barMode(io, 0); m != 0 {
		t.Errorf("barMode on a dumb terminal = %v, want the fallback", m)
	}
}
