package kconfiglang

import (
	"fmt"
	"slices"
	"sort"

	"github.com/bpfdoctor/bpfdoctor/internal/kconfig"
)

// Explain groups a diff by root cause. base is the config the diff was
// made from. With k, the tree's Kconfig, each absent or capped option is
// traced to the option that hides it, the fix gains the parents the
// fragments assume, and the options the kernel will refuse are named
// with the reason; without it (nil), options are grouped under a parent
// only where the fragment itself shows one by name (kconfig.ExplainByName).
func Explain(d *kconfig.Diff, base *kconfig.Config, k *Kconfig) *kconfig.Explanation {
	if k == nil {
		return kconfig.ExplainByName(d)
	}
	x := &explainer{d: d, k: k, base: base, wanted: map[string]kconfig.Want{}}
	for _, w := range d.Set.Wanted() {
		x.wanted[w.Symbol] = w
	}
	return x.run()
}

// explainer traces a diff through a tree's Kconfig.
type explainer struct {
	d      *kconfig.Diff
	k      *Kconfig
	base   *kconfig.Config
	wanted map[string]kconfig.Want
	bsim   *sim // the config under test as the tree computes it
	fsim   *sim // with the fix merged
	adds   []kconfig.Entry
}

func (x *explainer) run() *kconfig.Explanation {
	notOK := x.d.NotOK()
	merged := slices.Clone(notOK)
	slices.SortStableFunc(merged, func(a, b kconfig.Item) int { return a.Order() - b.Order() })
	var lines []kconfig.Entry
	for _, it := range merged {
		lines = append(lines, it.Entry)
	}
	x.bsim = simulate(x.k, x.base, nil)
	x.findAdds(lines)
	lines = append(lines, x.adds...)
	var fl []kconfig.FixLine
	for _, e := range lines {
		fl = append(fl, kconfig.FixLine{Entry: e})
	}
	lines = fixEntries(x.finishLines(fl))

	// Group what the fix closes by root cause; the rest is refused. The
	// fix's own order decides choices (a later line wins), so the
	// prediction is redone with the lines in the order the fix writes
	// them until the two agree.
	var causes []kconfig.Cause
	keep := map[string]bool{}
	var keepItems []kconfig.Item
	for range 6 {
		x.fsim = simulate(x.k, x.base, lines)
		fixable := map[string]bool{}
		var refusedItems, kept []kconfig.Item
		grew := false
		for _, it := range x.d.Items {
			switch {
			case x.predicted(x.fsim, it.Want) == kconfig.OK:
				fixable[it.Symbol] = true
				if keep[it.Symbol] {
					kept = append(kept, it)
				}
			case it.State == kconfig.OK && !keep[it.Symbol]:
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
			causes = append(causes, kconfig.Cause{Kind: kconfig.CauseKeep, Items: kept,
				Text: "as wanted already, but the lines above would change them, so the fix states them too"})
		}
		causes = order(causes)
		next := fixEntries(x.finishLines(kconfig.FixLines(causes)))
		if grew {
			for _, it := range keepItems {
				if !slices.ContainsFunc(next, func(e kconfig.Entry) bool { return e.Symbol == it.Symbol }) {
					next = append(next, it.Entry)
				}
			}
		}
		if !grew && slices.Equal(next, lines) {
			break
		}
		lines = next
	}
	out := &kconfig.Explanation{Diff: x.d, Causes: causes, Tree: true, Refused: map[string]string{}}
	out.Fix = x.finishLines(kconfig.FixLines(causes))
	// What the kernel refuses is judged on exactly the lines written.
	x.fsim = simulate(x.k, x.base, fixEntries(out.Fix))
	reason := map[string]string{}
	for _, c := range causes {
		for _, it := range c.Items {
			if c.Kind == kconfig.CauseRefused {
				reason[it.Symbol] = c.Text
			}
		}
	}
	for _, it := range x.d.Items {
		if x.predicted(x.fsim, it.Want) != kconfig.OK {
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
func (x *explainer) finishLines(ls []kconfig.FixLine) []kconfig.FixLine {
	in := map[string]bool{}
	for _, l := range ls {
		in[l.Symbol] = true
	}
	var more []kconfig.FixLine
	for _, l := range ls {
		sym, ok := x.k.Symbol(l.Symbol)
		if !ok || sym.choice == nil || l.Value != "y" {
			continue
		}
		for _, m := range sym.choice.members {
			if w, ok := x.wanted[m.Name]; ok && !in[m.Name] && w.Value == "y" && w.Order() > x.wanted[l.Symbol].Order() {
				in[m.Name] = true
				more = append(more, kconfig.FixLine{Entry: w.Entry, Refused: l.Refused,
					Cause: fmt.Sprintf("the choice %q: %s last, as in the selftests' own merge", sym.choice.Prompt, w.File)})
			}
		}
	}
	return x.keepChoiceOrder(append(ls, more...))
}

// keepChoiceOrder gathers the lines of each choice's members where the
// first of them is, in the order the merged fragments have them: when
// the fragments set two members, the later one must still win.
func (x *explainer) keepChoiceOrder(ls []kconfig.FixLine) []kconfig.FixLine {
	members := map[*Choice][]kconfig.FixLine{}
	for _, l := range ls {
		if sym, ok := x.k.Symbol(l.Symbol); ok && sym.choice != nil {
			members[sym.choice] = append(members[sym.choice], l)
		}
	}
	orderOf := func(l kconfig.FixLine) int {
		if w, ok := x.wanted[l.Symbol]; ok {
			return w.Order()
		}
		return 1 << 30
	}
	out := make([]kconfig.FixLine, 0, len(ls))
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
		slices.SortStableFunc(group, func(a, b kconfig.FixLine) int { return orderOf(a) - orderOf(b) })
		out = append(out, group...)
		delete(members, sym.choice)
	}
	return out
}

func fixEntries(ls []kconfig.FixLine) []kconfig.Entry {
	out := make([]kconfig.Entry, len(ls))
	for i, l := range ls {
		out[i] = l.Entry
	}
	return out
}

// order puts the causes in report order: kinds as declared, parents by
// size.
func order(cs []kconfig.Cause) []kconfig.Cause {
	var parents, rest []kconfig.Cause
	for _, c := range cs {
		if c.Kind == kconfig.CauseParent {
			parents = append(parents, c)
		} else {
			rest = append(rest, c)
		}
	}
	sort.SliceStable(rest, func(i, j int) bool { return rest[i].Kind < rest[j].Kind })
	return append(kconfig.SortParents(parents), rest...)
}

// predicted judges a wanted option against a simulation.
func (x *explainer) predicted(s *sim, w kconfig.Want) kconfig.State {
	e, ok := s.entry(w.Symbol)
	return kconfig.StateOf(w.Entry, e, ok)
}

// findAdds finds the parents the fragments assume are on: options they
// do not set that hide options they do. It adds them a round at a time,
// recomputing, until nothing more helps.
func (x *explainer) findAdds(overlay []kconfig.Entry) {
	added := map[string]bool{}
	for _, e := range overlay {
		added[e.Symbol] = true
	}
	for round := 0; round < 12; round++ {
		s := simulate(x.k, x.base, append(slices.Clone(overlay), x.adds...))
		grew := false
		check := func(name string, want kconfig.Entry) {
			sym, ok := x.k.Symbol(name)
			if !ok {
				return
			}
			if e, ok := s.entry(name); kconfig.StateOf(want, e, ok) == kconfig.OK || want.Kind == kconfig.NotSet {
				return
			}
			for _, t := range x.enablers(s, sym, want, 0) {
				if !added[t] {
					added[t] = true
					x.adds = append(x.adds, kconfig.Entry{Symbol: t, Kind: kconfig.Tristate, Value: "y"})
					grew = true
				}
			}
		}
		for _, w := range x.d.Set.Wanted() {
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
func (x *explainer) enablers(s *sim, sym *Symbol, want kconfig.Entry, depth int) []string {
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
		case t.neg || t.expr != nil || t.exact: // a fix line sets y
		case x.settable(t.sym):
			out = append(out, t.sym)
		case x.promptless(t.sym):
			ts, _ := x.k.Symbol(t.sym)
			out = append(out, x.enablers(s, ts, kconfig.Entry{Symbol: t.sym, Kind: kconfig.Tristate, Value: "y"}, depth+1)...)
		}
	}
	// A symbol without a prompt that only select sets: follow the
	// selectors that have no prompt either (capabilities such as
	// X86_SUPPORTS_MEMORY_FAILURE); a feature with a prompt is the
	// user's choice, not a dependency.
	if len(out) == 0 && !sym.HasPrompt() && sym.revDep != nil {
		for _, sel := range sym.selectedBy {
			if ss, ok := x.k.Symbol(sel); ok && !ss.HasPrompt() && ss.choice == nil && s.value(ss).tri == triN {
				if out = x.enablers(s, ss, kconfig.Entry{Symbol: sel, Kind: kconfig.Tristate, Value: "y"}, depth+1); len(out) > 0 {
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
func (x *explainer) group(notOK []kconfig.Item, fixable map[string]bool) []kconfig.Cause {
	roots := map[string][]kconfig.Item{}
	var order []string
	note := func(r string) {
		if _, ok := roots[r]; !ok {
			roots[r] = nil
			order = append(order, r)
		}
	}
	var plain []kconfig.Item
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
	adds := map[string][]kconfig.Entry{}
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
			adds[r] = append([]kconfig.Entry{a}, adds[r]...)
		} else {
			adds[r] = append(adds[r], a)
		}
	}
	var parents []kconfig.Cause
	used := map[string]bool{}
	for _, r := range order {
		c := kconfig.Cause{Kind: kconfig.CauseParent, Root: r, Adds: adds[r]}
		if w, ok := x.wanted[r]; ok {
			it := x.itemOf(w)
			c.Text = kconfig.DescribeHave(it)
			if it.State != kconfig.OK && fixable[r] {
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
	var rest []kconfig.Item
	for _, it := range plain {
		if !used[it.Symbol] {
			rest = append(rest, it)
		}
	}
	cs := kconfig.PlainCauses(rest)
	for i := range cs {
		if cs[i].Kind == kconfig.CauseAbsent {
			cs[i].Text = "absent, though nothing in this tree's Kconfig hides them (is the config from another kernel version?)"
		}
	}
	return append(kconfig.SortParents(parents), cs...)
}

func (x *explainer) itemOf(w kconfig.Want) kconfig.Item {
	for _, it := range x.d.Items {
		if it.Symbol == w.Symbol {
			return it
		}
	}
	return kconfig.Item{Want: w, State: kconfig.Absent}
}

// describeBase states an option's value in the config under test.
func (x *explainer) describeBase(name string) string {
	e, ok := x.base.Lookup(name)
	return kconfig.DescribeHave(kconfig.Item{Want: kconfig.Want{Entry: kconfig.Entry{Symbol: name}}, Have: e, Found: ok})
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
			if t.neg || t.expr != nil || !t.metIn(x.fsim) {
				continue
			}
			ts, ok := x.k.Symbol(t.sym)
			if !ok {
				continue
			}
			if r := x.rootOf(ts, t.need(need), depth+1, seen); r != "" {
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
			if t.neg || t.expr != nil || !t.metIn(x.fsim) {
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
