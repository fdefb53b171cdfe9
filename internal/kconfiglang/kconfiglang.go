package kconfiglang

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/bpfdoctor/bpfdoctor/internal/host"
	"github.com/bpfdoctor/bpfdoctor/internal/kconfig"
)

// This file reads a kernel tree's Kconfig files: enough of the language
// (source, config, menuconfig, choice, menu, if, depends on, select,
// imply, default, visible if, the macro language) to know each symbol's
// type, prompts, defaults and dependencies, as scripts/kconfig does.
// Macros that run commands ($(shell,...), and so $(success,...),
// $(cc-option,...)) are not run: what they decide is read from the
// config under test instead.

// SymType is a Kconfig symbol's type.
type SymType uint8

// Symbol types.
const (
	TypeUnknown SymType = iota
	TypeBool
	TypeTristate
	TypeInt
	TypeHex
	TypeString
)

func (t SymType) String() string {
	return [...]string{"unknown", "bool", "tristate", "int", "hex", "string"}[t]
}

// Symbol is a config symbol as the Kconfig files define it, possibly in
// several places.
type Symbol struct {
	Name string
	Type SymType
	Pos  []string // file:line of each definition

	prompts  []prop // visible: cond && dependencies && menus' "visible if"
	defaults []prop // cond: the default's own && the definition's dependencies
	ranges   []rangeProp
	// dirDep is the OR of the dependencies of the definitions; noDeps
	// means one definition had none, so the symbol's dependency is y.
	dirDep  *Expr
	noDeps  bool
	revDep  *Expr // selects: OR of (selector && cond && deps); nil is n
	implied *Expr
	// selectedBy and impliedBy name the symbols that select or imply
	// this one, for explanations.
	selectedBy []string
	impliedBy  []string
	choice     *Choice
	defined    bool // a definition has been finalized
}

// deps is the symbol's direct dependency; nil is y.
func (s *Symbol) deps() *Expr {
	if s.noDeps {
		return nil
	}
	return s.dirDep
}

// HasPrompt reports whether any definition gives the symbol a prompt, so
// that a user (and a config fragment) can set it.
func (s *Symbol) HasPrompt() bool { return len(s.prompts) > 0 }

// Choice is a choice block: at most one of its members is y.
type Choice struct {
	Prompt string
	Pos    string

	prompts  []prop
	defaults []prop // value: a member symbol
	members  []*Symbol
}

type prop struct {
	text  string // prompt text
	value *Expr  // default value
	cond  *Expr  // finalized visibility
}

type rangeProp struct {
	lo, hi operand
	cond   *Expr
}

// Kconfig is a kernel tree's symbol table.
type Kconfig struct {
	symbols map[string]*Symbol
	choices []*Choice
	// Modules names the symbol marked "modules" (MODULES): tristates
	// collapse to bool while it is n.
	Modules string
	// Files is the number of Kconfig files read.
	Files int
	// Warnings lists what was skipped: unknown statements, sources that
	// could not be found or expanded.
	Warnings []string
}

// Symbol returns a defined symbol, with or without the CONFIG_ prefix.
func (k *Kconfig) Symbol(name string) (*Symbol, bool) {
	s, ok := k.symbols[strings.TrimPrefix(name, kconfig.Prefix)]
	if !ok || !s.defined {
		return nil, false
	}
	return s, true
}

// Len returns the number of defined symbols.
func (k *Kconfig) Len() int {
	n := 0
	for _, s := range k.symbols {
		if s.defined {
			n++
		}
	}
	return n
}

// KconfigError is a malformed statement in a Kconfig file.
type KconfigError struct {
	File string
	Line int
	Msg  string
}

func (e *KconfigError) Error() string { return e.File + ":" + strconv.Itoa(e.Line) + ": " + e.Msg }

// Bounds on a tree's sources: Linux has about 1,800 Kconfig files of
// 7 MiB in all, the largest (arch/x86/Kconfig of 6.12) 106 KiB. A
// Kconfig that is a symlink to a huge file must not fill the memory.
const (
	maxKconfigFiles = 20000
	maxKconfigFile  = 4 << 20
	maxKconfigTotal = 64 << 20
)

