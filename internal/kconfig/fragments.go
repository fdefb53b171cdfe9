package kconfig

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/bpfdoctor/bpfdoctor/internal/kver"
)

// The BPF selftests' config fragments of a few kernel versions, copied
// from tools/testing/selftests/bpf/config* by scripts/update-fragments.sh.
// Each directory is one set, named vMAJOR.MINOR or mainline-vMAJOR.MINOR;
// its SOURCE file says which tree it came from (the loaders read only
// config*, so SOURCE is never taken for a fragment).
//
//go:embed fragments
var embedded embed.FS

// Fragment is one fragment file of a set.
type Fragment struct {
	Name   string // "config", "config.vm", "config.x86_64"
	Path   string // where it was read from
	Config *Config
}

// Want is one option a fragment set asks for.
type Want struct {
	Entry
	File string // the fragment that sets it last: "config.x86_64"
	// order is the position of its last line in the merged set: a
	// merged file has the line there, and for a choice it decides.
	order int
}

// Order is the position of the option's last line in the merged set: of
// two members of a choice, the later one wins.
func (w Want) Order() int { return w.order }

// FragmentSet is the fragments a config is judged against: config, then
// config.vm (with --vm), then config.<arch>, merged in that order as the
// selftests' vmtest.sh and libbpf's CI merge them; a later line wins.
type FragmentSet struct {
	// Name says which set: "6.12", "7.2", "linux 6.12.117"
	// for a tree, "--fragment" for explicit files.
	Name string
	// Version is the kernel series the set belongs to; zero for
	// explicit files.
	Version kver.Version
	// Why says how the set was chosen.
	Why   string
	Arch  string // fragment suffix used, "" when none
	Files []Fragment
	// Lacks names the files the set should have but does not, such as
	// config.x86_64 of a set copied without arch files.
	Lacks []string

	wanted []Want
}

// NewFragmentSet merges fragment files in the order given.
func NewFragmentSet(name string, files []Fragment) *FragmentSet {
	s := &FragmentSet{Name: name, Files: files}
	s.merge()
	return s
}

func (s *FragmentSet) merge() {
	index := map[string]int{}
	s.wanted = nil
	n := 0
	for _, f := range s.Files {
		for _, e := range f.Config.entries {
			n++
			if i, ok := index[e.Symbol]; ok {
				s.wanted[i] = Want{e, f.Name, n}
				continue
			}
			index[e.Symbol] = len(s.wanted)
			s.wanted = append(s.wanted, Want{e, f.Name, n})
		}
	}
}

// Wanted returns the options of the merged set, in the order they first
// appear, each with the value of its last line.
func (s *FragmentSet) Wanted() []Want { return slices.Clone(s.wanted) }

// Label names the set and its files for a report: "6.12 (config,
// config.x86_64)".
func (s *FragmentSet) Label() string {
	var names []string
	for _, f := range s.Files {
		names = append(names, f.Name)
	}
	return s.Name + " (" + strings.Join(names, ", ") + ")"
}

// EmbeddedSet is one set built into bpfdoctor.
type EmbeddedSet struct {
	Name    string // directory: "v6.12", "mainline-v7.3"
	Version kver.Version
}

// Label is how reports name it: "6.12", "mainline-v7.3".
func (e EmbeddedSet) Label() string {
	if strings.HasPrefix(e.Name, "v") {
		return e.Name[1:]
	}
	return e.Name
}

// EmbeddedSets lists the built-in sets, oldest first.
func EmbeddedSets() []EmbeddedSet {
	ents, _ := fs.ReadDir(embedded, "fragments")
	var out []EmbeddedSet
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		name := e.Name()
		v, ok := kver.Parse(strings.TrimPrefix(name, "mainline-"))
		if !ok {
			continue
		}
		out = append(out, EmbeddedSet{name, v})
	}
	slices.SortFunc(out, func(a, b EmbeddedSet) int { return a.Version.Compare(b.Version) })
	return out
}

func embeddedLabels() string {
	var l []string
	for _, e := range EmbeddedSets() {
		l = append(l, e.Label())
	}
	return strings.Join(l, ", ")
}

