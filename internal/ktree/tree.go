package ktree

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/bpfdoctor/bpfdoctor/internal/clip"
	"github.com/bpfdoctor/bpfdoctor/internal/host"
	"github.com/bpfdoctor/bpfdoctor/internal/kconfig"
	"github.com/bpfdoctor/bpfdoctor/internal/kconfiglang"

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
				return kver.Version{}, fmt.Errorf("read kernel version: %s = %q is not a number", name, clip.String(value, clip.Short))
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

// Tree is a kernel source tree, rooted at FS.
type Tree struct {
	FS      fs.FS
	Dir     string // its name, for messages
	Version kver.Version
}

// SelftestsDir holds the BPF selftests fragments in a tree.
const SelftestsDir = "tools/testing/selftests/bpf"

// maxTreeFile bounds each file read from a tree: its Makefile, fragments
// and Kconfig files are kilobytes (the largest Kconfig, arch/x86/Kconfig
// of 6.12, is 106 KiB).
const maxTreeFile = 16 << 20

// OpenTree checks that fsys holds a kernel tree (a Makefile with the
// version, and a Kconfig) and reads its version. Every file of the tree
// is then read only when it is a regular file, and at most 16 MiB of it:
// a FIFO in a tree would block the run, a symlink to /dev/zero fill the
// memory.
func OpenTree(fsys fs.FS, dir string) (*Tree, error) {
	fsys = host.RegularFS(fsys, maxTreeFile)
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
func (t *Tree) Kconfig(a kconfig.Arch) (*kconfiglang.Kconfig, error) {
	return t.KconfigContext(context.Background(), a)
}

// KconfigContext is Kconfig that stops when ctx is done.
func (t *Tree) KconfigContext(ctx context.Context, a kconfig.Arch) (*kconfiglang.Kconfig, error) {
	if a.SrcArch == "" {
		return nil, fmt.Errorf("read Kconfig of %s: no architecture given", t.Dir)
	}
	return kconfiglang.ReadKconfigContext(ctx, t.FS, map[string]string{
		"SRCARCH": a.SrcArch, "ARCH": a.SrcArch, "srctree": ".",
		"KERNELVERSION": t.Version.String(),
	})
}

// Fragments reads the selftests fragments of a tree.
func (t *Tree) Fragments(arch *kconfig.Arch, vm bool) (*kconfig.FragmentSet, error) {
	sub, err := fs.Sub(t.FS, SelftestsDir)
	if err != nil {
		return nil, fmt.Errorf("load selftests config of %s: %w", t.Dir, err)
	}
	s, err := kconfig.LoadFragments(sub, path.Join(t.Dir, SelftestsDir)+"/", arch, vm)
	if err != nil {
		return nil, err
	}
	s.Name, s.Version = "Linux "+t.Version.String(), t.Version
	s.Why = "the selftests of the tree " + t.Dir
	return s, nil
}

// Around returns the top of the kernel tree that holds dir (dir itself or
// a parent): the first with a Makefile, a Kconfig and the BPF selftests
// directory, so `bpfdoctor check` run inside a tree judges that tree.
func Around(dir string) (string, bool) {
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if isTreeTop(d) {
			return d, true
		}
		if filepath.Dir(d) == d {
			return "", false
		}
	}
}

func isTreeTop(d string) bool {
	for _, p := range []string{"Makefile", "Kconfig", SelftestsDir} {
		if _, err := os.Stat(filepath.Join(d, p)); err != nil {
			return false
		}
	}
	return true
}
