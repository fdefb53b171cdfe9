package kconfig

import (
	"strings"
	"testing"
)

const sample = `CONFIG_BPF=y
CONFIG_PAHOLE_VERSION=124
CONFIG_NEG=-1
CONFIG_PHYSICAL_ALIGN=0x1000000
CONFIG_ILLEGAL_POINTER_VALUE=0xdead000000000000
CONFIG_BIG=99999999999999999999
CONFIG_LSM="a\"b\\c"
CONFIG_TEST_BPF=m
# CONFIG_MODULES is not set
CONFIG_CONFIG_ODD=m
`

func TestLookup(t *testing.T) {
	cfg := mustParse(t, sample)
	tests := []struct {
		symbol string
		ok     bool
		value  string
	}{
		{"BPF", true, "y"},
		{"CONFIG_BPF", true, "y"},
		{"MODULES", true, "n"},
		{"CONFIG_MODULES", true, "n"},
		{"BPF_SYSCALL", false, ""},
		{"bpf", false, ""}, // symbols are case-sensitive
		{"", false, ""},
		{"CONFIG_ODD", true, "m"},        // the symbol of CONFIG_CONFIG_ODD=m
		{"CONFIG_CONFIG_ODD", true, "m"}, // stripped once
	}
	for _, tt := range tests {
		e, ok := cfg.Lookup(tt.symbol)
		if ok != tt.ok || e.Value != tt.value {
			t.Errorf("Lookup(%q) = %q, %v; want %q, %v", tt.symbol, e.Value, ok, tt.value, tt.ok)
		}
	}
}

func TestInt(t *testing.T) {
	cfg := mustParse(t, sample)
	tests := []struct {
		symbol string
		want   int64
		ok     bool
	}{
		{"PAHOLE_VERSION", 124, true},
		{"CONFIG_PAHOLE_VERSION", 124, true},
		{"NEG", -1, true},
		{"PHYSICAL_ALIGN", 0x1000000, true},
		{"ILLEGAL_POINTER_VALUE", 0, false}, // does not fit in int64
		{"BIG", 0, false},
		{"BPF", 0, false},
		{"LSM", 0, false},
		{"MODULES", 0, false},
		{"MISSING", 0, false},
	}
	for _, tt := range tests {
		got, ok := cfg.Int(tt.symbol)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Int(%q) = %d, %v; want %d, %v", tt.symbol, got, ok, tt.want, tt.ok)
		}
	}
}

func TestEntryString(t *testing.T) {
	tests := []struct {
		e    Entry
		want string
	}{
		{Entry{Symbol: "BPF", Kind: Tristate, Value: "y"}, "CONFIG_BPF=y"},
		{Entry{Symbol: "MODULES", Kind: NotSet, Value: "n"}, "# CONFIG_MODULES is not set"},
		{Entry{Symbol: "NEG", Kind: Int, Value: "-1"}, "CONFIG_NEG=-1"},
		{Entry{Symbol: "H", Kind: Hex, Value: "0x1f"}, "CONFIG_H=0x1f"},
		{Entry{Symbol: "S", Kind: String, Value: `a"b\c`}, `CONFIG_S="a\"b\\c"`},
		{Entry{Symbol: "S", Kind: String, Value: ""}, `CONFIG_S=""`},
	}
	for _, tt := range tests {
		if got := tt.e.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.e, got, tt.want)
		}
	}
}

func TestEntriesIsACopy(t *testing.T) {
	cfg := mustParse(t, sample)
	cfg.Entries()[0].Value = "m"
	if e, _ := cfg.Lookup("BPF"); e.Value != "y" {
		t.Errorf("changing Entries() changed the config: BPF=%s", e.Value)
	}
}

func TestNilConfig(t *testing.T) {
	var cfg *Config
	if _, ok := cfg.Lookup("BPF"); ok {
		t.Error("Lookup on nil found BPF")
	}
	if _, ok := cfg.Int("X"); ok {
		t.Error("Int on nil found X")
	}
	if cfg.Len() != 0 || cfg.Entries() != nil {
		t.Error("nil config is not empty")
	}
}

func TestKindString(t *testing.T) {
	tests := []struct {
		k    Kind
		want string
	}{
		{Tristate, "tristate"}, {NotSet, "not set"}, {Int, "int"}, {Hex, "hex"}, {String, "string"}, {Kind(42), "Kind(?)"},
	}
	for _, tt := range tests {
		if got := tt.k.String(); got != tt.want {
			t.Errorf("Kind(%d).String() = %q, want %q", int(tt.k), got, tt.want)
		}
	}
}

func mustParse(t *testing.T, s string) *Config {
	t.Helper()
	cfg, err := Parse(strings.NewReader(s), "sample")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}
