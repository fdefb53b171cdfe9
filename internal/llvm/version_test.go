package llvm

import (
	"errors"
	"slices"
	"testing"

	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
)

func TestParseLLCVersionFixtures(t *testing.T) {
	tests := []struct {
		file                  string
		version, raw          string
		targets               int
		firstTarget, lastName string
	}{
		{"llc-14.version.txt", "14.0.6", "Debian LLVM version 14.0.6", 41, "aarch64", "xcore"},
		{"llc-15.version.txt", "15.0.6", "Debian LLVM version 15.0.6", 41, "aarch64", "xcore"},
		{"llc-16.version.txt", "16.0.6", "Debian LLVM version 16.0.6", 44, "aarch64", "xtensa"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			l, err := ParseLLCVersion(testkit.ReadTestdata(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if l.Version.Vendor != "Debian" || l.Version.Version.String() != tt.version || l.Version.Raw != tt.raw {
				t.Errorf("version = %+v, want Debian %s %q", l.Version, tt.version, tt.raw)
			}
			if l.Build != "Optimized build." || l.DefaultTarget != "x86_64-pc-linux-gnu" || l.HostCPU != "rocketlake" {
				t.Errorf("build/target/cpu = %q %q %q", l.Build, l.DefaultTarget, l.HostCPU)
			}
			if len(l.Targets) != tt.targets {
				t.Fatalf("got %d targets, want %d", len(l.Targets), tt.targets)
			}
			if l.Targets[0].Name != tt.firstTarget || l.Targets[len(l.Targets)-1].Name != tt.lastName {
				t.Errorf("targets run %q..%q", l.Targets[0].Name, l.Targets[len(l.Targets)-1].Name)
			}
			if got := l.MissingBPFTargets(); len(got) != 0 {
				t.Errorf("MissingBPFTargets = %v, want none", got)
			}
			want := []Target{{"bpf", "BPF (host endian)"}, {"bpfeb", "BPF (big endian)"}, {"bpfel", "BPF (little endian)"}}
			for _, w := range want {
				if !slices.Contains(l.Targets, w) {
					t.Errorf("targets lack %+v", w)
				}
			}
			if !l.HasTarget("x86-64") || l.HasTarget("x86-6") {
				t.Error("HasTarget must match whole names")
			}
		})
	}
}

// Synthetic outputs for vendors and builds not installed here.
func TestParseLLCVersionVariants(t *testing.T) {
	tests := []struct {
		name, out              string
		vendor, version, build string
		defaultTarget, hostCPU string
		targets                []string
		missing                []string
	}{
		{
			name: "upstream",
			out: "LLVM (http://llvm.org/):\n  LLVM version 21.1.8\n  Optimized build.\n" +
				"  Default target: x86_64-unknown-linux-gnu\n  Host CPU: znver4\n\n  Registered Targets:\n" +
				"    bpf    - BPF (host endian)\n    bpfeb  - BPF (big endian)\n    bpfel  - BPF (little endian)\n" +
				"    x86    - 32-bit X86: Pentium-Pro and above\n    x86-64 - 64-bit X86: EM64T and AMD64\n",
			version: "21.1.8", build: "Optimized build.", defaultTarget: "x86_64-unknown-linux-gnu", hostCPU: "znver4",
			targets: []string{"bpf", "bpfeb", "bpfel", "x86", "x86-64"},
		},
		{
			name:    "upstream https and CRLF",
			out:     "LLVM (https://llvm.org/):\r\n  LLVM version 20.1.0\r\n  Optimized build with assertions.\r\n\r\n  Registered Targets:\r\n    bpf - BPF (host endian)\r\n",
			version: "20.1.0", build: "Optimized build with assertions.",
			targets: []string{"bpf"}, missing: []string{"bpfel", "bpfeb"},
		},
		{
			name:   "ubuntu",
			out:    "Ubuntu LLVM version 18.1.3\n  Optimized build.\n  Default target: aarch64-unknown-linux-gnu\n  Host CPU: neoverse-n1\n\n  Registered Targets:\n    aarch64     - AArch64 (little endian)\n    bpf         - BPF (host endian)\n    bpfeb       - BPF (big endian)\n    bpfel       - BPF (little endian)\n",
			vendor: "Ubuntu", version: "18.1.3", build: "Optimized build.", defaultTarget: "aarch64-unknown-linux-gnu", hostCPU: "neoverse-n1",
			targets: []string{"aarch64", "bpf", "bpfeb", "bpfel"},
		},
		{
			name:   "apt.llvm.org suffix",
			out:    "Debian LLVM version 19.1.7-++20250114103332+cd708029e0b2-1~exp1~20250114103446.75\n  Optimized build.\n",
			vendor: "Debian", version: "19.1.7", build: "Optimized build.", missing: bpfTargets,
		},
		{
			name:   "homebrew",
			out:    "Homebrew LLVM version 19.1.3\n  Optimized build.\n  Default target: arm64-apple-darwin24.1.0\n  Host CPU: apple-m1\n\n  Registered Targets:\n    arm64       - ARM64 (little endian)\n    bpf         - BPF (host endian)\n    bpfeb       - BPF (big endian)\n    bpfel       - BPF (little endian)\n",
			vendor: "Homebrew", version: "19.1.3", build: "Optimized build.", defaultTarget: "arm64-apple-darwin24.1.0", hostCPU: "apple-m1",
			targets: []string{"arm64", "bpf", "bpfeb", "bpfel"},
		},
		{
			name: "self-built without BPF",
			out: "LLVM (http://llvm.org/):\n  LLVM version 22.0.0git\n  DEBUG build with assertions.\n" +
				"  Default target: x86_64-unknown-linux-gnu\n  Host CPU: skylake\n\n  Registered Targets:\n" +
				"    aarch64    - AArch64 (little endian)\n    aarch64_32 - AArch64 (little endian ILP32)\n" +
				"    aarch64_be - AArch64 (big endian)\n    arm64      - ARM64 (little endian)\n" +
				"    arm64_32   - ARM64 (little endian ILP32)\n    x86        - 32-bit X86: Pentium-Pro and above\n" +
				"    x86-64     - 64-bit X86: EM64T and AMD64\n",
			version: "22.0.0", build: "DEBUG build with assertions.", defaultTarget: "x86_64-unknown-linux-gnu", hostCPU: "skylake",
			targets: []string{"aarch64", "aarch64_32", "aarch64_be", "arm64", "arm64_32", "x86", "x86-64"},
			missing: []string{"bpf", "bpfel", "bpfeb"},
		},
		{
			name:   "version only",
			out:    "Debian LLVM version 14.0.6\n",
			vendor: "Debian", version: "14.0.6", missing: bpfTargets,
		},
		{
			name:    "rc suffix",
			out:     "LLVM (http://llvm.org/):\n  LLVM version 18.1.0rc\n",
			version: "18.1.0", missing: bpfTargets,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := ParseLLCVersion(tt.out)
			if err != nil {
				t.Fatal(err)
			}
			if l.Version.Vendor != tt.vendor || l.Version.Version.String() != tt.version {
				t.Errorf("version = %q %v, want %q %s", l.Version.Vendor, l.Version.Version, tt.vendor, tt.version)
			}
			if l.Build != tt.build || l.DefaultTarget != tt.defaultTarget || l.HostCPU != tt.hostCPU {
				t.Errorf("build/target/cpu = %q %q %q", l.Build, l.DefaultTarget, l.HostCPU)
			}
			var names []string
			for _, tg := range l.Targets {
				names = append(names, tg.Name)
			}
			if !slices.Equal(names, tt.targets) {
				t.Errorf("targets = %q, want %q", names, tt.targets)
			}
			if got := l.MissingBPFTargets(); !slices.Equal(got, tt.missing) {
				t.Errorf("MissingBPFTargets = %q, want %q", got, tt.missing)
			}
		})
	}
}

