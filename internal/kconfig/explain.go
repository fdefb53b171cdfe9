package kconfig

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

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

// List names the options of the group, at most max (all when max <= 0),
// values shown for CauseValue.
func (c Cause) List(max int) string {
	var names []string
	for _, it := range c.Items {
		if c.Kind == CauseValue {
			names = append(names, fmt.Sprintf("%s (want %s)", it.Have.String(), wantText(it.Entry)))
		} else {
			names = append(names, it.Symbol)
		}
	}
	return listNames(names, max)
}

// Summary is the cause on one line, listing at most max options (all
// when max <= 0): "CONFIG_MODULES is not set — hides MODULE_SIG,
// MODULE_UNLOAD".
func (c Cause) Summary(max int) string {
	var names []string
	for _, it := range c.Items {
		if it.Symbol == c.Root && c.Kind == CauseParent {
			continue
		}
		switch c.Kind {
		case CauseValue:
			names = append(names, fmt.Sprintf("%s (want %s)", it.Have.String(), wantText(it.Entry)))
		default:
			names = append(names, it.Symbol)
		}
	}
	list := listNames(names, max)
	switch c.Kind {
	case CauseParent:
		if len(names) == 0 {
			return c.Text
		}
		if c.Guess {
			return c.Text + " — probably hides " + list + " (judged by name)"
		}
		return c.Text + " — hides " + list
	case CauseRefused:
		return c.Text + " — so the kernel refuses " + list
	}
	return c.Text + ": " + list
}

func wantText(e Entry) string {
	if e.Kind == NotSet {
		return "not set"
	}
	return strings.TrimPrefix(e.String(), prefix+e.Symbol+"=")
}

func listNames(names []string, max int) string {
	if max > 0 && len(names) > max {
		return strings.Join(names[:max], ", ") + fmt.Sprintf(" and %d more", len(names)-max)
	}
	return strings.Join(names, ", ")
}

// Explain groups a diff by root cause. base is the config the diff was
// made from. With k, the tree's Kconfig, each absent or capped option is
// traced to the option that hides it, the fix gains the parents the
// fragments assume, and the options the kernel will refuse are named
// with the reason; without it, options are grouped under a parent only
// where the fragment itself shows one by name.
func Explain(d *Diff, base *Config, k *Kconfig) *Explanation {
	if k == nil {
		return explainByName(d)
	}
	x := &explainer{d: d, k: k, base: base, wanted: map[string]Want{}}
	for _, w := range d.Set.wanted {
		x.wanted[w.Symbol] = w
	}
	return x.run()
}

// explainByName groups without a tree: an absent option is put under a
// missing option of the set whose name is its prefix (MODULE_SIG under
// MODULES, NF_CONNTRACK_MARK under NF_CONNTRACK).
func explainByName(d *Diff) *Explanation {
	x := &Explanation{Diff: d}
	notOK := d.NotOK()
	missing := map[string]bool{}
	for _, it := range notOK {
		if it.State.Missing() {
			missing[it.Symbol] = true
		}
	}
	parentOf := func(sym string) string {
		best := ""
		for p := range missing {
			if p == sym || len(p) <= len(best) {
				continue
			}
			if strings.HasPrefix(sym, p+"_") || strings.HasSuffix(p, "S") && strings.HasPrefix(sym, p[:len(p)-1]+"_") {
				best = p
			}
		}
		return best
	}
	byRoot := map[string][]Item{}
	state := map[string]Item{}
	for _, it := range notOK {
		state[it.Symbol] = it
	}
	var plain []Item
	for _, it := range notOK {
		if it.State != Absent {
			plain = append(plain, it)
			continue
		}
		root, seen := "", map[string]bool{it.Symbol: true}
		for p := parentOf(it.Symbol); p != "" && !seen[p]; p = parentOf(p) {
			seen[p] = true
			root = p
			if state[p].State != Absent {
				break
			}
		}
		if root == "" {
			plain = append(plain, it)
			continue
		}
		byRoot[root] = append(byRoot[root], it)
	}
	var parents []Cause
	used := map[string]bool{}
	for root, items := range byRoot {
		r := state[root]
		used[root] = true
		parents = append(parents, Cause{Kind: CauseParent, Root: root, Text: describeHave(r), Items: append([]Item{r}, items...), Guess: true})
	}
	var rest []Item
	for _, it := range plain {
		if !used[it.Symbol] {
			rest = append(rest, it)
		}
	}
	x.Causes = append(sortParents(parents), plainCauses(rest)...)
	x.Fix = fixLines(x.Causes)
	return x
}

