package render

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Secrets are what --redact takes out of a report before it is pasted
// somewhere public.
type Secrets struct {
	Hosts []string // host names
	Users []string // user names
	Homes []string // home directories
}

// RedactReport returns rep with the secrets taken out of every field that
// can carry a path or a name: the kernel release, and each finding's
// message, details, fix, facts and source. It works on the values, before
// rendering, so no markup or JSON syntax is ever rewritten; IDs, areas,
// titles and statuses are bpfdoctor's own words and stay.
func RedactReport(rep Report, sec Secrets) Report {
	r := newRedactor(sec)
	rep.Kernel = r.redact(rep.Kernel)
	fs := slices.Clone(rep.Findings)
	for i := range fs {
		f := &fs[i]
		f.Message, f.Source = r.redact(f.Message), r.redact(f.Source)
		f.Details = r.all(f.Details)
		if f.Fix != nil {
			fix := *f.Fix
			fix.Text, fix.Commands = r.redact(fix.Text), r.all(fix.Commands)
			f.Fix = &fix
		}
		if f.Facts != nil {
			facts := maps.Clone(f.Facts)
			for k, v := range facts {
				facts[k] = r.redact(v)
			}
			f.Facts = facts
		}
	}
	rep.Findings = fs
	return rep
}

// Redact takes the secrets out of one value: see redactor.
func Redact(s string, sec Secrets) string { return newRedactor(sec).redact(s) }

// A redactor replaces, in one value:
//   - a home directory that starts a path, followed by the path's end or
//     '/', with "~": /home/al and /home/al/x, never /home/al-tools;
//   - a user or host name that is a whole component of a path,
//     case-insensitively (/opt/ALICE), with <user> or <host>, except in
//     systemDirs (/sys/kernel/btf, /usr/include/bpf);
//   - a host name between non-alphanumerics anywhere (6.1.0-build-07,
//     build-07.lan), case-insensitively: host names are rarely words.
//
// User names are not replaced in prose: they are often words ("bpf",
// "kernel", "null").
type redactor struct {
	homes []string
	names map[string]string // lower-case name: its mark
	hosts []*regexp.Regexp
}

func newRedactor(sec Secrets) *redactor {
	r := &redactor{names: map[string]string{}}
	for _, h := range sec.Homes {
		if h = strings.TrimRight(h, "/"); len(h) > 1 {
			r.homes = append(r.homes, h)
		}
	}
	// /home/al/x before /home/al: the longer path first.
	slices.SortFunc(r.homes, func(a, b string) int { return len(b) - len(a) })
	for _, u := range sec.Users {
		if u = strings.TrimSpace(u); u != "" {
			r.names[strings.ToLower(u)] = "<user>"
		}
	}
	for _, h := range sec.Hosts {
		if h = strings.TrimSpace(h); h != "" {
			r.names[strings.ToLower(h)] = "<host>"
			if !utf8.ValidString(h) {
				// No pattern for it (regexp refuses invalid UTF-8); as a
				// path component it is still replaced.
				continue
			}
			r.hosts = append(r.hosts, regexp.MustCompile(`(?i)(^|[^[:alnum:]])`+regexp.QuoteMeta(h)+`($|[^[:alnum:]])`))
		}
	}
	return r
}

func (r *redactor) all(ss []string) []string {
	if ss == nil {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = r.redact(s)
	}
	return out
}

func (r *redactor) redact(s string) string {
	if s == "" {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && !pathEnd(s[j]) {
			j++
		}
		if j == i {
			b.WriteByte(s[i])
			i++
			continue
		}
		b.WriteString(r.word(s[i:j]))
		i = j
	}
	out := b.String()
	for _, re := range r.hosts {
		// Twice: adjacent matches share the separator between them.
		for range 2 {
			out = re.ReplaceAllString(out, "${1}<host>${2}")
		}
	}
	return out
}

// pathEnd reports whether c ends a path in running text: a space, a quote,
// a bracket or a list separator (PATH's ':', a comma, '=' before a value).
func pathEnd(c byte) bool {
	return strings.IndexByte(" \t\n\"'`()[]{}<>,;:=", c) >= 0
}

// systemDirs hold what the distribution and the kernel name (/sys/kernel,
// /usr/include/bpf), never a person: names in paths under them stay.
var systemDirs = []string{"/sys/", "/proc/", "/dev/", "/usr/", "/lib/", "/lib64/", "/etc/", "/boot/", "/bin/", "/sbin/"}

// word redacts one run of text between path ends.
func (r *redactor) word(w string) string {
	// A path at the end of a sentence keeps its full stop outside.
	trail := ""
	for strings.HasSuffix(w, ".") && len(w) > 1 {
		w, trail = w[:len(w)-1], trail+"."
	}
	if !strings.HasPrefix(w, "/") && !strings.HasPrefix(w, "~/") {
		return w + trail
	}
	for _, h := range r.homes {
		if rest, ok := strings.CutPrefix(w, h); ok && (rest == "" || rest[0] == '/') {
			w = "~" + rest
			break
		}
	}
	for _, sys := range systemDirs {
		if strings.HasPrefix(w, sys) {
			return w + trail
		}
	}
	parts := strings.Split(w, "/")
	for i, p := range parts {
		if m, ok := r.names[strings.ToLower(p)]; ok {
			parts[i] = m
		}
	}
	return strings.Join(parts, "/") + trail
}