func TestParseLLCVersionErrors(t *testing.T) {
	tests := []struct{ name, out string }{
		{"empty", ""},
		{"garbage", "\x00\xff\xfe garbage\n\n\t-\n"},
		{"no number", "Debian LLVM version \n"},
		{"clang banner", testkit.ReadTestdata(t, "clang-14.version.txt")},
		{"targets only", "  Registered Targets:\n    bpf - BPF (host endian)\n"},
		{"overflow", "LLVM version 99999999999999999999999.0.0\n"},
		{"command not found", "sh: 1: llc: not found\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseLLCVersion(tt.out)
			if !errors.Is(err, ErrNoVersion) {
				t.Fatalf("err = %v, want ErrNoVersion", err)
			}
		})
	}
}

func TestParseToolVersion(t *testing.T) {
	tests := []struct {
		name, out       string
		vendor, version string
		raw             string
	}{
		{"llvm-strip", testkit.ReadTestdata(t, "llvm-strip-14.version.txt"), "Debian", "14.0.6", "Debian LLVM version 14.0.6"},
		{"llvm-objcopy", testkit.ReadTestdata(t, "llvm-objcopy-14.version.txt"), "Debian", "14.0.6", "Debian LLVM version 14.0.6"},
		{"llc", testkit.ReadTestdata(t, "llc-16.version.txt"), "Debian", "16.0.6", "Debian LLVM version 16.0.6"},
		{"clang", testkit.ReadTestdata(t, "clang-14.version.txt"), "Debian", "14.0.6", "Debian clang version 14.0.6"},
		{"upstream strip", "llvm-strip, compatible with GNU strip\nLLVM (http://llvm.org/):\n  LLVM version 21.1.8\n  Optimized build.\n", "", "21.1.8", "LLVM version 21.1.8"},
		{"lld", "Debian LLD 14.0.6 (compatible with GNU linkers)\n", "Debian", "14.0.6", "Debian LLD 14.0.6 (compatible with GNU linkers)"},
		{"upstream lld", "LLD 21.1.8 (compatible with GNU linkers)\n", "", "21.1.8", "LLD 21.1.8 (compatible with GNU linkers)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := ParseToolVersion(tt.out)
			if err != nil {
				t.Fatal(err)
			}
			if v.Vendor != tt.vendor || v.Version.String() != tt.version || v.Raw != tt.raw {
				t.Errorf("got %q %v %q, want %q %s %q", v.Vendor, v.Version, v.Raw, tt.vendor, tt.version, tt.raw)
			}
		})
	}
	for _, out := range []string{"", "garbage", "GNU strip (GNU Binutils for Debian) 2.40\n"} {
		if _, err := ParseToolVersion(out); !errors.Is(err, ErrNoVersion) {
			t.Errorf("ParseToolVersion(%q) err = %v, want ErrNoVersion", out, err)
		}
	}
}

func TestVersionMajor(t *testing.T) {
	tests := []struct {
		out  string
		want uint64
	}{
		{"Debian LLVM version 14.0.6", 14},
		{"LLVM version 21", 21},
		{"Homebrew LLVM version 19.1", 19},
	}
	for _, tt := range tests {
		v, err := ParseToolVersion(tt.out)
		if err != nil {
			t.Fatal(err)
		}
		if got := v.Major(); got != tt.want {
			t.Errorf("Major(%q) = %d, want %d", tt.out, got, tt.want)
		}
	}
	if got := (Version{}).Major(); got != 0 {
		t.Errorf("zero Version Major = %d", got)
	}
}
