package llvm

import (
	"errors"
	"testing"

	"github.com/Masterminds/semver/v3"

	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
)

func TestParseClangVersion(t *testing.T) {
	tests := []struct {
		name, out            string
		vendor, version      string
		target, installedDir string
	}{
		{"fixture clang-14", testkit.ReadTestdata(t, "clang-14.version.txt"), "Debian", "14.0.6", "x86_64-pc-linux-gnu", "/usr/bin"},
		{"fixture clang-14 bpf", testkit.ReadTestdata(t, "clang-14.target-bpf.version.txt"), "Debian", "14.0.6", "bpf", "/usr/bin"},
		{"upstream", "clang version 19.1.7\nTarget: x86_64-unknown-linux-gnu\nThread model: posix\nInstalledDir: /opt/llvm/bin\n", "", "19.1.7", "x86_64-unknown-linux-gnu", "/opt/llvm/bin"},
		{"ubuntu", "Ubuntu clang version 18.1.3 (1ubuntu1)\nTarget: x86_64-pc-linux-gnu\nThread model: posix\nInstalledDir: /usr/bin\n", "Ubuntu", "18.1.3", "x86_64-pc-linux-gnu", "/usr/bin"},
		{"ubuntu jammy", "Ubuntu clang version 14.0.0-1ubuntu1.1\nTarget: x86_64-pc-linux-gnu\n", "Ubuntu", "14.0.0", "x86_64-pc-linux-gnu", ""},
		{"apt.llvm.org", "Ubuntu clang version 19.1.7 (++20250114103332+cd708029e0b2-1~exp1~20250114103446.75)\nTarget: x86_64-pc-linux-gnu\n", "Ubuntu", "19.1.7", "x86_64-pc-linux-gnu", ""},
		{"apt.llvm.org dash", "Debian clang version 14.0.6-++20230101\n", "Debian", "14.0.6", "", ""},
		{"homebrew", "Homebrew clang version 19.1.3\nTarget: arm64-apple-darwin24.1.0\nThread model: posix\nInstalledDir: /opt/homebrew/Cellar/llvm/19.1.3/bin\n", "Homebrew", "19.1.3", "arm64-apple-darwin24.1.0", "/opt/homebrew/Cellar/llvm/19.1.3/bin"},
		{"apple", "Apple clang version 15.0.0 (clang-1500.3.9.4)\nTarget: arm64-apple-darwin23.4.0\nThread model: posix\nInstalledDir: /Library/Developer/CommandLineTools/usr/bin\n", "Apple", "15.0.0", "arm64-apple-darwin23.4.0", "/Library/Developer/CommandLineTools/usr/bin"},
		{"old apple", "Apple LLVM version 10.0.0 (clang-1000.11.45.5)\nTarget: x86_64-apple-darwin18.2.0\n", "Apple", "10.0.0", "x86_64-apple-darwin18.2.0", ""},
		{"fedora", "clang version 17.0.6 (Fedora 17.0.6-2.fc39)\nTarget: x86_64-redhat-linux-gnu\nThread model: posix\nInstalledDir: /usr/bin\n", "Fedora", "17.0.6", "x86_64-redhat-linux-gnu", "/usr/bin"},
		{"red hat", "clang version 10.0.1 (Red Hat 10.0.1-1.module_el8.3.0+467+cb298d5b)\n", "Red Hat", "10.0.1", "", ""},
		{"self-built", "clang version 22.1.8 (https://github.com/llvm/llvm-project.git 1697be42b5b13cf468043ec8bf9fc612fec17a33)\nTarget: x86_64-unknown-linux-gnu\nThread model: posix\nInstalledDir: /home/u/llvm/bin\nBuild config: +assertions\n", "", "22.1.8", "x86_64-unknown-linux-gnu", "/home/u/llvm/bin"},
		{"self-built tag", "clang version 16.0.6 (https://github.com/llvm/llvm-project.git llvmorg-16.0.6-0-g7cbf1a259152)\n", "", "16.0.6", "", ""},
		{"git", "clang version 19.0.0git\n", "", "19.0.0", "", ""},
		{"clang -v noise", "Debian clang version 14.0.6\nTarget: x86_64-pc-linux-gnu\nThread model: posix\nInstalledDir: /usr/bin\nFound candidate GCC installation: /usr/bin/../lib/gcc/x86_64-linux-gnu/12\n", "Debian", "14.0.6", "x86_64-pc-linux-gnu", "/usr/bin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseClangVersion(tt.out)
			if err != nil {
				t.Fatal(err)
			}
			if c.Version.Vendor != tt.vendor || c.Version.Version.String() != tt.version {
				t.Errorf("version = %q %v, want %q %s", c.Version.Vendor, c.Version.Version, tt.vendor, tt.version)
			}
			if c.Target != tt.target || c.InstalledDir != tt.installedDir {
				t.Errorf("target/dir = %q %q, want %q %q", c.Target, c.InstalledDir, tt.target, tt.installedDir)
			}
			if c.Version.Raw == "" {
				t.Error("Raw is empty")
			}
		})
	}
}

