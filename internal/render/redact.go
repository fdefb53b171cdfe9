package render

import (
	"regexp"
	"slices"
	"strings"
)

// Secrets are what --redact takes out of a report before it is pasted
// somewhere public.
type Secrets struct {
	Hosts []string // host names
	Users []string // user names
	Homes []string // home directories
}

// Redact replaces home directories with "~", then host and user names, as
// whole words, with <host> and <user>. Applied to the finished text, it
// cannot miss a path some check printed.
func Redact(s string, sec Secrets) string {
	homes := slices.Clone(sec.Homes)
	// /home/al before /home: the longer path first.
	slices.SortFunc(homes, func(a, b string) int { return len(b) - len(a) })
	for _, h := range homes {
		h = strings.TrimRight(h, "/")
		if len(h) > 1 {
			s = regexp.MustCompile(regexp.QuoteMeta(h)+`\b`).ReplaceAllString(s, "~")
		}
	}
	for _, w := range []struct {
		names []string
		mark  string
	}{{sec.Hosts, "<host>"}, {sec.Users, "<user>"}} {
		for _, n := range w.names {
			if n = strings.TrimSpace(n); n != "" {
				s = regexp.MustCompile(`\b`+regexp.QuoteMeta(n)+`\b`).ReplaceAllString(s, w.mark)
			}
		}
	}
	return s
}
