package kconfig

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"

	"github.com/bpfdoctor/bpfdoctor/internal/kver"
)

// ReadMakefileVersion reads VERSION, PATCHLEVEL and SUBLEVEL from the
// top of a kernel tree's Makefile.
func ReadMakefileVersion(r io.Reader) (kver.Version, error) {
	vals := map[string]int{}
	sc := bufio.NewScanner(io.LimitReader(r, 1<<20))
	for n := 0; sc.Scan() && n < 50; n++ {
		name, value, ok := strings.Cut(sc.Text(), "=")
		if !ok {
			continue
		}
		name = strings.TrimSpace(name)
		switch name {
		case "VERSION", "PATCHLEVEL", "SUBLEVEL":
			if _, seen := vals[name]; seen {
				continue
			}
			value = strings.TrimSpace(value)
			if value == "" && name == "SUBLEVEL" {
				vals[name] = 0
				continue
			}
			i, err := strconv.Atoi(value)
			if err != nil || i < 0 {
				return kver.Version{}, fmt.Errorf("read kernel version: %s = %q is not a number", name, value)
			}
			vals[name] = i
		}
	}
	if err := sc.Err(); err != nil {
		return kver.Version{}, fmt.Errorf("read kernel version: %w", err)
	}
	maj, ok1 := vals["VERSION"]
	min, ok2 := vals["PATCHLEVEL"]
	if !ok1 || !ok2 || maj == 0 {
		return kver.Version{}, errors.New("read kernel version: no VERSION and PATCHLEVEL at the top of the Makefile")
	}
	return kver.Version{Major: maj, Minor: min, Patch: vals["SUBLEVEL"]}, nil
}

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

// Tree is a kernel source tree, rooted at FS.
type Tree struct {
	FS      fs.FS
	Dir     string // its name, for messages
	Version kver.Version
}

// SelftestsDir holds the BPF selftests fragments in a tree.
const SelftestsDir = "tools/testing/selftests/bpf"

// OpenTree checks that fsys holds a kernel tree (a Makefile with the
// version, and a Kconfig) and reads its version.
func OpenTree(fsys fs.FS, dir string) (*Tree, error) {
	f, err := fsys.Open("Makefile")
	if err != nil {
		return nil, fmt.Errorf("open kernel tree %s: %w", dir, err)
	}
	defer f.Close()
	v, err := ReadMakefileVersion(f)
	if err != nil {
		return nil, fmt.Errorf("open kernel tree %s: %w", dir, err)
	}
	if _, err := fs.Stat(fsys, "Kconfig"); err != nil {
		return nil, fmt.Errorf("open kernel tree %s: %w", dir, err)
	}
	return &Tree{FS: fsys, Dir: dir, Version: v}, nil
}

// Kconfig reads the tree's Kconfig files for an architecture.
func (t *Tree) Kconfig(a Arch) (*Kconfig, error) {
	if a.SrcArch == "" {
		return nil, fmt.Errorf("read Kconfig of %s: no architecture given", t.Dir)
	}
	return ReadKconfig(t.FS, map[string]string{
		"SRCARCH": a.SrcArch, "ARCH": a.SrcArch, "srctree": ".",
		"KERNELVERSION": t.Version.String(),
	})
}
