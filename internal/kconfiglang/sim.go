package kconfiglang

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/bpfdoctor/bpfdoctor/internal/kconfig"
)

// This file computes what the kernel's own tooling (make olddefconfig,
// or merge_config.sh's alldefconfig) makes of a config: the rules of
// scripts/kconfig/symbol.c (sym_calc_value, sym_calc_visibility,
// sym_calc_choice) applied to user values read from the config and the
// lines merged on top of it.

// userVal is a value read from a config file, as conf_read keeps it.
type userVal struct {
	e    kconfig.Entry
	prio int // read order: a later choice member set to y wins
}

type symState struct {
	busy, done bool
	tri        tri
	str        string
	vis        tri
	// written: conf_write puts the symbol in the .config (SYMBOL_WRITE);
	// one that is not written is absent, not "not set".
	written bool
}

// sim is one evaluation of a tree's symbols against user values.
type sim struct {
	k       *Kconfig
	base    *kconfig.Config // answers for macros bpfdoctor does not run
	user    map[string]userVal
	state   map[*Symbol]*symState
	choices map[*Choice]bool
	modules tri
	overlay int  // lines merged on top of base
	baseSim *sim // base alone, for macros; see ref
}

// simulate merges overlay onto base, as merge_config.sh does (the
// overlay's lines are read last), and computes every symbol's value.
func simulate(k *Kconfig, base *kconfig.Config, overlay []kconfig.Entry) *sim {
	s := &sim{k: k, base: base, user: make(map[string]userVal, base.Len()+len(overlay)),
		state: make(map[*Symbol]*symState, len(k.symbols)), choices: map[*Choice]bool{}}
	n := 0
	for _, e := range base.Entries() {
		s.user[e.Symbol] = userVal{e, n}
		n++
	}
	for _, e := range overlay {
		s.user[e.Symbol] = userVal{e, n}
		n++
	}
	s.overlay = len(overlay)
	s.modules = triY
	if m, ok := k.symbols[k.Modules]; ok && k.Modules != "" {
		s.modules = s.value(m).tri
	}
	return s
}

// effType is the type the symbol has now: tristate counts as bool while
// modules are off (sym_get_type).
func (s *sim) effType(sym *Symbol) SymType {
	if sym.Type == TypeTristate && s.modules == triN {
		return TypeBool
	}
	return sym.Type
}

func (s *sim) st(sym *Symbol) *symState {
	st, ok := s.state[sym]
	if !ok {
		st = &symState{}
		s.state[sym] = st
	}
	return st
}

// visibility is the OR of the symbol's prompts' conditions.
func (s *sim) visibility(sym *Symbol) tri {
	v := triN
	for _, p := range sym.prompts {
		v = triOr(v, s.eval(p.cond, sym))
	}
	if v == triM && (sym.Type != TypeTristate || s.modules == triN) {
		v = triY
	}
	return v
}

// capBool turns m into y for symbols that are bool now.
func (s *sim) capBool(sym *Symbol, v tri) tri {
	if v == triM && s.effType(sym) == TypeBool {
		return triY
	}
	return v
}

