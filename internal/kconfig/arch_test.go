package kconfig

import (
	"strings"
	"testing"
)

func TestLookupArch(t *testing.T) {
	tests := []struct{ in, suffix, srcarch string }{
		{"x86_64", "x86_64", "x86"},
		{"amd64", "x86_64", "x86"},
		{"x86", "x86_64", "x86"},
		{"aarch64", "aarch64", "arm64"},
		{"arm64", "aarch64", "arm64"},
		{"s390x", "s390x", "s390"},
		{"riscv64", "riscv64", "riscv"},
		{"ppc64le", "ppc64el", "powerpc"},
		{"ppc64el", "ppc64el", "powerpc"},
	}
	for _, tt := range tests {
		a, err := LookupArch(tt.in)
		if err != nil || a.Suffix != tt.suffix || a.SrcArch != tt.srcarch {
			t.Errorf("LookupArch(%q) = %+v, %v", tt.in, a, err)
		}
	}
	if _, err := LookupArch("mips"); err == nil || !strings.Contains(err.Error(), "x86_64, aarch64, s390x, riscv64, ppc64le") {
		t.Errorf("LookupArch(mips) err = %v", err)
	}
}

func TestArchOfConfig(t *testing.T) {
	tests := []struct {
		cfg  string
		want string
	}{
		{"CONFIG_X86_64=y\nCONFIG_X86=y\n", "x86_64"},
		{"CONFIG_X86=y\n# CONFIG_64BIT is not set\n", ""},
		{"CONFIG_ARM64=y\n", "aarch64"},
		{"CONFIG_S390=y\n", "s390x"},
		{"CONFIG_RISCV=y\nCONFIG_64BIT=y\n", "riscv64"},
		{"CONFIG_RISCV=y\n", ""},
		{"CONFIG_PPC64=y\nCONFIG_CPU_LITTLE_ENDIAN=y\n", "ppc64le"},
		{"CONFIG_PPC64=y\nCONFIG_CPU_BIG_ENDIAN=y\n", ""},
		{"CONFIG_BPF=y\n", ""},
	}
	for _, tt := range tests {
		a, ok := ArchOfConfig(mustParse(t, tt.cfg))
		if a.Uname != tt.want || ok != (tt.want != "") {
			t.Errorf("ArchOfConfig(%q) = %q, %v; want %q", tt.cfg, a.Uname, ok, tt.want)
		}
	}
}
