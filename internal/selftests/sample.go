package selftests

import (
	"cmp"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
)

// A compiler that cannot build a tree's programs fails first in their
// inline assembly: 6.12's progs/verifier_*.c write instructions that
// clang 14's BPF assembler does not take (`w1 %= 2`: "invalid operand for
// instruction"). Compiling every program takes seconds, so Sample picks
// the few programs that together use the most distinct instruction
// forms, read from the tree's own sources: a newer tree with new
// instructions brings its own sample.

var includeRe = regexp.MustCompile(`^\s*#\s*include\s*[<"]([^>"]+)[>"]`)

// instructionForms returns the distinct instruction forms of a program's
// inline asm: registers, numbers, operands and labels made generic, so
// `r1 = *(u32 *)(r0 + 4)` and `r2 = *(u32*)(r3 - 8)` are one form. It
// scans by hand: regular expressions made this a second on 6.12's 800
// programs.
func instructionForms(src string) map[string]bool {
	forms := map[string]bool{}
	for {
		i := strings.Index(src, "asm volatile")
		if i < 0 {
			return forms
		}
		src = src[i+len("asm volatile"):]
		j := strings.IndexByte(src, '"')
		if j < 0 || strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(src[:j]), "(")) != "" {
			continue
		}
		body, rest := stringLiteral(src[j+1:])
		// Adjacent literals are one string: "r0 = 0;" "exit;".
		for {
			t := strings.TrimLeft(rest, " \t\r\n\\")
			if !strings.HasPrefix(t, "\"") {
				break
			}
			var more string
			more, rest = stringLiteral(t[1:])
			body += "\n" + more
		}
		src = rest
		for ins := range strings.FieldsFuncSeq(body, func(r rune) bool { return r == ';' || r == '\n' }) {
			if f := normalize(ins); f != "" {
				forms[f] = true
			}
		}
	}
}

// stringLiteral returns the body of a C string literal whose opening quote
// is already consumed, line continuations removed, and the text after it.
func stringLiteral(s string) (body, rest string) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			return b.String(), s[i+1:]
		case '\\':
			if i+1 < len(s) {
				i++
				switch s[i] {
				case '\n': // a line continuation
				case 'n':
					b.WriteByte('\n')
				case 't':
					b.WriteByte('\t')
				default:
					b.WriteByte(s[i])
				}
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), ""
}

// normalize makes one instruction generic: r<N> is r, w<N> is w, numbers
// and %[operands] are N, l<N>_%= labels are L, blanks go, a label in
// front goes, and (rX +/- off) and goto targets are one form each.
func normalize(ins string) string {
	var b strings.Builder
	s := strings.TrimSpace(ins)
	isDigit := func(c byte) bool { return c >= '0' && c <= '9' }
	isWord := func(c byte) bool { return c == '_' || isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'z') }
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '%' && i+1 < len(s) && s[i+1] == '%':
			i++
		case c == '%' && i+1 < len(s) && s[i+1] == '[':
			j := strings.IndexByte(s[i:], ']')
			if j < 0 {
				j = len(s) - i - 1
			}
			b.WriteByte('N')
			i += j + 1
		case isDigit(c) || (c == '-' && i+1 < len(s) && isDigit(s[i+1]) && (i == 0 || !isWord(s[i-1]))):
			j := i + 1
			for j < len(s) && isWord(s[j]) {
				j++
			}
			b.WriteByte('N')
			i = j
		case isWord(c):
			j := i
			for j < len(s) && isWord(s[j]) {
				j++
			}
			w := s[i:j]
			switch {
			case (w[0] == 'r' || w[0] == 'w') && len(w) > 1 && allDigits(w[1:]):
				b.WriteByte(w[0])
			case w[0] == 'l' && strings.HasPrefix(s[j:], "%=") && strings.HasSuffix(w, "_"):
				b.WriteByte('L')
				j += 2
				if j < len(s) && s[j] == ':' && b.Len() == 1 {
					// a label in front of an instruction
					b.Reset()
					j++
				}
			default:
				b.WriteString(w)
			}
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	f := b.String()
	f = strings.NewReplacer("(r-N)", "(r+N)", "goto+N", "gotoL", "goto-N", "gotoL", "gotoN", "gotoL").Replace(f)
	if f == "\\" {
		return ""
	}
	return f
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// includes lists the base names a source includes.
func includes(src string) []string {
	var out []string
	for line := range strings.Lines(src) {
		if !strings.Contains(line, "include") {
			continue
		}
		if m := includeRe.FindStringSubmatch(line); m != nil {
			out = append(out, path.Base(m[1]))
		}
	}
	return out
}

