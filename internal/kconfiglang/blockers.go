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
	// cmp is the comparison of sym with a tristate constant that the
	// term comes from (RC_CORE=y, FOO!=n), with at the value sym needs
	// for it to hold: the least one, or (neg) the most one. A plain
	// symbol term has no cmp.
	cmp   *Expr
	at    tri
	exact bool // only at itself holds (FOO=m): setting sym to y would not do
	// expr is a comparison, a constant or a macro: nothing a config line
	// changes directly.
	expr *Expr
}

// need is the value t.sym must reach, given the need of the expression
// it was found in.
func (t term) need(outer tri) tri {
	if t.cmp != nil {
		return t.at
	}
	return outer
}

// metIn reports whether the term holds in s: its symbol on, or its
// comparison true.
func (t term) metIn(s *sim) bool {
	if t.cmp != nil {
		return s.evalU(t.cmp, triN) == triY
	}
	return s.operandTri(operand{name: t.sym}) != triN
}

// tristateCmp reads a comparison of a bool or tristate symbol with a
// tristate constant (RC_CORE=y, y=RC_CORE, FOO!=n) as a term on the
// symbol: the value it must rise to, or (neg) fall to, for the comparison
// to hold. ok is false for any other comparison (numbers, strings).
func (s *sim) tristateCmp(e *Expr) (term, bool) {
	a, b := e.a, e.b
	_, aConst := constTri(a.name)
	c, bConst := constTri(b.name)
	symFirst := !aConst
	if aConst {
		a, b = b, a
		_, aConst = constTri(a.name)
		c, bConst = constTri(b.name)
	}
	if aConst || !bConst || a.quoted {
		return term{}, false
	}
	sym, ok := s.k.symbols[a.name]
	if !ok || !sym.defined || sym.Type != TypeBool && sym.Type != TypeTristate {
		return term{}, false
	}
	holds := func(v tri) bool {
		if symFirst {
			return compare(e.op, v.String(), TypeTristate, c.String(), TypeTristate) == triY
		}
		return compare(e.op, c.String(), TypeTristate, v.String(), TypeTristate) == triY
	}
	can := func(v tri) bool { return holds(v) && (v != triM || sym.Type == TypeTristate) }
	cur := s.value(sym).tri
	for v := cur + 1; v <= triY; v++ {
		if can(v) {
			return term{sym: a.name, cmp: e, at: v, exact: !holds(triY)}, true
		}
	}
	for v := int(cur) - 1; v >= int(triN); v-- {
		if can(tri(v)) {
			return term{sym: a.name, cmp: e, at: tri(v), neg: true}, true
		}
	}
	return term{}, false
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
	case opEq, opNe, opLt, opLe, opGt, opGe:
		// RC_CORE=y is a dependency on RC_CORE, at y: the explanation
		// follows it like a plain one (BPF_LIRC_MODE2 depends on it).
		if t, ok := s.tristateCmp(e); ok {
			return []term{t}
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
		if t.neg || t.expr != nil || t.exact || !x.settable(t.sym) && !x.promptless(t.sym) {
			return false
		}
	}
	return true
}

func (x *explainer) promptless(name string) bool {
	sym, ok := x.k.Symbol(name)
	return ok && !sym.HasPrompt() && sym.choice == nil
}
