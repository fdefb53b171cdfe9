package clip

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestString(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want string
	}{
		{"short", 60, "short"},
		{strings.Repeat("a", 60), 60, strings.Repeat("a", 60)},
		{strings.Repeat("a", 61), 60, strings.Repeat("a", 60) + "..."},
		{"ééé", 3, "é..."}, // never half a rune
		{"", 0, ""},
	} {
		if got := String(tc.in, tc.max); got != tc.want {
			t.Errorf("String(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"plain":          "plain",
		"a\tb":           "a b",
		"esc\x1b[31mred": "esc?[31mred",
		"nul\x00del\x7f": "nul?del?",
		"bad\xffutf8":    "bad?utf8",
		"ünïcode":        "ünïcode",
	} {
		if got := Printable(in); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzClip(f *testing.F) {
	f.Add("hello\x1b", 3)
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 0 || max > 1<<16 {
			return
		}
		p := String(Printable(s), max)
		if !utf8.ValidString(p) {
			t.Fatalf("not valid UTF-8: %q", p)
		}
		if len(p) > max+3 {
			t.Fatalf("len %d > %d+3", len(p), max)
		}
		for _, r := range p {
			if r < 0x20 || r == 0x7f {
				t.Fatalf("control character in %q", p)
			}
		}
	})
}
