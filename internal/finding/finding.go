// Package finding holds what a check reports: its Status, the Finding with
// its Fix, and the report's areas. It is a leaf: the checks produce
// findings, and render and require read them without importing the checks.
package finding

import (
	"fmt"
	"time"
)

// Status is the outcome of one check.
type Status int

// The order is the order of severity, so the worst of a set is its maximum.
const (
	Pass Status = iota
	Skip
	Warn
	Error // could not tell: never folded into pass or fail
	Fail
)

var statusNames = [...]string{Pass: "pass", Skip: "skip", Warn: "warn", Error: "error", Fail: "fail"}

// Mark is the one-character mark the text report (and the bootstrap
// preflight) draws for a status.
func (s Status) Mark() string {
	if int(s) < len(statusMarks) {
		return statusMarks[s]
	}
	return "?"
}

var statusMarks = [...]string{Pass: "✓", Skip: "-", Warn: "!", Error: "?", Fail: "✗"}

func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("status(%d)", int(s))
}

// MarshalText writes the lowercase word, the JSON form of a status.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads the lowercase word.
func (s *Status) UnmarshalText(b []byte) error {
	for i, n := range statusNames {
		if n == string(b) {
			*s = Status(i)
			return nil
		}
	}
	return fmt.Errorf("parse status: unknown status %q", b)
}

// Fix says what to do about a finding: commands that can be pasted as they
// are, kept apart from one line of prose.
type Fix struct {
	Commands []string `json:"commands"`
	Text     string   `json:"text"`
	Docs     []string `json:"docs,omitempty"`
}

// Finding is the result of one check.
type Finding struct {
	ID       string            `json:"id"`
	Area     string            `json:"area"`
	Title    string            `json:"title"`
	Status   Status            `json:"status"`
	Message  string            `json:"message"`
	Details  []string          `json:"details,omitempty"`
	Fix      *Fix              `json:"fix"`
	Facts    map[string]string `json:"facts,omitempty"`
	Source   string            `json:"source,omitempty"` // the command or file the finding was read from
	Duration time.Duration     `json:"-"`
}

// Result builds a finding; checks return it and the runner fills in ID,
// Area, Title and Duration.
func Result(s Status, format string, args ...any) Finding {
	return Finding{Status: s, Message: fmt.Sprintf(format, args...)}
}

// WithFix attaches a fix.
func (f Finding) WithFix(text string, commands ...string) Finding {
	f.Fix = &Fix{Text: text, Commands: commands}
	return f
}

// WithDetails appends detail lines, shown with -v.
func (f Finding) WithDetails(lines ...string) Finding {
	f.Details = append(f.Details, lines...)
	return f
}

// WithSource names the command or file the finding was read from.
func (f Finding) WithSource(src string) Finding {
	f.Source = src
	return f
}

// WithFact records a machine-readable fact (a version, a path).
func (f Finding) WithFact(key, value string) Finding {
	if f.Facts == nil {
		f.Facts = map[string]string{}
	}
	f.Facts[key] = value
	return f
}

// Worst returns the most severe status of the findings (Pass when empty).
func Worst(fs []Finding) Status {
	w := Pass
	for _, f := range fs {
		w = max(w, f.Status)
	}
	return w
}

// Failed reports whether the findings should make the run exit 1: a fail or
// an error, and with strict a warning too.
func Failed(fs []Finding, strict bool) bool {
	for _, f := range fs {
		switch f.Status {
		case Fail, Error:
			return true
		case Warn:
			if strict {
				return true
			}
		}
	}
	return false
}
