package render

import (
	"regexp"
	"strings"
	"testing"
)

var plainName = regexp.MustCompile(`^[a-z0-9]{1,32}$`)
var plainHome = regexp.MustCompile(`^/[a-z/]{1,64}$`)

// FuzzRedact: a host name does not survive as a whole word, a user name
// not as a component of a path outside the system directories (/opt/NAME),
// a home directory not as a path prefix; names that are not valid UTF-8
// never panic; the text grows at most 8 times (a one-letter
// host becomes "<host>", and a user named "host" then makes it
// "<<user>>"), and with no secrets the text is unchanged.
func FuzzRedact(f *testing.F) {
	f.Add("/home/al/src/x.c on build01 by al", "/home/al", "build01", "al")
	f.Add("/home/al/x /home/alice/y", "/home/al/", "h", "alice")
	f.Add("a.b-c a", "/a", "a", "b")
	f.Add("host user <host>", "/host", "host", "user")
	f.Add("", "", "", "")
	f.Add("/opt/\xf1/x", "\x8f0", "\xf1", "\xf1") // invalid UTF-8 once panicked
	f.Fuzz(func(t *testing.T, s, home, hostName, user string) {
		sec := Secrets{Homes: []string{home}, Hosts: []string{hostName}, Users: []string{user}}
		out := Redact(s, sec)
		if len(out) > 8*len(s) {
			t.Fatalf("%d bytes became %d", len(s), len(out))
		}
		if strings.TrimSpace(hostName) == "" && strings.TrimSpace(user) == "" && len(strings.TrimRight(home, "/")) <= 1 && out != s {
			t.Fatalf("nothing to redact, but %q became %q", s, out)
		}
		if n := hostName; plainName.MatchString(n) && n != "host" && n != "user" &&
			regexp.MustCompile(`\b`+n+`\b`).MatchString(out) {
			t.Fatalf("host %q survives in %q", n, out)
		}
		if n := user; plainName.MatchString(n) && n != "host" && n != "user" &&
			regexp.MustCompile(`(^|[\s"'=])/opt/`+n+`(/|$|[\s"'])`).MatchString(out) {
			t.Fatalf("user %q survives as a path component in %q", n, out)
		}
		// A home is replaced where it starts a path (after the start or a
		// path end such as a space or ':'), not inside "x/home/al". A name
		// replaced with <host> or <user> makes a new path end ('>') in the
		// output, so the check holds only when no name was replaced.
		named := func(n string) bool {
			n = strings.ToLower(strings.TrimSpace(n))
			return n != "" && strings.Contains(strings.ToLower(s), n)
		}
		if h := strings.TrimRight(home, "/"); plainHome.MatchString(h) && len(h) > 1 && !named(hostName) && !named(user) &&
			regexp.MustCompile(`(^|[\s"'`+"`"+`()\[\]{}<>,;:=])`+regexp.QuoteMeta(h)+`(/|$|[\s"'`+"`"+`()\[\]{}<>,;:=])`).MatchString(out) {
			t.Fatalf("home %q survives in %q", h, out)
		}
	})
}
