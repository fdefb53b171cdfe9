package kconfiglang

import "github.com/bpfdoctor/bpfdoctor/internal/kconfig"

// need is the least value of a dependency that lets sym be what the
// fragment wants: any value for a bool (m counts as y), the wanted
// value for a tristate.
func (x *explainer) need(sym *Symbol, want kconfig.Entry) tri {
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
	if w, ok := x.wanted[name]; ok && w.Kind == kconfig.NotSet {
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