// ReadKconfig reads the Kconfig files of a kernel tree, starting at its
// top-level Kconfig. fsys is rooted at the tree; env supplies the
// variables the Makefile exports (SRCARCH, ARCH, KERNELVERSION ...), of
// which `source` statements need SRCARCH.
func ReadKconfig(fsys fs.FS, env map[string]string) (*Kconfig, error) {
	return ReadKconfigContext(context.Background(), fsys, env)
}

// ReadKconfigContext is ReadKconfig that stops when ctx is done: it looks
// before each file, and every few thousand lines of one.
func ReadKconfigContext(ctx context.Context, fsys fs.FS, env map[string]string) (*Kconfig, error) {
	r := &reader{
		ctx:  ctx,
		fsys: fsys,
		k:    &Kconfig{symbols: map[string]*Symbol{}},
		pp:   preproc{env: env, vars: map[string]macroVar{}},
		root: &node{kind: nRoot},
	}
	r.stack = []*node{r.root}
	if err := r.readFile("Kconfig", 0); err != nil {
		return nil, err
	}
	if len(r.stack) != 1 {
		top := r.stack[len(r.stack)-1]
		return nil, fmt.Errorf("read Kconfig: %s: %s block not closed", top.pos, top.kind)
	}
	r.k.Modules = r.modules
	if r.k.Modules == "" {
		if _, ok := r.k.symbols["MODULES"]; ok {
			r.k.Modules = "MODULES"
		}
	}
	r.finalize(r.root, nil, nil)
	for _, s := range r.k.symbols {
		sort.Strings(s.selectedBy)
		sort.Strings(s.impliedBy)
		// Thousands of selects of one symbol, or definitions of it, made
		// a chain thousands deep.
		s.revDep, s.implied, s.dirDep = rebalance(s.revDep, opOr), rebalance(s.implied, opOr), rebalance(s.dirDep, opOr)
	}
	return r.k, nil
}

type nodeKind uint8

const (
	nRoot nodeKind = iota
	nConfig
	nMenu
	nIf
	nChoice
	nComment
)

func (k nodeKind) String() string {
	return [...]string{"root", "config", "menu", "if", "choice", "comment"}[k]
}

// node is one entry of the menu tree, before dependencies are propagated.
type node struct {
	kind     nodeKind
	sym      *Symbol
	choice   *Choice
	pos      string
	dep      *Expr // own "depends on" lines; for if, its condition
	visible  *Expr // a menu's "visible if"
	prompts  []prop
	defaults []prop
	selects  []selectRaw
	implies  []selectRaw
	ranges   []rangeProp
	children []*node
}

type selectRaw struct {
	target string
	cond   *Expr
}

type reader struct {
	ctx     context.Context
	fsys    fs.FS
	k       *Kconfig
	pp      preproc
	root    *node
	stack   []*node // open blocks: root, menus, ifs, choices
	cur     *node   // the entry that attribute lines belong to
	modules string
	total   int // bytes of Kconfig read
}

func (r *reader) warnf(file string, line int, format string, args ...any) {
	if len(r.k.Warnings) < 100 {
		r.k.Warnings = append(r.k.Warnings, fmt.Sprintf("%s:%d: ", file, line)+fmt.Sprintf(format, args...))
	}
}

func (r *reader) readFile(name string, depth int) error {
	if depth > 50 {
		return fmt.Errorf("read Kconfig %s: sources nested more than 50 deep", name)
	}
	if err := r.ctx.Err(); err != nil {
		return fmt.Errorf("read Kconfig %s: %w", name, context.Cause(r.ctx))
	}
	if r.k.Files >= maxKconfigFiles {
		return fmt.Errorf("read Kconfig: more than %d files", maxKconfigFiles)
	}
	// Only regular files: a FIFO would block the read forever.
	data, err := host.ReadFS(r.fsys, name, maxKconfigFile)
	if err != nil {
		return fmt.Errorf("read Kconfig %s: %w", name, err)
	}
	if r.total += len(data); r.total > maxKconfigTotal {
		return fmt.Errorf("read Kconfig %s: the tree's Kconfig files hold more than %d MiB", name, maxKconfigTotal>>20)
	}
	r.k.Files++
	return r.parse(name, string(data), depth)
}

