package kconfiglang

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bpfdoctor/bpfdoctor/internal/kconfig"
)

// readTree reads Kconfig files given as path: text, starting at Kconfig.
func readTree(t *testing.T, files map[string]string) *Kconfig {
	t.Helper()
	k, err := readTreeErr(files)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func readTreeErr(files map[string]string) (*Kconfig, error) {
	fsys := fstest.MapFS{}
	for p, s := range files {
		fsys[p] = &fstest.MapFile{Data: []byte(s)}
	}
	return ReadKconfig(fsys, map[string]string{"SRCARCH": "x86", "ARCH": "x86"})
}

// symInfo prints what the reader made of a symbol, for table tests.
func symInfo(k *Kconfig, name string) string {
	s, ok := k.Symbol(name)
	if !ok {
		return "undefined"
	}
	var b strings.Builder
	b.WriteString(s.Type.String())
	b.WriteString(" deps=" + s.deps().String())
	for _, p := range s.prompts {
		b.WriteString(" prompt[" + p.text + "]=" + p.cond.String())
	}
	for _, d := range s.defaults {
		b.WriteString(" default[" + d.value.String() + "]=" + d.cond.String())
	}
	if s.revDep != nil {
		b.WriteString(" rev=" + s.revDep.String())
	}
	if s.implied != nil {
		b.WriteString(" implied=" + s.implied.String())
	}
	for _, r := range s.ranges {
		b.WriteString(" range=" + r.lo.String() + ".." + r.hi.String() + " if " + r.cond.String())
	}
	if s.choice != nil {
		b.WriteString(" choice=" + s.choice.Prompt)
	}
	return b.String()
}

func TestReadKconfigSyntax(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		sym   string
		want  string
	}{
		{"bool with prompt", map[string]string{"Kconfig": "config A\n\tbool \"Aye\"\n"},
			"A", "bool deps=y prompt[Aye]=y"},
		{"tristate, depends on twice", map[string]string{"Kconfig": "config A\n\ttristate \"a\"\n\tdepends on B\n\tdepends on C || D\n"},
			"A", "tristate deps=B && (C || D) prompt[a]=B && (C || D)"},
		{"prompt with if", map[string]string{"Kconfig": "config A\n\tbool \"a\" if X\n\tdepends on B\n"},
			"A", "bool deps=B prompt[a]=B && X"},
		{"separate prompt line", map[string]string{"Kconfig": "config A\n\tstring\n\tprompt \"name\" if EXPERT\n\tdefault \"x\"\n"},
			"A", "string deps=y prompt[name]=EXPERT default[\"x\"]=y"},
		{"def_bool with if", map[string]string{"Kconfig": "config A\n\tdef_bool B && C if D\n"},
			"A", "bool deps=y default[B && C]=D"},
		{"def_tristate", map[string]string{"Kconfig": "config A\n\tdef_tristate m\n"},
			"A", "tristate deps=y default[m]=y"},
		{"defaults in order, gated by deps", map[string]string{"Kconfig": "config A\n\tint\n\tdefault 8 if X\n\tdefault 4\n\tdepends on B\n"},
			"A", "int deps=B default[8]=B && X default[4]=B"},
		{"hex and range", map[string]string{"Kconfig": "config A\n\thex \"a\"\n\trange 0x10 0x100 if X\n\tdefault 0x20\n"},
			"A", "hex deps=y prompt[a]=y default[0x20]=y range=0x10..0x100 if X"},
		{"select and imply become reverse dependencies", map[string]string{"Kconfig": "config A\n\tbool \"a\"\n\tdepends on D\n\tselect B if C\n\timply E\nconfig B\n\tbool\nconfig E\n\ttristate \"e\"\n"},
			"B", "bool deps=y rev=A && D && C"},
		{"imply", map[string]string{"Kconfig": "config A\n\tbool \"a\"\n\timply E\nconfig E\n\ttristate \"e\"\n"},
			"E", "tristate deps=y prompt[e]=y implied=A"},
		{"if block", map[string]string{"Kconfig": "if NET\nconfig A\n\tbool \"a\"\n\tdepends on B\nendif\n"},
			"A", "bool deps=NET && B prompt[a]=NET && B"},
		{"nested if and menu", map[string]string{"Kconfig": "menu \"M\"\n\tdepends on X\nif Y\nconfig A\n\tbool \"a\"\nendif\nendmenu\n"},
			"A", "bool deps=X && Y prompt[a]=X && Y"},
		{"menu visible if binds prompts only", map[string]string{"Kconfig": "menu \"M\"\n\tvisible if EXPERT\nconfig A\n\tbool \"a\"\n\tdefault y\nendmenu\n"},
			"A", "bool deps=y prompt[a]=EXPERT default[y]=y"},
		{"menuconfig", map[string]string{"Kconfig": "menuconfig NETDEVICES\n\tdefault y if UML\n\tdepends on NET\n\tbool \"Network device support\"\n"},
			"NETDEVICES", "bool deps=NET prompt[Network device support]=NET default[y]=NET && UML"},
		{"choice members", map[string]string{"Kconfig": "choice\n\tprompt \"Model\"\n\tdepends on X\n\tdefault B\nconfig A\n\tbool \"a\"\nconfig B\n\tbool \"b\"\nendchoice\n"},
			"B", "bool deps=y prompt[b]=X choice=Model"},
		{"if inside a choice", map[string]string{"Kconfig": "choice\n\tprompt \"Model\"\nif Y\nconfig A\n\tbool \"a\"\nendif\nendchoice\n"},
			"A", "bool deps=y prompt[a]=Y choice=Model"},
		{"depends on m means modules", map[string]string{"Kconfig": "config MODULES\n\tbool \"modules\"\n\tmodules\nconfig T\n\ttristate \"t\"\n\tdepends on m && NET\n"},
			"T", "tristate deps=m && MODULES && NET prompt[t]=m && MODULES && NET"},
		{"option modules (older kernels)", map[string]string{"Kconfig": "config MOD\n\tbool \"m\"\n\toption modules\nconfig T\n\ttristate \"t\"\n\tdepends on m\n"},
			"T", "tristate deps=m && MOD prompt[t]=m && MOD"},
		{"two definitions: deps ORed", map[string]string{"Kconfig": "config A\n\tbool \"a\"\n\tdepends on X\nconfig A\n\tbool\n\tdepends on Y\n"},
			"A", "bool deps=X || Y prompt[a]=X"},
		{"a definition without deps makes it y", map[string]string{"Kconfig": "config A\n\tbool\n\tdepends on X\nconfig A\n\tdefault y\n"},
			"A", "bool deps=y default[y]=y"},
		{"help text skipped by indentation", map[string]string{"Kconfig": "config A\n\tbool \"a\"\n\thelp\n\t  config B is not a statement here\n\t  depends on NOTHING\n\n\t    still help\nconfig B\n\tbool \"b\"\n\tdepends on A\n"},
			"A", "bool deps=y prompt[a]=y"},
		{"help ends at lower indentation", map[string]string{"Kconfig": "config A\n\tbool \"a\"\n\thelp\n\t  text\n\tdepends on X\n"},
			"A", "bool deps=X prompt[a]=X"},
		{"---help---", map[string]string{"Kconfig": "config A\n\tbool \"a\"\n\t---help---\n\t  select Z\n"},
			"A", "bool deps=y prompt[a]=y"},
		{"help at end of file", map[string]string{"Kconfig": "config A\n\tbool \"a\"\n\thelp\n\t  text"},
			"A", "bool deps=y prompt[a]=y"},
		{"comments and continuation", map[string]string{"Kconfig": "# a comment\nconfig A # trailing\n\tbool \"a # not a comment\"\n\tdepends on X && \\\n\t\tY\n"},
			"A", "bool deps=X && Y prompt[a # not a comment]=X && Y"},
		{"escaped quote in prompt, single quotes", map[string]string{"Kconfig": "config A\n\tbool 'say \"hi\"'\n\tdefault \"a\\\"b\"\n"},
			"A", "bool deps=y prompt[say \"hi\"]=y default[\"a\"b\"]=y"},
		{"precedence: ! over && over ||", map[string]string{"Kconfig": "config A\n\tbool\n\tdepends on A1 || B1 && !C1\n"},
			"A", "bool deps=A1 || B1 && !C1"},
		{"parentheses and not", map[string]string{"Kconfig": "config A\n\tbool\n\tdepends on !(X || Y) && (Z || W)\n"},
			"A", "bool deps=!(X || Y) && (Z || W)"},
		{"comparisons", map[string]string{"Kconfig": "config A\n\tbool\n\tdepends on PAHOLE_VERSION >= 116 && ARCH = \"x86\" && B != C && D < 3 && E <= 4 && F > 5\n"},
			"A", "bool deps=PAHOLE_VERSION >= 116 && ARCH = \"x86\" && B != C && D < 3 && E <= 4 && F > 5"},
		{"! binds to the comparison", map[string]string{"Kconfig": "config A\n\tbool\n\tdepends on !X = y\n"},
			"A", "bool deps=!X = y"},
		{"source with a variable", map[string]string{"Kconfig": "source \"arch/$(SRCARCH)/Kconfig\"\n", "arch/x86/Kconfig": "config X86\n\tdef_bool y\n"},
			"X86", "bool deps=y default[y]=y"},
		{"source inside if inherits it", map[string]string{"Kconfig": "if NET\nsource \"net/Kconfig\"\nendif\n", "net/Kconfig": "config INET\n\tbool \"inet\"\n"},
			"INET", "bool deps=NET prompt[inet]=NET"},
		{"source with a glob", map[string]string{"Kconfig": "source \"drivers/*/Kconfig\"\n", "drivers/a/Kconfig": "config DA\n\tbool\n", "drivers/b/Kconfig": "config DB\n\tbool\n"},
			"DB", "bool deps=y"},
		{"simple and recursive macros, functions", map[string]string{"Kconfig": "name := A\nname += && B\nf = $(1)_$(2)\nconfig X\n\tbool \"$(f,x,y)\"\n\tdepends on $(name)\n"},
			"X", "bool deps=A && B prompt[x_y]=A && B"},
		{"shell is not run", map[string]string{"Kconfig": "$(info,hello)\n$(error-if,y,never)\ncc := $(shell,gcc --version)\nconfig CC_IS_GCC\n\tdef_bool $(success,test \"$(cc)\" = GCC)\n\tdepends on X\n"},
			"CC_IS_GCC", "bool deps=X default[$(...)]=X"},
		{"macro inside a dependency", map[string]string{"Kconfig": "config A\n\tbool \"a\"\n\tdepends on $(cc-option,-mfoo) && B\n"},
			"A", "bool deps=$(...) && B prompt[a]=$(...) && B"},
		{"undefined env variable is unknown", map[string]string{"Kconfig": "config A\n\tstring\n\tdefault \"$(CC_VERSION_TEXT)\"\n"},
			"A", "string deps=y default[$(...)]=y"},
		{"unknown attributes are skipped", map[string]string{"Kconfig": "config A\n\tbool \"a\"\n\ttransitional\n\toption env=\"X\"\n\tfrobnicate\n"},
			"A", "bool deps=y prompt[a]=y"},
		{"crlf line ends", map[string]string{"Kconfig": "config A\r\n\tbool \"a\"\r\n\tdepends on B\r\n"},
			"A", "bool deps=B prompt[a]=B"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := readTree(t, tt.files)
			if got := symInfo(k, tt.sym); got != tt.want {
				t.Errorf("%s:\n got %s\nwant %s", tt.sym, got, tt.want)
			}
		})
	}
}

