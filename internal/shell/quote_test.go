package shell

import (
	"os/exec"
	"testing"
)

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		"":                   "''",
		"plain/path-1.2_x.o": "plain/path-1.2_x.o",
		"with space":         "'with space'",
		"it's":               `'it'\''s'`,
		"$HOME":              "'$HOME'",
		"a;rm -rf /":         "'a;rm -rf /'",
		"~/x":                "'~/x'",
		"*.o":                "'*.o'",
		"CONFIG_X=\"y z\"":   `'CONFIG_X="y z"'`,
		"back\\slash":        `'back\slash'`,
		"new\nline":          "'new\nline'",
		"key=v,w:1@host%2":   "key=v,w:1@host%2",
	} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
}

// A real shell must read each quoted word back as it was.
func TestQuoteRoundTrip(t *testing.T) {
	words := []string{"", "a b", "it's", "$HOME `id`", "*", "\\", "\"", "new\nline", "~", "!x", "é"}
	out, err := exec.Command("/bin/sh", "-c", "for w in "+Join(words...)+"; do printf '%s\\0' \"$w\"; done").Output()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	start := 0
	for i, b := range out {
		if b == 0 {
			got = append(got, string(out[start:i]))
			start = i + 1
		}
	}
	if len(got) != len(words) {
		t.Fatalf("shell read %d words, want %d: %q", len(got), len(words), got)
	}
	for i := range words {
		if got[i] != words[i] {
			t.Errorf("word %d: shell read %q, want %q", i, got[i], words[i])
		}
	}
}