// parse reads one file's statements. Lines are joined at a trailing
// backslash; help text is skipped by its indentation, as the kernel's
// lexer does.
func (r *reader) parse(file, text string, depth int) error {
	lines := strings.Split(text, "\n")
	inHelp, helpIndent := false, -1
	for i := 0; i < len(lines); i++ {
		if i%4096 == 4095 && r.ctx.Err() != nil {
			return fmt.Errorf("read Kconfig %s: %w", file, context.Cause(r.ctx))
		}
		lineno := i + 1
		raw := strings.TrimRight(lines[i], "\r")
		if inHelp {
			if strings.TrimSpace(raw) == "" {
				continue
			}
			ind := indentOf(raw)
			if helpIndent < 0 && ind > 0 {
				helpIndent = ind
				continue
			}
			if ind > 0 && ind >= helpIndent {
				continue
			}
			inHelp = false
		}
		if strings.HasSuffix(raw, "\\") && i+1 < len(lines) {
			// One builder for the whole statement: joining with + copied
			// it once per line, quadratic in a hostile file.
			var b strings.Builder
			for strings.HasSuffix(raw, "\\") && i+1 < len(lines) {
				b.WriteString(raw[:len(raw)-1])
				b.WriteByte(' ')
				i++
				raw = strings.TrimRight(lines[i], "\r")
			}
			b.WriteString(raw)
			raw = b.String()
		}
		line := stripComment(raw)
		if strings.TrimSpace(line) == "" {
			continue
		}
		r.pp.file, r.pp.line = file, lineno
		if name, op, value, ok := assignment(line); ok {
			if err := r.pp.assign(name, op, value); err != nil {
				return &KconfigError{file, lineno, err.Error()}
			}
			continue
		}
		text, err := r.pp.expandLine(line)
		if err != nil {
			return &KconfigError{file, lineno, err.Error()}
		}
		toks, err := tokenize(text)
		if err != nil {
			return &KconfigError{file, lineno, err.Error()}
		}
		if len(toks) == 0 {
			continue // a bare $(info,...) or $(error-if,...)
		}
		help, err := r.statement(file, lineno, toks, depth)
		if err != nil {
			return err
		}
		if help {
			inHelp, helpIndent = true, -1
		}
	}
	return nil
}

// indentOf measures leading white space with tabs to the next multiple
// of 8, as the lexer does for help text.
func indentOf(s string) int {
	n := 0
	for _, c := range s {
		switch c {
		case ' ':
			n++
		case '\t':
			n = (n &^ 7) + 8
		default:
			return n
		}
	}
	return n
}

// stripComment cuts a # comment that is outside quotes and macros.
func stripComment(s string) string {
	var quote byte
	depth := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			switch c {
			case '\\':
				i++
			case quote:
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '$' && i+1 < len(s) && s[i+1] == '(':
			depth++
			i++
		case c == ')' && depth > 0:
			depth--
		case c == '#' && depth == 0:
			return s[:i]
		}
	}
	return s
}

// assignment recognises a macro variable line: NAME := value, NAME =
// value or NAME += value.
func assignment(line string) (name, op, value string, ok bool) {
	s := strings.TrimLeft(line, " \t")
	i := 0
	for i < len(s) && isWordByte(s[i]) {
		i++
	}
	if i == 0 {
		return "", "", "", false
	}
	name = s[:i]
	rest := strings.TrimLeft(s[i:], " \t")
	for _, o := range []string{":=", "+=", "="} {
		if strings.HasPrefix(rest, o) {
			return name, o, strings.TrimSpace(rest[len(o):]), true
		}
	}
	return "", "", "", false
}

