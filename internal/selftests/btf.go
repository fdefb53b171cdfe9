package selftests

import (
	"path"
	"regexp"
	"strings"
)

// BTFSource says whose kernel a VMLINUX_BTF candidate describes.
type BTFSource int

const (
	// TreeBuild is the tree's own vmlinux: O=, KBUILD_OUTPUT, or the
	// tree's top directory.
	TreeBuild BTFSource = iota
	// RunningKernel is the BTF of the kernel this machine runs:
	// /sys/kernel/btf/vmlinux or /boot/vmlinux-$(uname -r).
	RunningKernel
	// Given is a path the user set with VMLINUX_BTF, or one the Makefile
	// names that is neither of the above.
	Given
)

// BTFPath is one entry of VMLINUX_BTF_PATHS, expanded.
type BTFPath struct {
	Written string // as the Makefile writes it
	Path    string // absolute, on the machine; "" when it expands to nothing
	Source  BTFSource
}

// Vars are the values of make's environment the BTF paths read.
type Vars struct {
	O, KbuildOutput, VmlinuxBTF string
	Release                     string // uname -r
	TreeAbs                     string // the tree's absolute directory
}

var (
	ifVar     = regexp.MustCompile(`^\$\(if \$\((\w+)\),\$\((\w+)\)(/\S*?)\)$`)
	shellUame = "$(shell uname -r)"
)

// BTFPaths expands VMLINUX_BTF_PATHS as make would: the Makefile takes
// the first that exists (`$(firstword $(wildcard ...))`, since 5.7's
// VMLINUX_BTF_PATHS). A VMLINUX_BTF from the environment comes first,
// alone. ok is false when the Makefile sets no VMLINUX_BTF_PATHS.
func (s *Suite) BTFPaths(v Vars) ([]BTFPath, From, bool) {
	val, no, ok := s.mk.assigned("VMLINUX_BTF_PATHS")
	if !ok {
		return nil, From{}, false
	}
	from := s.at("Makefile", no)
	if v.VmlinuxBTF != "" {
		p := v.VmlinuxBTF
		if !path.IsAbs(p) {
			p = path.Join(v.TreeAbs, Dir, p)
		}
		return []BTFPath{{Written: "VMLINUX_BTF=" + v.VmlinuxBTF, Path: p, Source: Given}}, from, true
	}
	selftests := path.Join(v.TreeAbs, Dir)
	var out []BTFPath
	for _, w := range splitMakeWords(val) {
		b := BTFPath{Written: w, Source: Given}
		switch m := ifVar.FindStringSubmatch(w); {
		case m != nil && m[1] == m[2]:
			val := map[string]string{"O": v.O, "KBUILD_OUTPUT": v.KbuildOutput}[m[1]]
			b.Source = TreeBuild
			if val != "" {
				b.Path = abs(selftests, val+m[3])
			}
		case strings.Contains(w, shellUame):
			b.Source = RunningKernel
			b.Path = abs(selftests, strings.ReplaceAll(w, shellUame, v.Release))
		case strings.Contains(w, "$"):
			// A form this reader does not expand: leave it out rather than
			// guess.
		case w == "/sys/kernel/btf/vmlinux":
			b.Source, b.Path = RunningKernel, w
		default:
			b.Path = abs(selftests, w)
			if b.Path == v.TreeAbs+"/vmlinux" {
				b.Source = TreeBuild
			}
		}
		out = append(out, b)
	}
	return out, from, true
}

func abs(dir, p string) string {
	if path.IsAbs(p) {
		return path.Clean(p)
	}
	return path.Join(dir, p)
}

// splitMakeWords splits a make value into words, keeping $(...) whole.
func splitMakeWords(s string) []string {
	var out []string
	var cur strings.Builder
	depth := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '$' && i+1 < len(s) && s[i+1] == '(':
			depth++
			cur.WriteString("$(")
			i++
			continue
		case c == '(' && depth > 0:
			depth++
		case c == ')' && depth > 0:
			depth--
		case (c == ' ' || c == '\t') && depth == 0:
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
			continue
		}
		cur.WriteByte(c)
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}
