package kconfiglang

import (
	"fmt"
	"strings"

	"github.com/bpfdoctor/bpfdoctor/internal/clip"
)

// tri is a Kconfig tristate value: n < m < y.
type tri uint8

const (
	triN tri = iota
	triM
	triY
)

func (t tri) String() string { return [...]string{"n", "m", "y"}[t] }

func triAnd(a, b tri) tri { return min(a, b) }
func triOr(a, b tri) tri  { return max(a, b) }
func triNot(a tri) tri    { return triY - a }

// operand is a symbol reference in an expression: a word (a symbol, or
// a constant such as 116 when no symbol has that name) or a quoted
// constant.
type operand struct {
	name   string
	quoted bool
}

func (o operand) String() string {
	if o.quoted {
		return `"` + o.name + `"`
	}
	return o.name
}

type exprOp uint8

const (
	opSym exprOp = iota
	opNot
	opAnd
	opOr
	opEq
	opNe
	opLt
	opLe
	opGt
	opGe
	// opUnknown stands for text bpfdoctor cannot evaluate: a macro that
	// runs a command, such as $(success,$(CC) ...).
	opUnknown
)

var cmpText = map[exprOp]string{opEq: "=", opNe: "!=", opLt: "<", opLe: "<=", opGt: ">", opGe: ">="}

// Expr is a Kconfig expression. A nil *Expr is "y": no condition.
type Expr struct {
	op   exprOp
	a, b operand // opSym uses a; comparisons use both
	l, r *Expr
	unk  bool // holds an opUnknown
}

// mk builds an operator node over sub-expressions.
func mk(op exprOp, l, r *Expr) *Expr {
	return &Expr{op: op, l: l, r: r, unk: l != nil && l.unk || r != nil && r.unk}
}

func symExpr(name string) *Expr { return &Expr{op: opSym, a: operand{name: name}} }

// exprAnd is l && r, where nil is y.
func exprAnd(l, r *Expr) *Expr {
	switch {
	case l == nil:
		return r
	case r == nil:
		return l
	}
	return mk(opAnd, l, r)
}

// exprOr is l || r for expressions where nil means n (reverse
// dependencies).
func exprOrN(l, r *Expr) *Expr {
	switch {
	case l == nil:
		return r
	case r == nil:
		return l
	}
	return mk(opOr, l, r)
}

// chainFlat is the longest chain kept as written, a left-deep tree:
// real expressions have at most a few dozen terms, and for them the
// shape (which the blockers' choice between the sides of || follows)
// stays as it always was.
const chainFlat = 32

// chain joins terms with op (|| or &&, both associative). Past chainFlat
// terms the tree is balanced, so walking it is never thousands deep and
// what walks it once per node (blockers evaluates each subtree) costs
// n log n, not n².
func chain(op exprOp, terms []*Expr) *Expr {
	if len(terms) <= chainFlat {
		e := terms[0]
		for _, t := range terms[1:] {
			e = mk(op, e, t)
		}
		return e
	}
	mid := len(terms) / 2
	return mk(op, chain(op, terms[:mid]), chain(op, terms[mid:]))
}

// rebalance rebuilds a long chain of op, such as the reverse dependency
// of a symbol that thousands of others select, as chain would have.
func rebalance(e *Expr, op exprOp) *Expr {
	if e == nil || e.op != op {
		return e
	}
	var terms []*Expr
	stack := []*Expr{e}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if x.op == op {
			stack = append(stack, x.r, x.l) // l is taken first
			continue
		}
		terms = append(terms, x)
	}
	if len(terms) <= chainFlat {
		return e
	}
	return chain(op, terms)
}

// rewriteM turns the constant m in a dependency into m && MODULES, as
// the kernel's menu.c does, so that "depends on m" is n without modules.
func rewriteM(e *Expr, modules string) *Expr {
	if e == nil {
		return nil
	}
	switch e.op {
	case opNot:
		return mk(opNot, rewriteM(e.l, modules), nil)
	case opAnd, opOr:
		return mk(e.op, rewriteM(e.l, modules), rewriteM(e.r, modules))
	case opSym:
		if e.a.name == "m" && !e.a.quoted && modules != "" {
			return mk(opAnd, e, symExpr(modules))
		}
	}
	return e
}

// maxExprText is where String cuts an expression: it goes into
// messages, and a hostile one has thousands of terms.
const maxExprText = 400

// String prints the expression as Kconfig would, with CONFIG_-less
// names and only the parentheses precedence needs, cut at maxExprText
// bytes with "...".
func (e *Expr) String() string {
	var b strings.Builder
	e.print(&b, opOr)
	if b.Len() > maxExprText {
		return clip.String(b.String(), maxExprText)
	}
	return b.String()
}

// prec orders operators from loosest to tightest binding.
func prec(op exprOp) int {
	switch op {
	case opOr:
		return 0
	case opAnd:
		return 1
	case opNot:
		return 2
	case opSym, opUnknown:
		return 4
	}
	return 3 // comparisons
}

func (e *Expr) print(b *strings.Builder, outer exprOp) {
	if b.Len() > maxExprText {
		return // String cuts it there anyway
	}
	if e == nil {
		b.WriteString("y")
		return
	}
	paren := prec(e.op) < prec(outer)
	if paren {
		b.WriteByte('(')
	}
	switch e.op {
	case opSym:
		b.WriteString(e.a.String())
	case opUnknown:
		b.WriteString("$(...)")
	case opNot:
		b.WriteByte('!')
		e.l.print(b, opNot)
	case opAnd, opOr:
		e.l.print(b, e.op)
		if e.op == opAnd {
			b.WriteString(" && ")
		} else {
			b.WriteString(" || ")
		}
		e.r.print(b, e.op)
	default:
		fmt.Fprintf(b, "%s %s %s", e.a, cmpText[e.op], e.b)
	}
	if paren {
		b.WriteByte(')')
	}
}

// symbols calls f for each symbol name the expression reads.
func (e *Expr) symbols(f func(string)) {
	if e == nil {
		return
	}
	switch e.op {
	case opSym:
		if !e.a.quoted {
			f(e.a.name)
		}
	case opNot:
		e.l.symbols(f)
	case opAnd, opOr:
		e.l.symbols(f)
		e.r.symbols(f)
	case opEq, opNe, opLt, opLe, opGt, opGe:
		if !e.a.quoted {
			f(e.a.name)
		}
		if !e.b.quoted {
			f(e.b.name)
		}
	}
}