// LookupEmbedded finds a built-in set by name: "6.12", "v6.12",
// "6.12.117", and for a set taken between releases "mainline-v7.3" or
// "mainline".
func LookupEmbedded(name string) (EmbeddedSet, error) {
	sets := EmbeddedSets()
	for _, e := range sets {
		if name == e.Name || name == e.Label() || name == "v"+e.Label() ||
			name == "mainline" && strings.HasPrefix(e.Name, "mainline-") {
			return e, nil
		}
	}
	if v, ok := kver.Parse(name); ok {
		for _, e := range sets {
			if e.Version.Compare(v) == 0 {
				return e, nil
			}
		}
	}
	return EmbeddedSet{}, fmt.Errorf("unknown fragment set %q (built in: %s)", name, embeddedLabels())
}

// ChooseEmbedded picks the built-in set for a kernel, and says which and
// why: the set of its own series; else the newest one not newer than it,
// since a newer set may want options the kernel does not have yet, which
// would be reported missing where no config could set them (an older set
// only misses the options the kernel's own selftests added since); else
// the oldest. kernel is the zero Version when unknown: the newest set.
func ChooseEmbedded(kernel kver.Version) (EmbeddedSet, string) {
	sets := EmbeddedSets()
	if len(sets) == 0 {
		return EmbeddedSet{}, "no fragment sets are built in"
	}
	builtIn := "built in: " + embeddedLabels()
	last := sets[len(sets)-1]
	if kernel.Major == 0 {
		return last, fmt.Sprintf("the kernel version is unknown, so the newest built-in set, %s (%s)", last.Label(), builtIn)
	}
	pick := -1
	for i, e := range sets {
		if e.Version.Compare(kernel) <= 0 {
			pick = i
		}
	}
	if pick < 0 {
		return sets[0], fmt.Sprintf("Linux %s is older than every built-in set (%s), so the oldest, %s; pass --kernel-src with a %s tree for its own selftests", kernel, embeddedLabels(), sets[0].Label(), kernel.Series())
	}
	e := sets[pick]
	switch {
	case e.Version.Compare(kernel) == 0:
		return e, fmt.Sprintf("the set of Linux %s itself (%s)", kernel.Series(), builtIn)
	case pick == len(sets)-1:
		return e, fmt.Sprintf("Linux %s is newer than every built-in set, so the newest, %s (%s); its own selftests may want more: pass --kernel-src with a %s tree", kernel, e.Label(), builtIn, kernel.Series())
	}
	return e, fmt.Sprintf("the newest built-in set not newer than Linux %s, since none is of %s and the newer %s may want options %s lacks (%s); pass --kernel-src with a %s tree for its own selftests",
		kernel, kernel.Series(), sets[pick+1].Label(), kernel.Series(), builtIn, kernel.Series())
}

// Load reads a built-in set for an architecture (nil: none) and, with vm,
// its config.vm.
func (e EmbeddedSet) Load(arch *Arch, vm bool) (*FragmentSet, error) {
	sub, err := fs.Sub(embedded, path.Join("fragments", e.Name))
	if err != nil {
		return nil, fmt.Errorf("load fragment set %s: %w", e.Name, err)
	}
	s, err := LoadFragments(sub, "built-in "+e.Name+"/", arch, vm)
	if err != nil {
		return nil, err
	}
	s.Name, s.Version = e.Label(), e.Version
	return s, nil
}

// LoadFragments reads config, config.vm (with vm) and config.<arch>
// (arch nil: none) from fsys, a directory of fragments; where prefixes
// their names in Path and errors. Only config is required; a missing arch
// file or config.vm is noted in Lacks.
func LoadFragments(fsys fs.FS, where string, arch *Arch, vm bool) (*FragmentSet, error) {
	names := []string{"config"}
	if vm {
		names = append(names, "config.vm")
	}
	s := &FragmentSet{}
	if arch != nil {
		names = append(names, "config."+arch.Suffix)
		s.Arch = arch.Suffix
	}
	for _, name := range names {
		f, err := fsys.Open(name)
		if errors.Is(err, fs.ErrNotExist) && name != "config" {
			s.Lacks = append(s.Lacks, name)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("load fragment %s%s: %w", where, name, err)
		}
		cfg, err := Parse(f, where+name)
		f.Close()
		if err != nil {
			return nil, err
		}
		s.Files = append(s.Files, Fragment{Name: name, Path: where + name, Config: cfg})
	}
	s.merge()
	return s, nil
}