func isWordByte(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// statement handles one tokenized line and reports whether help text
// follows.
func (r *reader) statement(file string, line int, toks []token, depth int) (bool, error) {
	pos := file + ":" + strconv.Itoa(line)
	bad := func(format string, args ...any) error {
		return &KconfigError{file, line, fmt.Sprintf(format, args...)}
	}
	kw := toks[0]
	if kw.kind != tWord {
		r.warnf(file, line, "ignored statement starting with %q", kw.text)
		return false, nil
	}
	args := toks[1:]
	parent := r.stack[len(r.stack)-1]
	add := func(n *node) { parent.children = append(parent.children, n) }

	switch kw.text {
	case "config", "menuconfig":
		if len(args) != 1 || args[0].kind != tWord {
			return false, bad("%s needs one symbol name", kw.text)
		}
		sym := r.symbol(args[0].text)
		sym.Pos = append(sym.Pos, pos)
		n := &node{kind: nConfig, sym: sym, pos: pos}
		if parent.kind == nChoice {
			n.sym.choice = parent.choice
			if !containsSym(parent.choice.members, sym) {
				parent.choice.members = append(parent.choice.members, sym)
			}
		} else if c := r.enclosingChoice(); c != nil {
			sym.choice = c
			if !containsSym(c.members, sym) {
				c.members = append(c.members, sym)
			}
		}
		add(n)
		r.cur = n
		return false, nil
	case "choice":
		c := &Choice{Pos: pos}
		r.k.choices = append(r.k.choices, c)
		n := &node{kind: nChoice, choice: c, pos: pos}
		add(n)
		r.stack = append(r.stack, n)
		r.cur = n
		return false, nil
	case "menu":
		n := &node{kind: nMenu, pos: pos}
		add(n)
		r.stack = append(r.stack, n)
		r.cur = n
		return false, nil
	case "if":
		e, rest, err := parseExpr(args)
		if err != nil || len(rest) != 0 {
			return false, bad("bad condition after if: %v", errOrRest(err, rest))
		}
		n := &node{kind: nIf, dep: e, pos: pos}
		add(n)
		r.stack = append(r.stack, n)
		r.cur = nil
		return false, nil
	case "endchoice", "endmenu", "endif":
		want := map[string]nodeKind{"endchoice": nChoice, "endmenu": nMenu, "endif": nIf}[kw.text]
		if len(r.stack) == 1 || r.stack[len(r.stack)-1].kind != want {
			return false, bad("%s without %s", kw.text, want)
		}
		r.stack = r.stack[:len(r.stack)-1]
		r.cur = nil
		return false, nil
	case "comment":
		n := &node{kind: nComment, pos: pos}
		add(n)
		r.cur = n
		return false, nil
	case "mainmenu":
		return false, nil
	case "source":
		if len(args) != 1 || args[0].kind != tString {
			return false, bad("source needs one quoted path")
		}
		return false, r.source(file, line, args[0], depth)
	}

	// Attributes of the current entry.
	n := r.cur
	if n == nil {
		r.warnf(file, line, "%s outside an entry, ignored", kw.text)
		return kw.text == "help", nil
	}
	switch kw.text {
	case "bool", "boolean", "tristate", "string", "int", "hex", "def_bool", "def_tristate":
		t := map[string]SymType{"bool": TypeBool, "boolean": TypeBool, "tristate": TypeTristate, "string": TypeString,
			"int": TypeInt, "hex": TypeHex, "def_bool": TypeBool, "def_tristate": TypeTristate}[kw.text]
		r.setType(n, t)
		if strings.HasPrefix(kw.text, "def_") {
			v, rest, err := parseExpr(args)
			if err != nil {
				return false, bad("bad %s value: %v", kw.text, err)
			}
			cond, err := optIf(rest)
			if err != nil {
				return false, bad("%v", err)
			}
			n.defaults = append(n.defaults, prop{value: v, cond: cond})
			return false, nil
		}
		if len(args) > 0 {
			return false, r.addPrompt(n, args, bad)
		}
	case "prompt":
		return false, r.addPrompt(n, args, bad)
	case "default":
		v, rest, err := parseExpr(args)
		if err != nil {
			return false, bad("bad default: %v", err)
		}
		cond, err := optIf(rest)
		if err != nil {
			return false, bad("%v", err)
		}
		n.defaults = append(n.defaults, prop{value: v, cond: cond})
	case "depends":
		if len(args) == 0 || args[0].text != "on" {
			return false, bad("want depends on")
		}
		e, rest, err := parseExpr(args[1:])
		if err != nil || len(rest) != 0 {
			return false, bad("bad depends on: %v", errOrRest(err, rest))
		}
		n.dep = exprAnd(n.dep, e)
	case "visible":
		if len(args) == 0 || args[0].text != "if" {
			return false, bad("want visible if")
		}
		e, rest, err := parseExpr(args[1:])
		if err != nil || len(rest) != 0 {
			return false, bad("bad visible if: %v", errOrRest(err, rest))
		}
		n.visible = exprAnd(n.visible, e)
	case "select", "imply":
		if len(args) == 0 || args[0].kind != tWord {
			return false, bad("%s needs a symbol", kw.text)
		}
		cond, err := optIf(args[1:])
		if err != nil {
			return false, bad("%v", err)
		}
		s := selectRaw{target: args[0].text, cond: cond}
		if kw.text == "select" {
			n.selects = append(n.selects, s)
		} else {
			n.implies = append(n.implies, s)
		}
	case "range":
		if len(args) < 2 || !isOperand(args[0]) || !isOperand(args[1]) {
			return false, bad("range needs two values")
		}
		cond, err := optIf(args[2:])
		if err != nil {
			return false, bad("%v", err)
		}
		n.ranges = append(n.ranges, rangeProp{lo: args[0].operand(), hi: args[1].operand(), cond: cond})
	case "help", "---help---":
		return true, nil
	case "modules":
		if n.sym != nil {
			r.modules = n.sym.Name
		}
	case "option":
		if len(args) > 0 && args[0].text == "modules" && n.sym != nil {
			r.modules = n.sym.Name
		}
	case "optional", "transitional":
	default:
		r.warnf(file, line, "unknown attribute %q ignored", kw.text)
	}
	return false, nil
}

func errOrRest(err error, rest []token) any {
	if err != nil {
		return err
	}
	return fmt.Sprintf("unexpected %q", rest[0].text)
}

func containsSym(list []*Symbol, s *Symbol) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// enclosingChoice is the choice a config inside an if block within a
// choice belongs to.
func (r *reader) enclosingChoice() *Choice {
	for i := len(r.stack) - 1; i > 0; i-- {
		switch r.stack[i].kind {
		case nChoice:
			return r.stack[i].choice
		case nMenu:
			return nil
		}
	}
	return nil
}

func (r *reader) symbol(name string) *Symbol {
	s, ok := r.k.symbols[name]
	if !ok {
		s = &Symbol{Name: name}
		r.k.symbols[name] = s
	}
	return s
}

func (r *reader) setType(n *node, t SymType) {
	if n.sym != nil && n.sym.Type == TypeUnknown {
		n.sym.Type = t
	}
}

func (r *reader) addPrompt(n *node, args []token, bad func(string, ...any) error) error {
	if len(args) == 0 || args[0].kind != tString {
		return bad("want a quoted prompt")
	}
	cond, err := optIf(args[1:])
	if err != nil {
		return bad("%v", err)
	}
	n.prompts = append(n.prompts, prop{text: args[0].text, cond: cond})
	if n.choice != nil && n.choice.Prompt == "" {
		n.choice.Prompt = args[0].text
	}
	return nil
}

// optIf parses an optional trailing "if EXPR".
func optIf(toks []token) (*Expr, error) {
	if len(toks) == 0 {
		return nil, nil
	}
	if toks[0].kind != tWord || toks[0].text != "if" {
		return nil, fmt.Errorf("unexpected %q", toks[0].text)
	}
	e, rest, err := parseExpr(toks[1:])
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("unexpected %q after condition", rest[0].text)
	}
	return e, nil
}

