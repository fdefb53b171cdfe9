package kconfiglang

import (
	"fmt"
	"sort"

	"github.com/bpfdoctor/bpfdoctor/internal/kconfig"
)

// refusals groups the options still wrong with the fix merged by the
// reason the kernel gives.
func (x *explainer) refusals(items []kconfig.Item) []kconfig.Cause {
	byText := map[string]*kconfig.Cause{}
	var keys []string
	for _, it := range items {
		root, text := x.refusal(it)
		c, ok := byText[text]
		if !ok {
			c = &kconfig.Cause{Kind: kconfig.CauseRefused, Root: root, Text: text}
			byText[text] = c
			keys = append(keys, text)
		}
		c.Items = append(c.Items, it)
	}
	var out []kconfig.Cause
	for _, k := range keys {
		out = append(out, *byText[k])
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i].Items) > len(out[j].Items) })
	return out
}

// refusal says why the kernel will not take a wanted option, and the
// option at the root of it ("" when there is none).
func (x *explainer) refusal(it kconfig.Item) (string, string) {
	s := x.fsim
	sym, ok := x.k.Symbol(it.Symbol)
	if !ok {
		return "", "this kernel's Kconfig has no such options"
	}
	st := s.value(sym)
	if it.Kind == kconfig.NotSet {
		if sym.revDep != nil && s.eval(sym.revDep, sym) != triN {
			return it.Symbol, fmt.Sprintf("%s%s is selected by %s", kconfig.Prefix, it.Symbol, x.onOf(sym.selectedBy))
		}
		if !sym.HasPrompt() {
			return it.Symbol, fmt.Sprintf("%s%s has no prompt; its default sets it", kconfig.Prefix, it.Symbol)
		}
		return it.Symbol, fmt.Sprintf("%s%s stays set", kconfig.Prefix, it.Symbol)
	}
	if sym.choice != nil {
		if st.vis != triN {
			for _, m := range sym.choice.members {
				if s.value(m).tri == triY {
					return m.Name, fmt.Sprintf("the choice %q takes %s%s", sym.choice.Prompt, kconfig.Prefix, m.Name)
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
			return it.Symbol, fmt.Sprintf("%s%s has no prompt: only %s select it", kconfig.Prefix, it.Symbol, kconfig.ListNames(sym.selectedBy, 4))
		}
		return it.Symbol, fmt.Sprintf("%s%s has no prompt: only its default sets it", kconfig.Prefix, it.Symbol)
	case it.Kind == kconfig.Int || it.Kind == kconfig.Hex:
		for _, r := range sym.ranges {
			if s.eval(r.cond, sym) != triN {
				return it.Symbol, fmt.Sprintf("%s%s=%s is outside its range here, %s to %s", kconfig.Prefix, it.Symbol, it.Value,
					s.operandString(r.lo), s.operandString(r.hi))
			}
		}
	}
	e, _ := s.entry(it.Symbol)
	return it.Symbol, fmt.Sprintf("%s%s ends up as %s", kconfig.Prefix, it.Symbol, e.ValueText())
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
	return kconfig.ListNames(on, 4)
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
		return "", fmt.Sprintf("they need %s (this config has %s%s)", t.expr, kconfig.Prefix, have)
	case t.neg && t.cmp != nil:
		e, _ := s.entry(t.sym)
		return t.sym, fmt.Sprintf("%s rules them out (they depend on %s)", e.String(), t.cmp)
	case t.neg:
		e, _ := s.entry(t.sym)
		return t.sym, fmt.Sprintf("%s rules them out (they depend on !%s)", e.String(), t.sym)
	}
	sym, ok := x.k.Symbol(t.sym)
	if !ok {
		return t.sym, fmt.Sprintf("they depend on %s%s, which this kernel does not have", kconfig.Prefix, t.sym)
	}
	if depth < 8 {
		lvl := t.need(triM)
		if req, has := requirement(sym); has && s.eval(req, sym) < lvl {
			for _, bt := range s.blockers(req, lvl, sym, nil) {
				if root, text := x.blockerText(bt, lvl, depth+1); text != "" {
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
	have := kconfig.DescribeHave(kconfig.Item{Want: kconfig.Want{Entry: kconfig.Entry{Symbol: t.sym}}, Have: e, Found: found})
	if t.cmp != nil {
		have += fmt.Sprintf(" (they need %s)", t.cmp)
	}
	switch {
	case t.cmp == nil && found && e.Value == "m" && need == triY:
		return t.sym, have + " and caps them at m"
	case x.wanted[t.sym].Kind == kconfig.NotSet && x.wanted[t.sym].Symbol != "":
		return t.sym, have + ": the selftests config wants it off"
	case sym.choice != nil:
		return t.sym, have + fmt.Sprintf(": the choice %q takes another option", sym.choice.Prompt)
	case !sym.HasPrompt():
		if len(sym.selectedBy) > 0 {
			return t.sym, have + fmt.Sprintf(" and has no prompt (only %s select it)", kconfig.ListNames(sym.selectedBy, 3))
		}
		return t.sym, have + " and has no prompt (this architecture or toolchain decides it)"
	}
	return t.sym, have
}
