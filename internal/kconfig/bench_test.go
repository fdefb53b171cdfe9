package kconfig

import (
	"bytes"
	"fmt"
	"testing"
)

// syntheticConfig builds a config shaped like a distribution's: mostly
// tristates and "is not set" comments, some numbers and strings.
func syntheticConfig(lines int) []byte {
	var b bytes.Buffer
	b.WriteString("#\n# Automatically generated file; DO NOT EDIT.\n#\n")
	for i := 3; i < lines; i++ {
		switch i % 10 {
		case 0:
			fmt.Fprintf(&b, "\n# Section %d\n", i)
			i++
		case 1, 2, 3:
			fmt.Fprintf(&b, "CONFIG_SYMBOL_NUMBER_%d=y\n", i)
		case 4:
			fmt.Fprintf(&b, "CONFIG_SYMBOL_NUMBER_%d=m\n", i)
		case 5, 6, 7:
			fmt.Fprintf(&b, "# CONFIG_SYMBOL_NUMBER_%d is not set\n", i)
		case 8:
			fmt.Fprintf(&b, "CONFIG_SYMBOL_NUMBER_%d=%d\n", i, i*7)
		case 9:
			if i%20 == 9 {
				fmt.Fprintf(&b, "CONFIG_SYMBOL_NUMBER_%d=0x%x\n", i, i*4096)
			} else {
				fmt.Fprintf(&b, "CONFIG_SYMBOL_NUMBER_%d=\"value \\\"%d\\\"\"\n", i, i)
			}
		}
	}
	return b.Bytes()
}

func BenchmarkParse(b *testing.B) {
	data := syntheticConfig(10000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(bytes.NewReader(data), "synthetic"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseGzip(b *testing.B) {
	data := gzipBytes(b, string(syntheticConfig(10000)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(bytes.NewReader(data), "synthetic.gz"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestSyntheticConfig(t *testing.T) {
	data := syntheticConfig(10000)
	if n := bytes.Count(data, []byte("\n")); n < 9900 || n > 10100 {
		t.Errorf("synthetic config has %d lines, want about 10000", n)
	}
	cfg, err := Parse(bytes.NewReader(data), "synthetic")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Len() < 7500 {
		t.Errorf("Len() = %d, want most lines to be entries", cfg.Len())
	}
}

// configWithSet is a 10,000-line config that holds the set's options in
// the mix a real machine has: most set as wanted, some not set, some =m,
// some absent.
func configWithSet(tb testing.TB, lines int, set *FragmentSet) []byte {
	tb.Helper()
	var b bytes.Buffer
	b.WriteString("#\n# Automatically generated file; DO NOT EDIT.\n# Linux/x86 6.12.0 Kernel Configuration\n#\n")
	for i, w := range set.Wanted() {
		switch {
		case i%7 == 3:
			fmt.Fprintf(&b, "# CONFIG_%s is not set\n", w.Symbol)
		case i%11 == 5 && w.Kind == Tristate:
			fmt.Fprintf(&b, "CONFIG_%s=m\n", w.Symbol)
		case i%13 == 6:
			// absent
		default:
			b.WriteString(w.Entry.String() + "\n")
		}
	}
	rest := syntheticConfig(lines - bytes.Count(b.Bytes(), []byte("\n")))
	b.Write(rest)
	return b.Bytes()
}

func x86Set(tb testing.TB) *FragmentSet {
	tb.Helper()
	e, err := LookupEmbedded("6.12")
	if err != nil {
		tb.Fatal(err)
	}
	x86, _ := LookupArch("x86_64")
	s, err := e.Load(&x86, false)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// BenchmarkParseDiff is the budget: parse a 10,000-line config
// and diff it against the x86_64 set (config + config.x86_64) in under
// 5 ms.
func BenchmarkParseDiff(b *testing.B) {
	set := x86Set(b)
	data := configWithSet(b, 10000, set)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		cfg, err := Parse(bytes.NewReader(data), "bench")
		if err != nil {
			b.Fatal(err)
		}
		if d := Compare(cfg, set); len(d.Items) == 0 {
			b.Fatal("empty diff")
		}
	}
}

// BenchmarkParseDiffExplain adds the grouping and the fix without a tree,
// all that `bpfdoctor kconfig diff` computes on a machine without one.
func BenchmarkParseDiffExplain(b *testing.B) {
	set := x86Set(b)
	data := configWithSet(b, 10000, set)
	b.ReportAllocs()
	for b.Loop() {
		cfg, err := Parse(bytes.NewReader(data), "bench")
		if err != nil {
			b.Fatal(err)
		}
		if x := ExplainByName(Compare(cfg, set)); len(x.Fix) == 0 {
			b.Fatal("empty fix")
		}
	}
}

func TestConfigWithSet(t *testing.T) {
	set := x86Set(t)
	data := configWithSet(t, 10000, set)
	if n := bytes.Count(data, []byte("\n")); n < 9900 || n > 10100 {
		t.Errorf("%d lines, want about 10000", n)
	}
	cfg, err := Parse(bytes.NewReader(data), "bench")
	if err != nil {
		t.Fatal(err)
	}
	d := Compare(cfg, set)
	states := map[State]int{}
	for _, it := range d.Items {
		states[it.State]++
	}
	if states[OK] < len(d.Items)/2 || states[Off] == 0 || states[Absent] == 0 || states[Module] == 0 {
		t.Errorf("states %v: want a mix, mostly ok", states)
	}
}