// describeHave states what the config has for a wanted option.
func describeHave(it Item) string {
	switch {
	case !it.Found:
		return prefix + it.Symbol + " is absent"
	case it.Have.Kind == NotSet:
		return prefix + it.Symbol + " is not set"
	}
	return it.Have.String()
}

func sortParents(cs []Cause) []Cause {
	sort.SliceStable(cs, func(i, j int) bool {
		if len(cs[i].Items) != len(cs[j].Items) {
			return len(cs[i].Items) > len(cs[j].Items)
		}
		return cs[i].Root < cs[j].Root
	})
	return cs
}

// plainCauses groups the options left over by state.
func plainCauses(items []Item) []Cause {
	groups := map[State]*Cause{}
	text := map[State]struct {
		kind CauseKind
		text string
	}{
		Off:        {CauseNotSet, "not set"},
		Module:     {CauseModule, "built as modules, the selftests want them built in"},
		WrongValue: {CauseValue, "other values"},
		Absent:     {CauseAbsent, "absent (a dependency is off; --kernel-src names it)"},
		Unwanted:   {CauseUnwanted, "set, the selftests want them off"},
	}
	for _, it := range items {
		g, ok := groups[it.State]
		if !ok {
			t := text[it.State]
			g = &Cause{Kind: t.kind, Text: t.text}
			groups[it.State] = g
		}
		g.Items = append(g.Items, it)
	}
	var out []Cause
	for _, s := range []State{Off, Module, WrongValue, Absent, Unwanted} {
		if g, ok := groups[s]; ok {
			out = append(out, *g)
		}
	}
	return out
}

