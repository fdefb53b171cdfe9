package kconfiglang

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// unknownMark replaces the expansion of a macro that would run a command;
// a token holding it is unknown.
const unknownMark = "\x00"

type tokenKind uint8

const (
	tWord tokenKind = iota
	tString
	tOp
	tUnknown
)

type token struct {
	kind    tokenKind
	text    string
	unknown bool // a string holding an unexpanded macro
}

func (t token) operand() operand { return operand{name: t.text, quoted: t.kind == tString} }

func isOperand(t token) bool { return t.kind == tWord || t.kind == tString }

// tokenize splits an expanded statement line into words, quoted strings
// and operators.
func tokenize(s string) ([]token, error) {
	var out []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '"' || c == '\'':
			var b strings.Builder
			j := i + 1
			for ; j < len(s) && s[j] != c; j++ {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				}
				b.WriteByte(s[j])
			}
			if j == len(s) {
				return nil, errors.New("unterminated string")
			}
			text := b.String()
			unknown := strings.Contains(text, unknownMark)
			out = append(out, token{kind: tString, text: text, unknown: unknown})
			i = j + 1
		case c == 0:
			out = append(out, token{kind: tUnknown, text: "$(...)"})
			i++
		case isWordByte(c):
			j := i
			for j < len(s) && (isWordByte(s[j]) || s[j] == 0) {
				j++
			}
			w := s[i:j]
			if strings.Contains(w, unknownMark) {
				out = append(out, token{kind: tUnknown, text: "$(...)"})
			} else {
				out = append(out, token{kind: tWord, text: w})
			}
			i = j
		default:
			op := ""
			for _, o := range []string{"||", "&&", "!=", "<=", ">=", ":=", "+=", "=", "<", ">", "!", "(", ")"} {
				if strings.HasPrefix(s[i:], o) {
					op = o
					break
				}
			}
			if op == "" {
				// The kernel's lexer warns and skips these too.
				i++
				continue
			}
			out = append(out, token{kind: tOp, text: op})
			i += len(op)
		}
	}
	return out, nil
}

var cmpOps = map[string]exprOp{"=": opEq, "!=": opNe, "<": opLt, "<=": opLe, ">": opGt, ">=": opGe}

// parseExpr parses an expression from the front of toks and returns the
// tokens after it (an "if" ends it). Precedence, loosest first: ||, &&,
// !, comparisons.
func parseExpr(toks []token) (*Expr, []token, error) {
	p := exprParser{toks: toks}
	e, err := p.or()
	if err != nil {
		return nil, nil, err
	}
	return e, p.toks[p.i:], nil
}

type exprParser struct {
	toks []token
	i    int
}

func (p *exprParser) peekOp(op string) bool {
	return p.i < len(p.toks) && p.toks[p.i].kind == tOp && p.toks[p.i].text == op
}

// or and and collect a chain's operands and join them with chain, so a
// hostile `depends on` of thousands of terms is no tree thousands deep.
func (p *exprParser) or() (*Expr, error) {
	return p.chain("||", opOr, p.and)
}

func (p *exprParser) and() (*Expr, error) {
	return p.chain("&&", opAnd, p.not)
}

func (p *exprParser) chain(sep string, op exprOp, operand func() (*Expr, error)) (*Expr, error) {
	e, err := operand()
	if err != nil {
		return nil, err
	}
	if !p.peekOp(sep) {
		return e, nil
	}
	terms := []*Expr{e}
	for p.peekOp(sep) {
		p.i++
		r, err := operand()
		if err != nil {
			return nil, err
		}
		terms = append(terms, r)
	}
	return chain(op, terms), nil
}

func (p *exprParser) not() (*Expr, error) {
	if p.peekOp("!") {
		p.i++
		e, err := p.not()
		if err != nil {
			return nil, err
		}
		return mk(opNot, e, nil), nil
	}
	return p.primary()
}

func (p *exprParser) primary() (*Expr, error) {
	if p.i >= len(p.toks) {
		return nil, errors.New("expression ends early")
	}
	if p.peekOp("(") {
		p.i++
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if !p.peekOp(")") {
			return nil, errors.New("missing )")
		}
		p.i++
		return e, nil
	}
	t := p.toks[p.i]
	if t.kind == tOp || t.kind == tWord && t.text == "if" {
		return nil, fmt.Errorf("unexpected %q", t.text)
	}
	p.i++
	unknown := t.kind == tUnknown || t.unknown
	e := &Expr{op: opSym, a: t.operand()}
	if p.i < len(p.toks) && p.toks[p.i].kind == tOp {
		if op, ok := cmpOps[p.toks[p.i].text]; ok {
			p.i++
			if p.i >= len(p.toks) || !(isOperand(p.toks[p.i]) || p.toks[p.i].kind == tUnknown) {
				return nil, fmt.Errorf("missing operand after %s", cmpText[op])
			}
			t2 := p.toks[p.i]
			p.i++
			unknown = unknown || t2.kind == tUnknown || t2.unknown
			e = &Expr{op: op, a: t.operand(), b: t2.operand()}
		}
	}
	if unknown {
		return &Expr{op: opUnknown, unk: true}, nil
	}
	return e, nil
}