// value computes a symbol as sym_calc_value does.
func (s *sim) value(sym *Symbol) *symState {
	st := s.st(sym)
	if st.done || st.busy {
		return st // a recursive call sees the value so far: n
	}
	st.busy = true
	defer func() { st.busy, st.done = false, true }()
	switch sym.Type {
	case TypeInt:
		st.str = "0"
	case TypeHex:
		st.str = "0x0"
	}
	st.vis = s.visibility(sym)
	st.written = st.vis != triN
	u, hasUser := s.user[sym.Name]
	switch sym.Type {
	case TypeBool, TypeTristate:
		if sym.choice != nil {
			s.calcChoice(sym.choice)
			return st
		}
		var v tri
		if ut, ok := userTri(sym, u, hasUser); st.vis != triN && ok {
			v = triAnd(ut, st.vis)
		} else {
			if d, ok := s.defaultProp(sym); ok {
				v = triAnd(s.evalDefault(d.value, sym), s.eval(d.cond, sym))
				st.written = st.written || v != triN
			}
			if sym.implied != nil {
				if imp := s.capBool(sym, s.eval(sym.implied, sym)); imp != triN {
					v = triAnd(triOr(v, imp), s.dirDep(sym))
					st.written = true
				}
			}
		}
		if sym.revDep != nil {
			rev := s.capBool(sym, s.eval(sym.revDep, sym))
			v = triOr(v, rev)
			st.written = st.written || rev != triN
		}
		st.tri = s.capBool(sym, v)
	case TypeInt, TypeHex, TypeString:
		if st.vis != triN && hasUser && validFor(sym.Type, u.e) {
			st.str = u.e.Value
		} else if d, ok := s.defaultProp(sym); ok {
			st.str = s.defaultString(sym, d.value)
			st.written = true
		}
		st.str = s.clamp(sym, st.str)
	}
	return st
}

// userTri is a bool or tristate symbol's value from the config, if it has
// one that conf_read accepts: m is no value for a bool.
func userTri(sym *Symbol, u userVal, ok bool) (tri, bool) {
	if !ok {
		return triN, false
	}
	switch u.e.Value {
	case "y":
		return triY, u.e.Kind == kconfig.Tristate
	case "m":
		return triM, u.e.Kind == kconfig.Tristate && sym.Type == TypeTristate
	case "n":
		return triN, u.e.Kind == kconfig.NotSet
	}
	return triN, false
}

func validFor(t SymType, e kconfig.Entry) bool {
	switch t {
	case TypeInt:
		return e.Kind == kconfig.Int
	case TypeHex:
		return e.Kind == kconfig.Hex || e.Kind == kconfig.Int // conf accepts hex digits without 0x
	case TypeString:
		return e.Kind == kconfig.String
	}
	return false
}

func (s *sim) dirDep(sym *Symbol) tri {
	return s.capBool(sym, s.eval(sym.deps(), sym))
}

// defaultProp is the first default whose condition holds.
func (s *sim) defaultProp(sym *Symbol) (prop, bool) {
	for _, d := range sym.defaults {
		if s.eval(d.cond, sym) != triN {
			return d, true
		}
	}
	return prop{}, false
}

// evalDefault evaluates a default value; a macro bpfdoctor does not run
// (def_bool $(success,...)) is answered by the config under test.
func (s *sim) evalDefault(e *Expr, owner *Symbol) tri {
	if e != nil && e.unk {
		if b, ok := s.base.Lookup(owner.Name); ok {
			return map[string]tri{"y": triY, "m": triM}[b.Value]
		}
		return triN
	}
	return s.eval(e, owner)
}

func (s *sim) defaultString(sym *Symbol, e *Expr) string {
	if e == nil || e.op != opSym || e.unk {
		if b, ok := s.base.Lookup(sym.Name); ok && b.Kind != kconfig.NotSet {
			return b.Value
		}
		return s.st(sym).str
	}
	return s.operandString(e.a)
}

// clamp applies the first active range to an int or hex value, as
// sym_validate_range does.
func (s *sim) clamp(sym *Symbol, v string) string {
	base := 10
	switch sym.Type {
	case TypeHex:
		base = 16
	case TypeInt:
	default:
		return v
	}
	for _, r := range sym.ranges {
		if s.eval(r.cond, sym) == triN {
			continue
		}
		parse := func(x string) int64 {
			n, _ := strconv.ParseInt(strings.TrimPrefix(strings.TrimPrefix(x, "0x"), "0X"), base, 64)
			return n
		}
		val, lo, hi := parse(v), s.operandString(r.lo), s.operandString(r.hi)
		switch {
		case val < parse(lo):
			return lo
		case val > parse(hi):
			return hi
		}
		return v
	}
	return v
}

