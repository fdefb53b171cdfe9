package kconfiglang

import (
	"strings"
	"testing"
)

// simKconfig is a small tree with each rule of symbol.c the simulation
// follows.
const simKconfig = `
config MODULES
	bool "modules"
	modules
config NET
	bool "net"
config INET
	bool "inet"
	default y
	depends on NET
config HIDDEN_DEFAULT
	def_bool y
	depends on NET
config SEL
	bool
config SELECTOR
	bool "selector"
	select SEL
config TRI
	tristate "tri"
	depends on NET
config TRIMOD
	tristate "only a module"
	depends on m
config CAPPED
	tristate "capped"
	depends on TRI
config IMPLIED
	tristate "implied"
config IMPLIER
	bool "implier"
	imply IMPLIED
config NUM
	int "num"
	range 2 64
	default 8
config HEXV
	hex "hex"
	default 0x1000
config STR
	string "str"
	default "cubic" if INET
	default "reno"
config CMP
	def_bool y
	depends on NUM >= 16
config CMPSTR
	def_bool STR = "cubic"
config PROBE
	def_bool $(success,false)
config PROBED_DEP
	bool "needs a probe"
	depends on NET && $(cc-option,-mfoo)
choice
	prompt "Model"
	default B
config A
	bool "a"
config B
	bool "b"
config C
	bool "c"
	depends on NET
endchoice
`

func TestSimulate(t *testing.T) {
	k := readTree(t, map[string]string{"Kconfig": simKconfig})
	tests := []struct {
		name    string
		base    string
		overlay string
		want    string // SYM=value, or SYM=absent, space-separated
	}{
		{"defaults without a config", "", "",
			"NET=n INET=absent HIDDEN_DEFAULT=absent SEL=absent NUM=8 HEXV=0x1000 STR=reno CMP=absent B=y A=n C=absent"},
		{"a visible default, a hidden one", "CONFIG_NET=y", "",
			"INET=y HIDDEN_DEFAULT=y STR=cubic CMPSTR=y"},
		{"user n wins over default y", "CONFIG_NET=y\n# CONFIG_INET is not set", "", "INET=n STR=reno"},
		{"user value of a hidden symbol is ignored", "CONFIG_INET=y", "", "INET=absent"},
		{"select forces a promptless symbol", "CONFIG_SELECTOR=y", "", "SEL=y"},
		{"select wins over user n", "CONFIG_SELECTOR=y\n# CONFIG_SEL is not set", "", "SEL=y"},
		{"m needs modules", "CONFIG_MODULES=y\nCONFIG_NET=y\nCONFIG_TRI=m\nCONFIG_TRIMOD=m", "", "TRI=m TRIMOD=m"},
		{"without modules m is y and depends on m is n", "CONFIG_NET=y\nCONFIG_TRI=m\nCONFIG_TRIMOD=m", "", "TRI=y TRIMOD=absent"},
		{"a dependency at m caps at m", "CONFIG_MODULES=y\nCONFIG_NET=y\nCONFIG_TRI=m\nCONFIG_CAPPED=y", "", "CAPPED=m"},
		{"imply sets the default", "CONFIG_IMPLIER=y", "", "IMPLIED=y"},
		{"imply does not override the user", "CONFIG_IMPLIER=y\n# CONFIG_IMPLIED is not set", "", "IMPLIED=n"},
		{"range clamps", "CONFIG_NUM=100", "", "NUM=64 CMP=y"},
		{"numbers compare as numbers", "CONFIG_NUM=16", "", "CMP=y"},
		{"below", "CONFIG_NUM=9", "", "CMP=absent"},
		{"a macro default comes from the config", "CONFIG_PROBE=y", "", "PROBE=y"},
		{"a macro default absent from the config is n", "", "", "PROBE=absent"},
		{"a macro dependency the config had", "CONFIG_NET=y\nCONFIG_PROBED_DEP=y", "", "PROBED_DEP=y"},
		{"a macro dependency hidden only by NET counts as met", "", "CONFIG_NET=y\nCONFIG_PROBED_DEP=y", "PROBED_DEP=y"},
		{"a macro dependency that hid it with NET on", "CONFIG_NET=y", "CONFIG_PROBED_DEP=y", "PROBED_DEP=absent"},
		{"the overlay wins", "CONFIG_NET=y\n# CONFIG_INET is not set", "CONFIG_INET=y", "INET=y"},
		{"choice: the default", "", "", "A=n B=y"},
		{"choice: the user's pick", "CONFIG_A=y", "", "A=y B=n"},
		{"choice: the last y read wins", "CONFIG_A=y\nCONFIG_B=y", "", "A=n B=y"},
		{"choice: the overlay is read last", "CONFIG_B=y", "CONFIG_A=y", "A=y B=n"},
		{"choice: an invisible member loses", "", "CONFIG_C=y", "C=absent B=y"},
		{"choice: default refused by the user", "# CONFIG_B is not set", "", "A=y B=n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := mustParse(t, tt.base)
			over := mustParse(t, tt.overlay)
			s := simulate(k, base, over.Entries())
			for _, w := range strings.Fields(tt.want) {
				sym, val, _ := strings.Cut(w, "=")
				got := "absent"
				if e, ok := s.entry(sym); ok {
					got = e.Value
				}
				if got != val {
					t.Errorf("%s = %s, want %s", sym, got, val)
				}
			}
		})
	}
}

func TestCompare(t *testing.T) {
	tests := []struct {
		op     exprOp
		s1     string
		t1     SymType
		s2     string
		t2     SymType
		expect tri
	}{
		{opGe, "124", TypeInt, "116", TypeUnknown, triY},
		{opGe, "99", TypeInt, "116", TypeUnknown, triN},
		{opLt, "0x10", TypeHex, "0x9", TypeUnknown, triN},
		{opEq, "m", TypeTristate, "m", TypeTristate, triY},
		{opGt, "y", TypeTristate, "m", TypeTristate, triY},
		{opEq, "x86", TypeString, "x86", TypeUnknown, triY},
		{opNe, "cubic", TypeString, "reno", TypeUnknown, triY},
		{opLt, "abc", TypeString, "abd", TypeString, triY},
		{opEq, "010", TypeString, "10", TypeString, triN}, // strings compare as strings
	}
	for _, tt := range tests {
		if got := compare(tt.op, tt.s1, tt.t1, tt.s2, tt.t2); got != tt.expect {
			t.Errorf("%s %s %s = %s, want %s", tt.s1, cmpText[tt.op], tt.s2, got, tt.expect)
		}
	}
}