// Sample picks at most n programs under progs/ that together use the most
// distinct instruction forms (greedy set cover, largest first; ties by
// name), leaving out those that include vmlinux.h: they fail on any
// kernel's BTF but the tree's own, which is VMLINUX_BTF's finding, not the
// compiler's. Paths are relative to the selftests directory.
func (s *Suite) Sample(n int) ([]string, error) {
	dir := Dir + "/progs"
	ents, err := fs.ReadDir(s.fsys, dir)
	if err != nil {
		return nil, err
	}
	type prog struct {
		name     string
		forms    map[string]bool
		includes []string
	}
	var progs []prog
	headers := map[string][]string{}
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() || !(strings.HasSuffix(name, ".c") || strings.HasSuffix(name, ".h")) {
			continue
		}
		b, err := fs.ReadFile(s.fsys, path.Join(dir, name))
		if err != nil {
			continue // a FIFO or an oversized file is no sample
		}
		src := string(b)
		inc := includes(src)
		if strings.HasSuffix(name, ".h") {
			headers[name] = inc
			continue
		}
		if f := instructionForms(src); len(f) > 0 {
			progs = append(progs, prog{name, f, inc})
		}
	}
	// Headers of the selftests directory itself (bpf_experimental.h).
	if ents, err := fs.ReadDir(s.fsys, Dir); err == nil {
		for _, e := range ents {
			if name := e.Name(); strings.HasSuffix(name, ".h") && headers[name] == nil {
				if b, err := fs.ReadFile(s.fsys, path.Join(Dir, name)); err == nil {
					headers[name] = includes(string(b))
				}
			}
		}
	}
	pullsVmlinux := vmlinuxIncluders(headers)
	progs = slices.DeleteFunc(progs, func(p prog) bool {
		return slices.ContainsFunc(p.includes, func(h string) bool { return h == "vmlinux.h" || pullsVmlinux[h] })
	})
	slices.SortFunc(progs, func(a, b prog) int { return cmp.Compare(a.name, b.name) })
	covered := map[string]bool{}
	var out []string
	for len(out) < n {
		best, gain := -1, 0
		for i, p := range progs {
			g := 0
			for f := range p.forms {
				if !covered[f] {
					g++
				}
			}
			if g > gain {
				best, gain = i, g
			}
		}
		if best < 0 {
			break
		}
		for f := range progs[best].forms {
			covered[f] = true
		}
		out = append(out, "progs/"+progs[best].name)
		progs = slices.Delete(progs, best, best+1)
	}
	return out, nil
}

// vmlinuxIncluders returns the headers that include vmlinux.h, directly or
// through other headers.
func vmlinuxIncluders(headers map[string][]string) map[string]bool {
	pulls := map[string]bool{}
	for changed := true; changed; {
		changed = false
		for h, inc := range headers {
			if pulls[h] {
				continue
			}
			if slices.ContainsFunc(inc, func(i string) bool { return i == "vmlinux.h" || pulls[i] }) {
				pulls[h], changed = true, true
			}
		}
	}
	return pulls
}

// HelperDefs is the command that generates bpf_helper_defs.h, which
// bpf_helpers.h includes: tools/lib/bpf/Makefile runs the tree's
// scripts/bpf_doc.py on its copy of the UAPI header. The arguments are
// relative to the tree.
func HelperDefs() (script string, args []string) {
	return "scripts/bpf_doc.py", []string{"--header", "--file", "tools/include/uapi/linux/bpf.h"}
}

// IncludeDirs are the -I directories, relative to the tree, that the
// sample needs besides the generated one: the selftests directory
// (bpf_misc.h), tools/lib (bpf/bpf_helpers.h) and the tools' UAPI copy
// (linux/bpf.h), as the Makefile's BPF_CFLAGS name them.
func IncludeDirs() []string {
	return []string{Dir, "tools/lib", "tools/include/uapi"}
}