// fixLines lists the lines of the causes in order, each symbol once, the
// roots of each group first.
func fixLines(cs []Cause) []FixLine {
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

// explainer traces a diff through a tree's Kconfig.
type explainer struct {
	d      *Diff
	k      *Kconfig
	base   *Config
	wanted map[string]Want
	bsim   *sim // the config under test as the tree computes it
	fsim   *sim // with the fix merged
	adds   []Entry
}

func (x *explainer) run() *Explanation {
	notOK := x.d.NotOK()
	merged := slices.Clone(notOK)
	slices.SortStableFunc(merged, func(a, b Item) int { return a.order - b.order })
	var lines []Entry
	for _, it := range merged {
		lines = append(lines, it.Entry)
	}
	x.bsim = simulate(x.k, x.base, nil)
	x.findAdds(lines)
	lines = append(lines, x.adds...)
	var fl []FixLine
	for _, e := range lines {
		fl = append(fl, FixLine{Entry: e})
	}
	lines = fixEntries(x.finishLines(fl))

	// Group what the fix closes by root cause; the rest is refused. The
	// fix's own order decides choices (a later line wins), so the
	// prediction is redone with the lines in the order the fix writes
	// them until the two agree.
	var causes []Cause
	keep := map[string]bool{}
	var keepItems []Item
	for range 6 {
		x.fsim = simulate(x.k, x.base, lines)
		fixable := map[string]bool{}
		var refusedItems, kept []Item
		grew := false
		for _, it := range x.d.Items {
			switch {
			case x.predicted(x.fsim, it.Want) == OK:
				fixable[it.Symbol] = true
				if keep[it.Symbol] {
					kept = append(kept, it)
				}
			case it.State == OK && !keep[it.Symbol]:
				// Fine in the config, changed by the fix: state it too.
				keep[it.Symbol] = true
				keepItems = append(keepItems, it)
				grew = true
			default:
				refusedItems = append(refusedItems, it)
			}
		}
		causes = append(x.group(notOK, fixable), x.refusals(refusedItems)...)
		if len(kept) > 0 {
			causes = append(causes, Cause{Kind: CauseKeep, Items: kept,
				Text: "as wanted already, but the lines above would change them, so the fix states them too"})
		}
		causes = order(causes)
		next := fixEntries(x.finishLines(fixLines(causes)))
		if grew {
			for _, it := range keepItems {
				if !slices.ContainsFunc(next, func(e Entry) bool { return e.Symbol == it.Symbol }) {
					next = append(next, it.Entry)
				}
			}
		}
		if !grew && slices.Equal(next, lines) {
			break
		}
		lines = next
	}
	out := &Explanation{Diff: x.d, Causes: causes, Tree: true, Refused: map[string]string{}}
	out.Fix = x.finishLines(fixLines(causes))
	// What the kernel refuses is judged on exactly the lines written.
	x.fsim = simulate(x.k, x.base, fixEntries(out.Fix))
	reason := map[string]string{}
	for _, c := range causes {
		for _, it := range c.Items {
			if c.Kind == CauseRefused {
				reason[it.Symbol] = c.Text
			}
		}
	}
	for _, it := range x.d.Items {
		if x.predicted(x.fsim, it.Want) != OK {
			r := reason[it.Symbol]
			if r == "" {
				_, r = x.refusal(it)
			}
			out.Refused[it.Symbol] = r
		}
	}
	return out
}

// finishLines makes the fix merge like the fragments: where it sets a
// member of a choice, the members the fragments set after it come too,
// in the fragments' order, so the one the selftests' own merge picks
// still wins.
func (x *explainer) finishLines(ls []FixLine) []FixLine {
	in := map[string]bool{}
	for _, l := range ls {
		in[l.Symbol] = true
	}
	var more []FixLine
	for _, l := range ls {
		sym, ok := x.k.Symbol(l.Symbol)
		if !ok || sym.choice == nil || l.Value != "y" {
			continue
		}
		for _, m := range sym.choice.members {
			if w, ok := x.wanted[m.Name]; ok && !in[m.Name] && w.Value == "y" && w.order > x.wanted[l.Symbol].order {
				in[m.Name] = true
				more = append(more, FixLine{Entry: w.Entry, Refused: l.Refused,
					Cause: fmt.Sprintf("the choice %q: %s last, as in the selftests' own merge", sym.choice.Prompt, w.File)})
			}
		}
	}
	return x.keepChoiceOrder(append(ls, more...))
}

// keepChoiceOrder gathers the lines of each choice's members where the
// first of them is, in the order the merged fragments have them: when
// the fragments set two members, the later one must still win.
func (x *explainer) keepChoiceOrder(ls []FixLine) []FixLine {
	members := map[*Choice][]FixLine{}
	for _, l := range ls {
		if sym, ok := x.k.Symbol(l.Symbol); ok && sym.choice != nil {
			members[sym.choice] = append(members[sym.choice], l)
		}
	}
	orderOf := func(l FixLine) int {
		if w, ok := x.wanted[l.Symbol]; ok {
			return w.order
		}
		return 1 << 30
	}
	out := make([]FixLine, 0, len(ls))
	for _, l := range ls {
		sym, ok := x.k.Symbol(l.Symbol)
		if !ok || sym.choice == nil {
			out = append(out, l)
			continue
		}
		group, first := members[sym.choice]
		if !first {
			continue // already placed with the first member
		}
		slices.SortStableFunc(group, func(a, b FixLine) int { return orderOf(a) - orderOf(b) })
		out = append(out, group...)
		delete(members, sym.choice)
	}
	return out
}

func fixEntries(ls []FixLine) []Entry {
	out := make([]Entry, len(ls))
	for i, l := range ls {
		out[i] = l.Entry
	}
	return out
}

// order puts the causes in report order: kinds as declared, parents by
// size.
func order(cs []Cause) []Cause {
	var parents, rest []Cause
	for _, c := range cs {
		if c.Kind == CauseParent {
			parents = append(parents, c)
		} else {
			rest = append(rest, c)
		}
	}
	sort.SliceStable(rest, func(i, j int) bool { return rest[i].Kind < rest[j].Kind })
	return append(sortParents(parents), rest...)
}

// predicted judges a wanted option against a simulation.
func (x *explainer) predicted(s *sim, w Want) State {
	e, ok := s.entry(w.Symbol)
	return judge(w.Entry, e, ok)
}

// need is the least value of a dependency that lets sym be what the
// fragment wants: any value for a bool (m counts as y), the wanted
// value for a tristate.
func (x *explainer) need(sym *Symbol, want Entry) tri {
	if sym.Type == TypeTristate && want.Value == "y" {
		return triY
	}
	return triM
}

// requirement is what must hold for sym to take a value from a config
// line: a prompt's condition. A symbol without a prompt follows its
// defaults instead.
func requirement(sym *Symbol) (*Expr, bool) {
	if len(sym.prompts) > 0 {
		var e *Expr
		for i, p := range sym.prompts {
			if p.cond == nil {
				return nil, true
			}
			if i == 0 {
				e = p.cond
			} else {
				e = mk(opOr, e, p.cond)
			}
		}
		return e, true
	}
	var e *Expr
	found := false
	for _, d := range sym.defaults {
		if d.value != nil && d.value.op == opSym && d.value.a.name == "n" {
			continue
		}
		c := exprAnd(d.cond, d.value)
		if c == nil {
			return nil, true
		}
		if !found {
			e, found = c, true
		} else {
			e = mk(opOr, e, c)
		}
	}
	return e, found
}

// term is one reason an expression is below what is needed.
type term struct {
	sym string // a symbol that is too low, or (neg) too high
	neg bool
	// expr is a comparison, a constant or a macro: nothing a config line
	// changes directly.
	expr *Expr
}

// blockers returns the terms that keep e below need in s. For ||, the
// side prefer likes best is taken, else the left one.
func (s *sim) blockers(e *Expr, need tri, owner *Symbol, prefer func([]term) bool) []term {
	if e == nil || s.eval(e, owner) >= need {
		return nil
	}
	switch e.op {
	case opSym:
		if _, isConst := constTri(e.a.name); isConst || e.a.quoted {
			return []term{{expr: e}}
		}
		return []term{{sym: e.a.name}}
	case opAnd:
		return append(s.blockers(e.l, need, owner, prefer), s.blockers(e.r, need, owner, prefer)...)
	case opOr:
		l := s.blockers(e.l, need, owner, prefer)
		r := s.blockers(e.r, need, owner, prefer)
		if prefer != nil && !prefer(l) && prefer(r) {
			return r
		}
		return l
	case opNot:
		if e.l.op == opSym && !e.l.a.quoted {
			if _, isConst := constTri(e.l.a.name); !isConst {
				return []term{{sym: e.l.a.name, neg: true}}
			}
		}
	}
	return []term{{expr: e}}
}

// settable reports whether a line in the fix can turn sym on: it has a
// prompt, is bool or tristate, is no choice member, and the fragments do
// not want it off.
func (x *explainer) settable(name string) bool {
	sym, ok := x.k.Symbol(name)
	if !ok || !sym.HasPrompt() || sym.choice != nil || sym.Type != TypeBool && sym.Type != TypeTristate {
		return false
	}
	if w, ok := x.wanted[name]; ok && w.Kind == NotSet {
		return false
	}
	return true
}

func (x *explainer) allSettable(ts []term) bool {
	if len(ts) == 0 {
		return false
	}
	for _, t := range ts {
		if t.neg || t.expr != nil || !x.settable(t.sym) && !x.promptless(t.sym) {
			return false
		}
	}
	return true
}

func (x *explainer) promptless(name string) bool {
	sym, ok := x.k.Symbol(name)
	return ok && !sym.HasPrompt() && sym.choice == nil
}

// findAdds finds the parents the fragments assume are on: options they
// do not set that hide options they do. It adds them a round at a time,
// recomputing, until nothing more helps.
func (x *explainer) findAdds(overlay []Entry) {
	added := map[string]bool{}
	for _, e := range overlay {
		added[e.Symbol] = true
	}
	for round := 0; round < 12; round++ {
		s := simulate(x.k, x.base, append(slices.Clone(overlay), x.adds...))
		grew := false
		check := func(name string, want Entry) {
			sym, ok := x.k.Symbol(name)
			if !ok {
				return
			}
			if e, ok := s.entry(name); judge(want, e, ok) == OK || want.Kind == NotSet {
				return
			}
			for _, t := range x.enablers(s, sym, want, 0) {
				if !added[t] {
					added[t] = true
					x.adds = append(x.adds, Entry{Symbol: t, Kind: Tristate, Value: "y"})
					grew = true
				}
			}
		}
		for _, w := range x.d.Set.wanted {
			check(w.Symbol, w.Entry)
		}
		for _, a := range slices.Clone(x.adds) {
			check(a.Symbol, a)
		}
		if !grew {
			return
		}
	}
}

// enablers returns settable options that, set to y, let sym be want:
// the blockers of its prompt, looking through options without a prompt
// to the ones they depend on.
func (x *explainer) enablers(s *sim, sym *Symbol, want Entry, depth int) []string {
	if depth > 8 {
		return nil
	}
	req, ok := requirement(sym)
	var out []string
	for _, t := range s.blockers(req, x.need(sym, want), sym, x.allSettable) {
		if !ok {
			break
		}
		switch {
		case t.neg || t.expr != nil:
		case x.settable(t.sym):
			out = append(out, t.sym)
		case x.promptless(t.sym):
			ts, _ := x.k.Symbol(t.sym)
			out = append(out, x.enablers(s, ts, Entry{Symbol: t.sym, Kind: Tristate, Value: "y"}, depth+1)...)
		}
	}
	// A symbol without a prompt that only select sets: follow the
	// selectors that have no prompt either (capabilities such as
	// X86_SUPPORTS_MEMORY_FAILURE); a feature with a prompt is the
	// user's choice, not a dependency.
	if len(out) == 0 && !sym.HasPrompt() && sym.revDep != nil {
		for _, sel := range sym.selectedBy {
			if ss, ok := x.k.Symbol(sel); ok && !ss.HasPrompt() && ss.choice == nil && s.value(ss).tri == triN {
				if out = x.enablers(s, ss, Entry{Symbol: sel, Kind: Tristate, Value: "y"}, depth+1); len(out) > 0 {
					break
				}
			}
		}
	}
	return out
}

// group puts the options the fix closes under their root causes: the
// option, found by following the unmet dependencies in the config under
// test, that the fix turns on.
func (x *explainer) group(notOK []Item, fixable map[string]bool) []Cause {
	roots := map[string][]Item{}
	var order []string
	note := func(r string) {
		if _, ok := roots[r]; !ok {
			roots[r] = nil
			order = append(order, r)
		}
	}
	var plain []Item
	for _, it := range notOK {
		if !fixable[it.Symbol] {
			continue
		}
		r := ""
		if sym, ok := x.k.Symbol(it.Symbol); ok {
			r = x.rootOf(sym, x.need(sym, it.Entry), 0, map[string]bool{})
		}
		if r == "" {
			plain = append(plain, it)
			continue
		}
		note(r)
		roots[r] = append(roots[r], it)
	}
	// Every added parent goes under the root it leads to.
	adds := map[string][]Entry{}
	for _, a := range x.adds {
		r := ""
		if sym, ok := x.k.Symbol(a.Symbol); ok {
			r = x.rootOf(sym, triM, 0, map[string]bool{})
		}
		if r == "" {
			r = a.Symbol
		}
		note(r)
		if r == a.Symbol {
			adds[r] = append([]Entry{a}, adds[r]...)
		} else {
			adds[r] = append(adds[r], a)
		}
	}
	var parents []Cause
	used := map[string]bool{}
	for _, r := range order {
		c := Cause{Kind: CauseParent, Root: r, Adds: adds[r]}
		if w, ok := x.wanted[r]; ok {
			it := x.itemOf(w)
			c.Text = describeHave(it)
			if it.State != OK && fixable[r] {
				c.Items = append(c.Items, it)
				used[r] = true
			}
		} else {
			c.Text = x.describeBase(r) + " (the selftests config assumes it; the fix adds it)"
		}
		c.Items = append(c.Items, roots[r]...)
		if len(c.Items) == 0 && len(c.Adds) == 0 {
			continue
		}
		parents = append(parents, c)
	}
	var rest []Item
	for _, it := range plain {
		if !used[it.Symbol] {
			rest = append(rest, it)
		}
	}
	cs := plainCauses(rest)
	for i := range cs {
		if cs[i].Kind == CauseAbsent {
			cs[i].Text = "absent, though nothing in this tree's Kconfig hides them (is the config from another kernel version?)"
		}
	}
	return append(sortParents(parents), cs...)
}

func (x *explainer) itemOf(w Want) Item {
	for _, it := range x.d.Items {
		if it.Symbol == w.Symbol {
			return it
		}
	}
	return Item{Want: w, State: Absent}
}

// describeBase states an option's value in the config under test.
func (x *explainer) describeBase(name string) string {
	e, ok := x.base.Lookup(name)
	return describeHave(Item{Want: Want{Entry: Entry{Symbol: name}}, Have: e, Found: ok})
}

// rootOf follows why sym is below need in the config under test: the
// unmet dependencies that the fix turns on, down to an option the user
// can set there. It returns "" when sym itself can be set as it is.
func (x *explainer) rootOf(sym *Symbol, need tri, depth int, seen map[string]bool) string {
	if depth > 12 || seen[sym.Name] {
		return ""
	}
	seen[sym.Name] = true
	req, _ := requirement(sym)
	if x.bsim.eval(req, sym) >= need && sym.HasPrompt() {
		return ""
	}
	try := func(ts []term) string {
		for _, t := range ts {
			if t.neg || t.expr != nil || x.fsim.operandTri(operand{name: t.sym}) == triN {
				continue
			}
			ts, ok := x.k.Symbol(t.sym)
			if !ok {
				continue
			}
			if r := x.rootOf(ts, need, depth+1, seen); r != "" {
				return r
			}
			if ts.HasPrompt() {
				return t.sym
			}
		}
		return ""
	}
	// Of alternatives (A || B), follow the one the fix turns on.
	onAfter := func(ts []term) bool {
		for _, t := range ts {
			if t.neg || t.expr != nil || x.fsim.operandTri(operand{name: t.sym}) == triN {
				return false
			}
		}
		return len(ts) > 0
	}
	if r := try(x.bsim.blockers(req, need, sym, onAfter)); r != "" {
		return r
	}
	if !sym.HasPrompt() && sym.revDep != nil {
		return try(x.bsim.blockers(sym.revDep, triM, sym, onAfter))
	}
	return ""
}

// refusals groups the options still wrong with the fix merged by the
// reason the kernel gives.
func (x *explainer) refusals(items []Item) []Cause {
	byText := map[string]*Cause{}
	var keys []string
	for _, it := range items {
		root, text := x.refusal(it)
		c, ok := byText[text]
		if !ok {
			c = &Cause{Kind: CauseRefused, Root: root, Text: text}
			byText[text] = c
			keys = append(keys, text)
		}
		c.Items = append(c.Items, it)
	}
	var out []Cause
	for _, k := range keys {
		out = append(out, *byText[k])
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i].Items) > len(out[j].Items) })
	return out
}

