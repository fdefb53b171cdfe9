// Package clip shortens and sanitises text that came from outside (a tool's
// output, a config line, an archive entry name) before it goes into a
// message, so a hostile or huge input cannot flood the terminal or drive it
// with control characters.
package clip

import (
	"strings"
	"unicode/utf8"
)

// Short is the length parse errors quote their input to.
const Short = 60

// String cuts s to at most max bytes, on a rune boundary, and marks the cut
// with "...".
func String(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// Printable replaces invalid UTF-8 and control characters with '?' (a tab
// becomes a space) so the text is safe to print.
func Printable(s string) string {
	return strings.Map(printableRune, strings.ToValidUTF8(s, "?"))
}

func printableRune(r rune) rune {
	if r == '\t' {
		return ' '
	}
	if r < 0x20 || r == 0x7f {
		return '?'
	}
	return r
}
