package kconfig

// CauseKind is what a group of missing options has in common.
type CauseKind uint8

// Kinds of causes, in report order: root causes first.
const (
	// CauseParent: an option the fix sets is off, and it hides the
	// others (they are absent, or capped at m, until it is on).
	CauseParent CauseKind = iota
	// CauseNotSet: options that can be set as they are, just off.
	CauseNotSet
	// CauseModule: =m where the selftests want them built in.
	CauseModule
	// CauseValue: numbers and strings that differ.
	CauseValue
	// CauseAbsent: absent, with no kernel tree to say why.
	CauseAbsent
	// CauseKeep: options the config has as wanted, which the other lines
	// of the fix would change (BPF_UNPRIV_DEFAULT_OFF appears, default y,
	// once BPF_SYSCALL is on): the fix states them too.
	CauseKeep
	// CauseRefused: the kernel's Kconfig will not take these, whatever
	// the fix says; Text says why.
	CauseRefused
	// CauseUnwanted: set, where the selftests want them off.
	CauseUnwanted
)

// Cause is one group of the report: the options that share a cause.
type Cause struct {
	Kind CauseKind
	// Root is the option at the root of a CauseParent or CauseRefused
	// group, "" for the others.
	Root string
	// Text states the cause: "CONFIG_MODULES is not set".
	Text string
	// Items are the wanted options of the group; a root that is itself
	// wanted comes first.
	Items []Item
	// Adds are lines the fix adds that no fragment has: the parents that
	// the fragments assume are on.
	Adds []Entry
	// Guess marks a group formed by option names only (no kernel tree).
	Guess bool
}

// Explanation is a diff grouped by root cause, with the fix that closes
// it and, given a kernel tree, the options the kernel will refuse.
type Explanation struct {
	Diff   *Diff
	Causes []Cause
	// Tree is true when the tree's Kconfig explained the diff.
	Tree bool
	// NoTree says why a tree's Kconfig, given, was not used: "" when it
	// was, or when no tree was given.
	NoTree string
	// Fix is the lines still needed, root causes first.
	Fix []FixLine
	// Refused maps each wanted option the kernel is expected to refuse
	// even with the fix merged to the reason; nil without a tree.
	Refused map[string]string
}

// FixLine is one line of the fix, with the cause it belongs to.
type FixLine struct {
	Entry
	Cause   string // the cause's Text, for comments
	Refused bool   // the kernel is expected to refuse it
	Added   bool   // not from the fragments: a parent they assume
}

// Missing counts the wanted options the config lacks.
func (x *Explanation) Missing() int { return len(x.Diff.Missing()) }

// Roots counts the groups: each is one thing to do or to know.
func (x *Explanation) Roots() int {
	n := 0
	for _, c := range x.Causes {
		if c.Kind != CauseUnwanted && c.Kind != CauseKeep {
			n++
		}
	}
	return n
}

// FixLines lists the lines of the causes in order, each symbol once, the
// roots of each group first.
func FixLines(cs []Cause) []FixLine {
	var out []FixLine
	seen := map[string]bool{}
	add := func(l FixLine) {
		if !seen[l.Symbol] {
			seen[l.Symbol] = true
			out = append(out, l)
		}
	}
	for _, c := range cs {
		for _, a := range c.Adds {
			add(FixLine{Entry: a, Cause: c.Text, Added: true})
		}
		for _, it := range c.Items {
			if it.State == OK && c.Kind != CauseKeep {
				continue // fine as it is: a refusal the fix causes
			}
			add(FixLine{Entry: it.Entry, Cause: c.Text, Refused: c.Kind == CauseRefused})
		}
	}
	return out
}