// source reads another file. The path is relative to the tree's root and
// may hold a glob; one that cannot be expanded or found is a warning, so
// a partial tree still gives what it has.
func (r *reader) source(file string, line int, arg token, depth int) error {
	if arg.unknown {
		r.warnf(file, line, "source %q: cannot expand a variable in it", strings.ReplaceAll(arg.text, unknownMark, "$(...)"))
		return nil
	}
	p := path.Clean(arg.text)
	if path.IsAbs(p) || p == ".." || strings.HasPrefix(p, "../") {
		r.warnf(file, line, "source %q: outside the tree", arg.text)
		return nil
	}
	names := []string{p}
	if strings.ContainsAny(p, "*?[") {
		m, err := fs.Glob(r.fsys, p)
		if err != nil {
			return &KconfigError{file, line, fmt.Sprintf("source %q: %v", arg.text, err)}
		}
		names = m
	}
	for _, name := range names {
		err := r.readFile(name, depth+1)
		if errors.Is(err, fs.ErrNotExist) {
			r.warnf(file, line, "source %q: no such file", name)
			continue
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// finalize propagates dependencies down the menu tree, as menu.c's
// menu_finalize does: each entry depends on its blocks' conditions, its
// prompts are also bound by the menus' "visible if", and select and imply
// become reverse dependencies of their targets.
func (r *reader) finalize(n *node, parentDep, parentVis *Expr) {
	mod := r.k.Modules
	basedep := exprAnd(parentDep, rewriteM(n.dep, mod))
	vis := exprAnd(parentVis, rewriteM(n.visible, mod))
	switch n.kind {
	case nConfig:
		s := n.sym
		s.defined = true
		if s.Type == TypeUnknown && s.choice != nil {
			s.Type = TypeBool
		}
		for _, p := range n.prompts {
			s.prompts = append(s.prompts, prop{text: p.text, cond: exprAnd(basedep, exprAnd(rewriteM(p.cond, mod), vis))})
		}
		for _, d := range n.defaults {
			s.defaults = append(s.defaults, prop{value: d.value, cond: exprAnd(basedep, rewriteM(d.cond, mod))})
		}
		for _, rg := range n.ranges {
			s.ranges = append(s.ranges, rangeProp{lo: rg.lo, hi: rg.hi, cond: exprAnd(basedep, rewriteM(rg.cond, mod))})
		}
		if s.choice == nil {
			if basedep == nil {
				s.noDeps = true
			} else {
				s.dirDep = exprOrN(s.dirDep, basedep)
			}
		}
		for _, sel := range n.selects {
			t := r.symbol(sel.target)
			t.revDep = exprOrN(t.revDep, exprAnd(symExpr(s.Name), exprAnd(basedep, rewriteM(sel.cond, mod))))
			t.selectedBy = appendOnce(t.selectedBy, s.Name)
		}
		for _, imp := range n.implies {
			t := r.symbol(imp.target)
			t.implied = exprOrN(t.implied, exprAnd(symExpr(s.Name), exprAnd(basedep, rewriteM(imp.cond, mod))))
			t.impliedBy = appendOnce(t.impliedBy, s.Name)
		}
	case nChoice:
		c := n.choice
		for _, p := range n.prompts {
			c.prompts = append(c.prompts, prop{text: p.text, cond: exprAnd(basedep, exprAnd(rewriteM(p.cond, mod), vis))})
		}
		for _, d := range n.defaults {
			c.defaults = append(c.defaults, prop{value: d.value, cond: exprAnd(basedep, rewriteM(d.cond, mod))})
		}
	}
	for _, c := range n.children {
		r.finalize(c, basedep, vis)
	}
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