// The macro language: variables set with := (expanded once), = (expanded
// on use, and so a function of $(1), $(2) ...) and +=; references
// $(NAME) and calls $(NAME,arg,...). The built-in shell is not run.

type macroVar struct {
	value     string
	recursive bool
}

type preproc struct {
	env  map[string]string
	vars map[string]macroVar
	file string
	line int
	// budget bounds the work of one statement's expansion: a variable
	// that refers to itself twice would otherwise take exponential time.
	budget int
	// limit bounds the length of one expansion: the statement's own text
	// and maxExpand more. over is set when the budget or it ran out.
	limit int
	over  bool
}

// maxExpand is the number of macro calls, and the length, one statement
// (or a variable's value) may expand to; Linux's largest use well under
// a hundred calls and a few hundred bytes.
const maxExpand = 1 << 14

// errExpand is returned when a statement or an assignment expands past
// maxExpand: `X := a` then `X += $(X)` forty times doubles X each line.
var errExpand = fmt.Errorf("macro expansion exceeds %d calls or bytes", maxExpand)

// expandLine expands one statement with a fresh budget.
func (pp *preproc) expandLine(s string) (string, error) {
	pp.budget, pp.over, pp.limit = maxExpand, false, len(s)+maxExpand
	out := pp.expand(s, nil, 0)
	if pp.over || len(out) > pp.limit {
		return "", errExpand
	}
	return out, nil
}

// assign sets a variable. Every value is bounded by maxExpand, the
// unexpanded text of = and += too, so no chain of assignments grows
// without limit.
func (pp *preproc) assign(name, op, value string) error {
	var v macroVar
	switch op {
	case ":=":
		x, err := pp.expandLine(value)
		if err != nil {
			return err
		}
		v = macroVar{value: x}
	case "=":
		v = macroVar{value: value, recursive: true}
	case "+=":
		old, ok := pp.vars[name]
		switch {
		case !ok:
			v = macroVar{value: value, recursive: true}
		case old.recursive:
			v = macroVar{value: old.value + " " + value, recursive: true}
		default:
			x, err := pp.expandLine(value)
			if err != nil {
				return err
			}
			if len(old.value)+1+len(x) > maxExpand {
				return fmt.Errorf("variable %s grows past %d bytes", name, maxExpand)
			}
			v = macroVar{value: old.value + " " + x}
		}
	}
	if len(v.value) > maxExpand {
		return fmt.Errorf("variable %s grows past %d bytes", name, maxExpand)
	}
	pp.vars[name] = v
	return nil
}

// expand replaces the macro references in s; args are the arguments of
// the function being expanded, for $(1), $(2) ...
func (pp *preproc) expand(s string, args []string, depth int) string {
	if !strings.Contains(s, "$(") {
		return s
	}
	if depth > 30 {
		return unknownMark
	}
	if pp.budget <= 0 {
		pp.over = true
		return unknownMark
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if b.Len() > pp.limit {
			pp.over = true
			return unknownMark
		}
		if s[i] != '$' || i+1 >= len(s) || s[i+1] != '(' {
			b.WriteByte(s[i])
			i++
			continue
		}
		end := matchParen(s, i+1)
		if end < 0 {
			b.WriteString(s[i:])
			break
		}
		b.WriteString(pp.call(s[i+2:end], args, depth))
		i = end + 1
	}
	return b.String()
}

// matchParen returns the index of the ) closing the ( at open, or -1.
func matchParen(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// splitArgs splits a call at the commas outside nested parentheses.
func splitArgs(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

func (pp *preproc) call(inner string, args []string, depth int) string {
	if pp.budget--; pp.budget <= 0 {
		pp.over = true
		return unknownMark
	}
	parts := splitArgs(inner)
	name := strings.TrimSpace(pp.expand(parts[0], args, depth+1))
	var callArgs []string
	for _, a := range parts[1:] {
		callArgs = append(callArgs, pp.expand(a, args, depth+1))
	}
	if n, err := strconv.Atoi(name); err == nil {
		if n >= 1 && n <= len(args) {
			return args[n-1]
		}
		return ""
	}
	switch name {
	case "shell":
		return unknownMark
	case "info", "warning-if", "error-if":
		return ""
	case "filename":
		return pp.file
	case "lineno":
		return strconv.Itoa(pp.line)
	}
	if v, ok := pp.vars[name]; ok {
		if v.recursive {
			return pp.expand(v.value, callArgs, depth+1)
		}
		return v.value
	}
	if v, ok := pp.env[name]; ok && len(callArgs) == 0 {
		return v
	}
	return unknownMark
}
