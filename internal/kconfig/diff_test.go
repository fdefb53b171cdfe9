package kconfig

import (
	"strings"
	"testing"
)

func TestJudge(t *testing.T) {
	tests := []struct {
		want, have string // config lines; have "" is absent
		state      State
	}{
		{"CONFIG_A=y", "CONFIG_A=y", OK},
		{"CONFIG_A=y", "", Absent},
		{"CONFIG_A=y", "# CONFIG_A is not set", Off},
		{"CONFIG_A=y", "CONFIG_A=n", Off},
		{"CONFIG_A=y", "CONFIG_A=m", Module},
		{"CONFIG_A=m", "CONFIG_A=y", OK}, // built in is fine
		{"CONFIG_A=m", "CONFIG_A=m", OK},
		{"CONFIG_A=m", "", Absent},
		{"CONFIG_A=y", `CONFIG_A="y"`, WrongValue},
		{"# CONFIG_A is not set", "", OK},
		{"# CONFIG_A is not set", "# CONFIG_A is not set", OK},
		{"CONFIG_A=n", "# CONFIG_A is not set", OK},
		{"# CONFIG_A is not set", "CONFIG_A=y", Unwanted},
		{"# CONFIG_A is not set", "CONFIG_A=m", Unwanted},
		{"CONFIG_A=128", "CONFIG_A=128", OK},
		{"CONFIG_A=128", "CONFIG_A=0128", OK},
		{"CONFIG_A=128", "CONFIG_A=64", WrongValue},
		{"CONFIG_A=128", "", Absent},
		{"CONFIG_A=128", "# CONFIG_A is not set", Off},
		{"CONFIG_A=0x1000000", "CONFIG_A=0X1000000", OK},
		{"CONFIG_A=0x1000000", "CONFIG_A=0x200000", WrongValue},
		{"CONFIG_A=0x10", "CONFIG_A=16", OK}, // the same number
		{`CONFIG_A="utf8"`, `CONFIG_A="utf8"`, OK},
		{`CONFIG_A="utf8"`, `CONFIG_A="iso8859-1"`, WrongValue},
		{`CONFIG_A=""`, `CONFIG_A=""`, OK},
		{`CONFIG_A="1"`, `CONFIG_A=1`, WrongValue},
	}
	for _, tt := range tests {
		w := mustParse(t, tt.want).Entries()[0]
		var have Entry
		found := tt.have != ""
		if found {
			have = mustParse(t, tt.have).Entries()[0]
		}
		if got := StateOf(w, have, found); got != tt.state {
			t.Errorf("want %q, have %q: %s, want %s", tt.want, tt.have, got, tt.state)
		}
	}
}

func TestStateMissing(t *testing.T) {
	for s, want := range map[State]bool{OK: false, Off: true, Absent: true, Module: true, WrongValue: true, Unwanted: false} {
		if s.Missing() != want {
			t.Errorf("%s.Missing() = %v", s, !want)
		}
		if s.String() == "State(?)" {
			t.Errorf("State %d has no name", s)
		}
	}
}

// setOf builds a fragment set from fragments given as name: text.
func setOf(t *testing.T, files ...string) *FragmentSet {
	t.Helper()
	var fs []Fragment
	for i := 0; i < len(files); i += 2 {
		fs = append(fs, Fragment{Name: files[i], Path: files[i], Config: mustParse(t, files[i+1])})
	}
	return NewFragmentSet("test", fs)
}

func TestCompareSet(t *testing.T) {
	set := setOf(t,
		"config", "CONFIG_BPF=y\nCONFIG_MODULES=y\nCONFIG_MODULE_SIG=y\nCONFIG_TEST_BPF=m\nCONFIG_NR_CPUS=64\n# CONFIG_UNPRIV is not set\n",
		"config.x86_64", "CONFIG_NR_CPUS=128\nCONFIG_NF_TABLES=y\n")
	cfg := mustParse(t, "CONFIG_BPF=y\n# CONFIG_MODULES is not set\nCONFIG_NR_CPUS=64\nCONFIG_UNPRIV=y\nCONFIG_NF_TABLES=m\n")
	d := Compare(cfg, set)
	var got []string
	for _, it := range d.Items {
		got = append(got, it.Symbol+":"+it.State.String()+":"+it.File)
	}
	want := "BPF:ok:config MODULES:not set:config MODULE_SIG:absent:config TEST_BPF:absent:config " +
		"NR_CPUS:wrong value:config.x86_64 UNPRIV:set:config NF_TABLES:module:config.x86_64"
	if strings.Join(got, " ") != want {
		t.Errorf("items:\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	if n := len(d.Missing()); n != 5 {
		t.Errorf("Missing() = %d, want 5", n)
	}
	if n := len(d.NotOK()); n != 6 {
		t.Errorf("NotOK() = %d, want 6", n)
	}
	if d.Config != "sample" {
		t.Errorf("Config = %q", d.Config)
	}
}