// refusal says why the kernel will not take a wanted option, and the
// option at the root of it ("" when there is none).
func (x *explainer) refusal(it Item) (string, string) {
	s := x.fsim
	sym, ok := x.k.Symbol(it.Symbol)
	if !ok {
		return "", "this kernel's Kconfig has no such options"
	}
	st := s.value(sym)
	if it.Kind == NotSet {
		if sym.revDep != nil && s.eval(sym.revDep, sym) != triN {
			return it.Symbol, fmt.Sprintf("%s%s is selected by %s", prefix, it.Symbol, x.onOf(sym.selectedBy))
		}
		if !sym.HasPrompt() {
			return it.Symbol, fmt.Sprintf("%s%s has no prompt; its default sets it", prefix, it.Symbol)
		}
		return it.Symbol, fmt.Sprintf("%s%s stays set", prefix, it.Symbol)
	}
	if sym.choice != nil {
		if st.vis != triN {
			for _, m := range sym.choice.members {
				if s.value(m).tri == triY {
					return m.Name, fmt.Sprintf("the choice %q takes %s%s", sym.choice.Prompt, prefix, m.Name)
				}
			}
		}
	}
	need := x.need(sym, it.Entry)
	req, hasReq := requirement(sym)
	if hasReq && s.eval(req, sym) < need {
		for _, t := range s.blockers(req, need, sym, nil) {
			root, text := x.blockerText(t, need, 0)
			if text != "" {
				return root, text
			}
		}
	}
	switch {
	case !sym.HasPrompt() && sym.choice == nil:
		if len(sym.selectedBy) > 0 {
			return it.Symbol, fmt.Sprintf("%s%s has no prompt: only %s select it", prefix, it.Symbol, listNames(sym.selectedBy, 4))
		}
		return it.Symbol, fmt.Sprintf("%s%s has no prompt: only its default sets it", prefix, it.Symbol)
	case it.Kind == Int || it.Kind == Hex:
		for _, r := range sym.ranges {
			if s.eval(r.cond, sym) != triN {
				return it.Symbol, fmt.Sprintf("%s%s=%s is outside its range here, %s to %s", prefix, it.Symbol, it.Value,
					s.operandString(r.lo), s.operandString(r.hi))
			}
		}
	}
	e, _ := s.entry(it.Symbol)
	return it.Symbol, fmt.Sprintf("%s%s ends up as %s", prefix, it.Symbol, wantText(e))
}