// calcChoice picks the member of a choice that is y (sym_calc_choice in
// Linux 6.12): the visible member set to y that was read last, else the
// choice's default, else the first visible member without a value.
func (s *sim) calcChoice(c *Choice) {
	if s.choices[c] {
		return
	}
	s.choices[c] = true
	ms := make([]choiceMember, len(c.members))
	for i, m := range c.members {
		u, ok := s.user[m.Name]
		st := s.st(m)
		st.vis = s.visibility(m)
		ms[i] = choiceMember{m, st.vis, u, ok}
	}
	// Priority: members read from the config, the last read first, then
	// the others in the order they are defined.
	prio := slices.Clone(ms)
	slices.SortStableFunc(prio, func(a, b choiceMember) int {
		switch {
		case a.has && b.has:
			return cmp.Compare(b.user.prio, a.user.prio)
		case a.has:
			return -1
		case b.has:
			return 1
		}
		return 0
	})
	var res *Symbol
	for _, m := range prio {
		if m.vis != triN && m.has && m.user.e.Value == "y" {
			res = m.sym
			break
		}
	}
	if res == nil {
		res = s.choiceDefault(c, ms)
		if res != nil {
			if u, ok := s.user[res.Name]; ok && u.e.Value == "n" {
				res = nil
			}
		}
	}
	if res == nil {
		for _, m := range ms {
			if m.vis != triN && !m.has {
				res = m.sym
				break
			}
		}
	}
	if res == nil {
		for i := len(prio) - 1; i >= 0; i-- {
			if prio[i].vis != triN {
				res = prio[i].sym
				break
			}
		}
	}
	for _, m := range ms {
		st := s.st(m.sym)
		st.tri = triN
		if m.vis != triN && m.sym == res {
			st.tri = triY
		}
		st.written = m.vis != triN
		st.done = true
	}
}

type choiceMember struct {
	sym  *Symbol
	vis  tri
	user userVal
	has  bool
}

// choiceDefault is the first default of the choice whose condition holds
// and whose symbol is visible, else the first visible member.
func (s *sim) choiceDefault(c *Choice, ms []choiceMember) *Symbol {
	for _, d := range c.defaults {
		if s.eval(d.cond, nil) == triN || d.value == nil || d.value.op != opSym {
			continue
		}
		for _, m := range ms {
			if m.sym.Name == d.value.a.name && m.vis != triN {
				return m.sym
			}
		}
	}
	for _, m := range ms {
		if m.vis != triN {
			return m.sym
		}
	}
	return nil
}

// eval computes an expression. owner is the symbol whose property it
// is. A macro bpfdoctor does not run ($(cc-option,...)) is tried both
// ways; when the answer depends on it, the config under test decides.
// If it has the owner, the condition held there. If it lacks the owner
// and the rest of the condition was already unmet there, the macro was
// never the obstacle and counts as met (the toolchain probes of Kconfig
// mostly succeed); otherwise the macro is what hid the owner.
func (s *sim) eval(e *Expr, owner *Symbol) tri {
	if e == nil {
		return triY
	}
	if !e.unk {
		return s.evalU(e, triN)
	}
	a, b := s.evalU(e, triY), s.evalU(e, triN)
	if a == b || owner == nil {
		return min(a, b)
	}
	if _, ok := s.base.Lookup(owner.Name); ok {
		return max(a, b)
	}
	if s.ref().evalU(e, triY) == triN {
		return max(a, b)
	}
	return min(a, b)
}

// ref is the config under test as the tree computes it, without the
// overlay.
func (s *sim) ref() *sim {
	if s.overlay == 0 {
		return s
	}
	if s.baseSim == nil {
		s.baseSim = simulate(s.k, s.base, nil)
	}
	return s.baseSim
}

// evalU computes an expression with unknown standing for the macros.
func (s *sim) evalU(e *Expr, unknown tri) tri {
	if e == nil {
		return triY
	}
	switch e.op {
	case opSym:
		return s.operandTri(e.a)
	case opNot:
		return triNot(s.evalU(e.l, unknown))
	case opAnd:
		return triAnd(s.evalU(e.l, unknown), s.evalU(e.r, unknown))
	case opOr:
		return triOr(s.evalU(e.l, unknown), s.evalU(e.r, unknown))
	case opUnknown:
		return unknown
	}
	return compare(e.op, s.operandString(e.a), s.operandType(e.a), s.operandString(e.b), s.operandType(e.b))
}

