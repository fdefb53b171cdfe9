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