func TestParseClangVersionErrors(t *testing.T) {
	tests := []struct{ name, out string }{
		{"empty", ""},
		{"garbage", "\x00\x01\x02\xff"},
		{"gcc", "gcc (Debian 12.2.0-14) 12.2.0\nCopyright (C) 2022 Free Software Foundation, Inc.\n"},
		{"no number", "clang version unknown\n"},
		{"not found", "bash: clang: command not found\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ParseClangVersion(tt.out); !errors.Is(err, ErrNoVersion) {
				t.Fatalf("err = %v, want ErrNoVersion", err)
			}
		})
	}
}

func TestClangCapabilities(t *testing.T) {
	caps := ClangCapabilities()
	seen := map[string]bool{}
	for i, c := range caps {
		if c.Name == "" || c.Why == "" || c.Since == nil {
			t.Errorf("incomplete capability %+v", c)
		}
		if seen[c.Name] {
			t.Errorf("duplicate capability %q", c.Name)
		}
		seen[c.Name] = true
		if i > 0 && c.Since.LessThan(caps[i-1].Since) {
			t.Errorf("%q is out of order", c.Name)
		}
		if c.Hard != (c.Name == "CO-RE") {
			t.Errorf("%q Hard = %v: only CO-RE makes BPF work impossible", c.Name, c.Hard)
		}
	}
	for _, name := range []string{"CO-RE", "kfunc externs and float BTF", "BTF type and decl tags", "bpf_iter tests"} {
		if !seen[name] {
			t.Errorf("missing capability %q", name)
		}
	}
	// Callers must not be able to change the table through a returned slice.
	caps[0].Since = semver.New(99, 0, 0, "", "")
	if ClangCapabilities()[0].Since.Major() == 99 {
		t.Error("ClangCapabilities shares state between calls")
	}
}

func TestMissingCapabilities(t *testing.T) {
	all := len(ClangCapabilities())
	tests := []struct {
		version string
		want    []string
	}{
		{"", nil}, // nil version: all of them
		{"9.0.1", nil},
		{"10.0.0", []string{"bpf_iter tests", "kernel build", "profiler tests", "kfunc externs and float BTF", "BTF type and decl tags"}},
		{"10.0.1", []string{"kernel build", "profiler tests", "kfunc externs and float BTF", "BTF type and decl tags"}},
		{"12.0.1", []string{"kfunc externs and float BTF", "BTF type and decl tags"}},
		{"13.0.0", []string{"BTF type and decl tags"}},
		{"14.0.6", []string{}},
		{"18.1.3", []string{}},
		{"21.1.8", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			var v *semver.Version
			if tt.version != "" {
				v = semver.MustParse(tt.version)
			}
			got := MissingCapabilities(v)
			if tt.want == nil {
				if len(got) != all {
					t.Fatalf("got %d capabilities, want all %d", len(got), all)
				}
				if !got[0].Hard {
					t.Error("CO-RE must be a hard failure")
				}
				return
			}
			var names []string
			for _, c := range got {
				names = append(names, c.Name)
				if c.Hard {
					t.Errorf("%q is hard at %s", c.Name, tt.version)
				}
			}
			if len(names) != len(tt.want) {
				t.Fatalf("got %q, want %q", names, tt.want)
			}
			for i := range names {
				if names[i] != tt.want[i] {
					t.Fatalf("got %q, want %q", names, tt.want)
				}
			}
		})
	}
}