func TestReadKconfigModulesAndFiles(t *testing.T) {
	k := readTree(t, map[string]string{
		"Kconfig":      "source \"init/Kconfig\"\nsource \"missing/Kconfig\"\nsource \"arch/$(NOPE)/Kconfig\"\n",
		"init/Kconfig": "menuconfig MODULES\n\tbool \"Enable loadable module support\"\n\tmodules\n",
	})
	if k.Modules != "MODULES" {
		t.Errorf("Modules = %q", k.Modules)
	}
	if k.Files != 2 || k.Len() != 1 {
		t.Errorf("Files = %d, Len = %d; want 2, 1", k.Files, k.Len())
	}
	joined := strings.Join(k.Warnings, "\n")
	for _, w := range []string{`Kconfig:2: source "missing/Kconfig": no such file`, `Kconfig:3: source "arch/$(...)/Kconfig": cannot expand`} {
		if !strings.Contains(joined, w) {
			t.Errorf("warnings %q lack %q", joined, w)
		}
	}
	if _, ok := k.Symbol("CONFIG_MODULES"); !ok {
		t.Error("Symbol(CONFIG_MODULES) not found")
	}
}

func TestReadKconfigErrors(t *testing.T) {
	tests := []struct {
		name string
		text string
		msg  string
	}{
		{"endmenu without menu", "endmenu\n", "Kconfig:1: endmenu without menu"},
		{"endif closes a menu", "menu \"m\"\nendif\n", "endif without if"},
		{"open block", "if X\nconfig A\n\tbool\n", "if block not closed"},
		{"bad depends", "config A\n\tdepends X\n", "want depends on"},
		{"empty condition", "config A\n\tdepends on\n", "bad depends on"},
		{"unbalanced parenthesis", "config A\n\tdepends on (X\n", "missing )"},
		{"dangling operator", "config A\n\tdepends on X &&\n", "expression ends early"},
		{"unterminated string", "config A\n\tbool \"a\n", "unterminated string"},
		{"config without a name", "config\n", "config needs one symbol name"},
		{"source without quotes", "source init/Kconfig\n", "source needs one quoted path"},
		{"garbage after a condition", "config A\n\tdefault y if X Y\n", `unexpected "Y" after condition`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readTreeErr(map[string]string{"Kconfig": tt.text})
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("err = %v, want %q", err, tt.msg)
			}
		})
	}
}