// onOf lists the symbols that are on in the final config.
func (x *explainer) onOf(names []string) string {
	var on []string
	for _, n := range names {
		if x.fsim.operandTri(operand{name: n}) != triN {
			on = append(on, n)
		}
	}
	if len(on) == 0 {
		on = names
	}
	return listNames(on, 4)
}

// blockerText describes an unmet term, following options that have no
// prompt (or whose own dependencies are unmet) down to the root.
func (x *explainer) blockerText(t term, need tri, depth int) (string, string) {
	s := x.fsim
	switch {
	case t.expr != nil && t.expr.op == opUnknown, t.expr != nil && t.expr.unk:
		return "", "a toolchain probe in Kconfig ($(cc-option,...) and the like) fails for this config"
	case t.expr != nil && t.expr.op == opSym:
		return "", fmt.Sprintf("they depend on %s", t.expr)
	case t.expr != nil && t.expr.op == opNot:
		return "", fmt.Sprintf("they depend on %s", t.expr)
	case t.expr != nil:
		a, b := t.expr.a, t.expr.b
		have := a.name + "=" + s.operandString(a)
		if _, c := constTri(a.name); c || a.quoted || x.k.symbols[a.name] == nil {
			have = b.name + "=" + s.operandString(b)
		}
		return "", fmt.Sprintf("they need %s (this config has %s%s)", t.expr, prefix, have)
	case t.neg:
		e, _ := s.entry(t.sym)
		return t.sym, fmt.Sprintf("%s rules them out (they depend on !%s)", e.String(), t.sym)
	}
	sym, ok := x.k.Symbol(t.sym)
	if !ok {
		return t.sym, fmt.Sprintf("they depend on %s%s, which this kernel does not have", prefix, t.sym)
	}
	if depth < 8 {
		if req, has := requirement(sym); has && s.eval(req, sym) < triM {
			for _, bt := range s.blockers(req, triM, sym, nil) {
				if root, text := x.blockerText(bt, triM, depth+1); text != "" {
					return root, text
				}
			}
		}
		if !sym.HasPrompt() && sym.revDep != nil {
			for _, sel := range sym.selectedBy {
				if ss, ok := x.k.Symbol(sel); ok && !ss.HasPrompt() && ss.choice == nil {
					if root, text := x.blockerText(term{sym: sel}, triM, depth+1); text != "" {
						return root, text
					}
				}
			}
		}
	}
	e, found := s.entry(t.sym)
	have := describeHave(Item{Want: Want{Entry: Entry{Symbol: t.sym}}, Have: e, Found: found})
	switch {
	case found && e.Value == "m" && need == triY:
		return t.sym, have + " and caps them at m"
	case x.wanted[t.sym].Kind == NotSet && x.wanted[t.sym].Symbol != "":
		return t.sym, have + ": the selftests config wants it off"
	case sym.choice != nil:
		return t.sym, have + fmt.Sprintf(": the choice %q takes another option", sym.choice.Prompt)
	case !sym.HasPrompt():
		if len(sym.selectedBy) > 0 {
			return t.sym, have + fmt.Sprintf(" and has no prompt (only %s select it)", listNames(sym.selectedBy, 3))
		}
		return t.sym, have + " and has no prompt (this architecture or toolchain decides it)"
	}
	return t.sym, have
}
