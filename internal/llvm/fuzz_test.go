package llvm

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// seedFiles adds every testdata file whose name ends in suffix.
func seedFiles(f *testing.F, suffix string) {
	f.Helper()
	matches, err := filepath.Glob(filepath.Join("testdata", "*"+suffix))
	if err != nil || len(matches) == 0 {
		f.Fatalf("no testdata/*%s: %v", suffix, err)
	}
	for _, m := range matches {
		b, err := os.ReadFile(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func FuzzParseLLCVersion(f *testing.F) {
	seedFiles(f, ".txt")
	f.Add([]byte("LLVM (http://llvm.org/):\n  LLVM version 21.1.8\n  Optimized build.\n\n  Registered Targets:\n    bpf - BPF (host endian)\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := ParseLLCVersion(string(b))
		if err == nil {
			if l.Version.Version == nil || l.Version.Raw == "" {
				t.Fatalf("no version without error: %+v", l)
			}
			if len(l.MissingBPFTargets()) > len(bpfTargets) {
				t.Fatal("more missing targets than BPF targets")
			}
		}
		if v, err := ParseToolVersion(string(b)); err == nil && v.Version == nil {
			t.Fatal("ParseToolVersion: nil version without error")
		}
	})
}

func FuzzParseCPUHelp(f *testing.F) {
	seedFiles(f, ".txt")
	f.Add([]byte(llc19CPUHelp))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := ParseCPUHelp(string(b))
		if err != nil {
			return
		}
		if len(h.CPUs) == 0 {
			t.Fatal("no CPUs without error")
		}
		if best := h.Best(); best != "" && !h.Has(best) {
			t.Fatalf("Best %q not among %q", best, h.CPUs)
		}
	})
}

func FuzzParseClangVersion(f *testing.F) {
	seedFiles(f, ".txt")
	f.Add([]byte("clang version 17.0.6 (Fedora 17.0.6-2.fc39)\nTarget: x86_64-redhat-linux-gnu\n"))
	f.Add([]byte("Apple clang version 15.0.0 (clang-1500.3.9.4)\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseClangVersion(string(b))
		if err != nil {
			return
		}
		if c.Version.Version == nil || !strings.Contains(string(b), c.Version.Raw) {
			t.Fatalf("bad version without error: %+v", c)
		}
		_ = MissingCapabilities(c.Version.Version)
	})
}
