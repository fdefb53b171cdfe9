package selftests

import (
	"regexp"
	"strings"
)

// makefile is the little of GNU make's language the selftests' rules need
// read: logical lines (backslash continuations joined), variable
// assignments, and ifeq/ifneq blocks on the architecture. It does not
// expand functions: each rule that needs a value names the forms it
// knows, so a tree that writes them otherwise reads as "not found", not
// as a wrong value.
type makefile struct {
	lines []mkLine
}

// mkLine is one logical line and whether the architecture conditions
// around it hold: live is false under a branch known not to be taken.
type mkLine struct {
	text string
	no   int // 1-based number of its first physical line
	live bool
}

// parseMakefile splits text into logical lines and marks those under a
// branch that is not taken for arch (SRCARCH: x86, arm64, ...).
// Conditions on anything but the architecture are taken as true:
// both branches of `ifeq ($(feature-llvm),1)` stay live.
func parseMakefile(text, arch string) *makefile {
	var m makefile
	// stack of branch states: taken is tri-state (known true, known false,
	// unknown) for the current branch.
	type cond struct {
		known, holds, parentLive bool
	}
	var stack []cond
	live := func() bool {
		if len(stack) == 0 {
			return true
		}
		c := stack[len(stack)-1]
		return c.parentLive && (!c.known || c.holds)
	}
	phys := strings.Split(text, "\n")
	for i := 0; i < len(phys); i++ {
		no := i + 1
		line := phys[i]
		for strings.HasSuffix(line, "\\") && i+1 < len(phys) {
			i++
			line = strings.TrimSuffix(line, "\\") + " " + phys[i]
		}
		trim := strings.TrimSpace(line)
		word, rest, _ := strings.Cut(trim, " ")
		rest = strings.TrimSpace(rest)
		if word == "ifeq" || word == "ifneq" || word == "else" {
			// The condition itself is text rules read (-mcpu=help in
			// ifneq ($(shell $(CLANG) ... -mcpu=help ...),)).
			m.lines = append(m.lines, mkLine{text: line, no: no, live: live()})
		}
		switch word {
		case "ifeq", "ifneq":
			known, holds := archCond(rest, arch)
			if word == "ifneq" {
				holds = !holds
			}
			stack = append(stack, cond{known, holds, live()})
			continue
		case "ifdef", "ifndef":
			stack = append(stack, cond{parentLive: live()})
			continue
		case "else":
			if n := len(stack); n > 0 {
				c := stack[n-1]
				if w, r, _ := strings.Cut(rest, " "); w == "ifeq" || w == "ifneq" {
					// else ifeq: holds when the earlier branch did not
					// and this condition does.
					known, holds := archCond(strings.TrimSpace(r), arch)
					if w == "ifneq" {
						holds = !holds
					}
					if c.known && c.holds {
						stack[n-1] = cond{true, false, c.parentLive}
					} else {
						stack[n-1] = cond{known && c.known, holds, c.parentLive}
					}
				} else {
					stack[n-1] = cond{c.known, !c.holds, c.parentLive}
				}
			}
			continue
		case "endif":
			if n := len(stack); n > 0 {
				stack = stack[:n-1]
			}
			continue
		}
		m.lines = append(m.lines, mkLine{text: line, no: no, live: live()})
	}
	return &m
}

var (
	// ($(SRCARCH),x86) or ($(SRCARCH),$(filter $(SRCARCH),x86 riscv)),
	// either way round, with ARCH as SRCARCH's older spelling.
	archEq     = regexp.MustCompile(`^\(\s*\$\((?:SRCARCH|ARCH)\)\s*,\s*([\w ]+?)\s*\)$`)
	archFilter = regexp.MustCompile(`^\(\s*\$\((?:SRCARCH|ARCH)\)\s*,\s*\$\(filter\s+\$\((?:SRCARCH|ARCH)\)\s*,\s*([\w ]+?)\s*\)\s*\)$`)
)

// archCond evaluates an ifeq argument that compares the architecture;
// known is false for any other comparison.
func archCond(arg, arch string) (known, holds bool) {
	if m := archEq.FindStringSubmatch(arg); m != nil {
		return true, m[1] == arch
	}
	if m := archFilter.FindStringSubmatch(arg); m != nil {
		for _, a := range strings.Fields(m[1]) {
			if a == arch {
				return true, true
			}
		}
		return true, false
	}
	return false, false
}

var assignment = regexp.MustCompile(`^([A-Za-z_][\w.-]*)\s*(:=|::=|\?=|\+=|=)\s*(.*)$`)

// assigned returns the value given to name on the first live line that
// sets it (:=, =, ?=), the line's number, and whether one does. A live
// `?=` is what make uses when the environment does not set the name.
func (m *makefile) assigned(name string) (value string, line int, ok bool) {
	for _, l := range m.lines {
		if !l.live {
			continue
		}
		if a := assignment.FindStringSubmatch(strings.TrimSpace(l.text)); a != nil && a[1] == name && a[2] != "+=" {
			return strings.Join(strings.Fields(a[3]), " "), l.no, true
		}
	}
	return "", 0, false
}

// find returns the live lines matching re.
func (m *makefile) find(re *regexp.Regexp) []mkLine {
	var out []mkLine
	for _, l := range m.lines {
		if l.live && re.MatchString(l.text) {
			out = append(out, l)
		}
	}
	return out
}

// contains reports whether a live line contains s.
func (m *makefile) contains(s string) (int, bool) {
	for _, l := range m.lines {
		if l.live && strings.Contains(l.text, s) {
			return l.no, true
		}
	}
	return 0, false
}
