package kconfig

import (
	"sort"
	"strings"
)

// ExplainByName groups a diff without a kernel tree: an absent option is put under a
// missing option of the set whose name is its prefix (MODULE_SIG under
// MODULES, NF_CONNTRACK_MARK under NF_CONNTRACK).
func ExplainByName(d *Diff) *Explanation {
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
		parents = append(parents, Cause{Kind: CauseParent, Root: root, Text: DescribeHave(r), Items: append([]Item{r}, items...), Guess: true})
	}
	var rest []Item
	for _, it := range plain {
		if !used[it.Symbol] {
			rest = append(rest, it)
		}
	}
	x.Causes = append(SortParents(parents), PlainCauses(rest)...)
	x.Fix = FixLines(x.Causes)
	return x
}

// SortParents orders CauseParent groups, largest first, then by root.
func SortParents(cs []Cause) []Cause {
	sort.SliceStable(cs, func(i, j int) bool {
		if len(cs[i].Items) != len(cs[j].Items) {
			return len(cs[i].Items) > len(cs[j].Items)
		}
		return cs[i].Root < cs[j].Root
	})
	return cs
}

// PlainCauses groups the options left over, those under no parent, by
// state.
func PlainCauses(items []Item) []Cause {
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
