package kconfig

import (
	"fmt"
	"strings"
)

// Arch is one architecture the selftests have a fragment for.
type Arch struct {
	Uname   string // uname -m: x86_64
	Suffix  string // the fragment: config.x86_64
	SrcArch string // arch/ directory: x86
	goarch  string
}

// Arches are the architectures with a fragment in
// tools/testing/selftests/bpf.
var Arches = []Arch{
	{"x86_64", "x86_64", "x86", "amd64"},
	{"aarch64", "aarch64", "arm64", "arm64"},
	{"s390x", "s390x", "s390", "s390x"},
	{"riscv64", "riscv64", "riscv", "riscv64"},
	{"ppc64le", "ppc64el", "powerpc", "ppc64le"},
}

// LookupArch accepts a uname -m name, a fragment suffix, an arch/
// directory name or a Go GOARCH: x86_64, ppc64el, arm64, amd64.
func LookupArch(name string) (Arch, error) {
	for _, a := range Arches {
		if name == a.Uname || name == a.Suffix || name == a.SrcArch || name == a.goarch {
			return a, nil
		}
	}
	var known []string
	for _, a := range Arches {
		known = append(known, a.Uname)
	}
	return Arch{}, fmt.Errorf("unknown architecture %q (the selftests have fragments for %s)", name, strings.Join(known, ", "))
}

// ArchOfConfig tells the architecture a full config was made for from its
// arch symbols; false for a fragment or an architecture without a
// selftests fragment.
func ArchOfConfig(c *Config) (Arch, bool) {
	on := func(s string) bool { e, ok := c.Lookup(s); return ok && e.Value == "y" }
	var name string
	switch {
	case on("X86_64"):
		name = "x86_64"
	case on("ARM64"):
		name = "aarch64"
	case on("S390"):
		name = "s390x"
	case on("RISCV") && on("64BIT"):
		name = "riscv64"
	case on("PPC64") && on("CPU_LITTLE_ENDIAN"):
		name = "ppc64le"
	default:
		return Arch{}, false
	}
	a, err := LookupArch(name)
	return a, err == nil
}