func TestReadKconfigSourceLoop(t *testing.T) {
	_, err := readTreeErr(map[string]string{"Kconfig": "source \"Kconfig\"\n"})
	if err == nil || !strings.Contains(err.Error(), "nested more than 50 deep") {
		t.Fatalf("err = %v", err)
	}
	_, err = readTreeErr(map[string]string{"init/Kconfig": ""})
	var pe interface{ Unwrap() error }
	if err == nil || !errors.As(err, &pe) {
		t.Fatalf("missing top Kconfig: err = %v", err)
	}
}

func FuzzReadKconfig(f *testing.F) {
	for _, s := range []string{
		"config A\n\tbool \"a\"\n\tdepends on B && !(C || D >= 3)\n\tselect E if F\nconfig E\n\tbool\n",
		"menu \"m\"\n\tvisible if X\nif Y\nchoice\n\tprompt \"c\"\n\tdefault B\nconfig B\n\tbool \"b\"\nendchoice\nendif\nendmenu\n",
		"f = $(1)$(2)\nx := $(f,a,b)\nconfig $(x)\n\tdef_bool $(shell,true)\n\thelp\n\t  text\n",
		"config A\n\tint \"a\"\n\trange 1 10\n\tdefault 3 if \\\n\t  B\n", "$(", "\"", "if\nendif\n", "config A\n\tdepends on m\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		k, err := ReadKconfig(fstest.MapFS{"Kconfig": &fstest.MapFile{Data: []byte(text)}}, nil)
		if err != nil {
			return
		}
		// Whatever was read can be evaluated without a panic.
		s := simulate(k, &kconfig.Config{}, nil)
		for name := range k.symbols {
			s.entry(name)
		}
	})
}