func (s *sim) operandTri(o operand) tri {
	if t, ok := constTri(o.name); ok {
		return t
	}
	if o.quoted {
		return triN
	}
	sym, ok := s.k.symbols[o.name]
	if !ok || !sym.defined {
		return triN
	}
	switch sym.Type {
	case TypeBool, TypeTristate:
		return s.value(sym).tri
	}
	return triN
}

func (s *sim) operandString(o operand) string {
	if _, ok := constTri(o.name); ok || o.quoted {
		return o.name
	}
	sym, ok := s.k.symbols[o.name]
	if !ok || !sym.defined {
		return o.name
	}
	st := s.value(sym)
	switch sym.Type {
	case TypeBool, TypeTristate:
		return st.tri.String()
	}
	return st.str
}

func (s *sim) operandType(o operand) SymType {
	if _, ok := constTri(o.name); ok {
		return TypeTristate
	}
	if o.quoted {
		return TypeUnknown
	}
	if sym, ok := s.k.symbols[o.name]; ok && sym.defined {
		return sym.Type
	}
	return TypeUnknown
}

func constTri(name string) (tri, bool) {
	switch name {
	case "y":
		return triY, true
	case "m":
		return triM, true
	case "n":
		return triN, true
	}
	return triN, false
}

// compare is expr_calc_value's comparison: numbers compare as numbers
// (by the symbols' types), anything else as strings.
func compare(op exprOp, s1 string, t1 SymType, s2 string, t2 SymType) tri {
	var res int
	n1, k1 := parseNumber(s1, t1)
	n2, k2 := parseNumber(s2, t2)
	if (t1 == TypeString && t2 == TypeString) || !k1 || !k2 {
		res = strings.Compare(s1, s2)
	} else {
		res = cmp.Compare(n1, n2)
	}
	var ok bool
	switch op {
	case opEq:
		ok = res == 0
	case opNe:
		ok = res != 0
	case opLt:
		ok = res < 0
	case opLe:
		ok = res <= 0
	case opGt:
		ok = res > 0
	case opGe:
		ok = res >= 0
	}
	if ok {
		return triY
	}
	return triN
}

func parseNumber(s string, t SymType) (int64, bool) {
	switch t {
	case TypeBool, TypeTristate:
		switch s {
		case "n":
			return 0, true
		case "m":
			return 1, true
		case "y":
			return 2, true
		}
		return -1, true
	case TypeHex:
		n, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X"), 16, 64)
		return int64(n), err == nil
	case TypeInt:
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil
	}
	n, err := strconv.ParseInt(s, 0, 64)
	return n, err == nil
}

// entry is the symbol's computed value as the written config would have
// it; false when it would be absent.
func (s *sim) entry(name string) (kconfig.Entry, bool) {
	sym, ok := s.k.symbols[name]
	if !ok || !sym.defined {
		return kconfig.Entry{}, false
	}
	st := s.value(sym)
	if !st.written {
		return kconfig.Entry{}, false
	}
	switch sym.Type {
	case TypeBool, TypeTristate:
		if st.tri == triN {
			return kconfig.Entry{Symbol: name, Kind: kconfig.NotSet, Value: "n"}, true
		}
		return kconfig.Entry{Symbol: name, Kind: kconfig.Tristate, Value: st.tri.String()}, true
	case TypeInt:
		return kconfig.Entry{Symbol: name, Kind: kconfig.Int, Value: st.str}, true
	case TypeHex:
		return kconfig.Entry{Symbol: name, Kind: kconfig.Hex, Value: st.str}, true
	case TypeString:
		return kconfig.Entry{Symbol: name, Kind: kconfig.String, Value: st.str}, true
	}
	return kconfig.Entry{}, false
}
