package render

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"
)

// The common JUnit shape read by Jenkins, GitLab, GitHub test reporters and
// junit-xml parsers: testsuites > testsuite > testcase, with failure,
// error and skipped children.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// JUnit writes one testcase per finding (classname = area, name = ID): fail
// is a failure, error an error, skip skipped, and with o.Strict a warning
// is a failure too, as the exit code says.
func JUnit(w io.Writer, r Report, o Options) error {
	suites := junitSuites{Name: "bpfdoctor"}
	var total float64
	for _, area := range areasOf(r.Findings) {
		s := junitSuite{Name: area}
		var st float64
		for _, f := range r.Findings {
			if f.Area != area {
				continue
			}
			secs := f.Duration.Seconds()
			st += secs
			c := junitCase{Classname: area, Name: f.ID, Time: fmt.Sprintf("%.3f", secs)}
			body := xmlSafe(findingBody(f))
			switch {
			case f.Status == finding.Fail || f.Status == finding.Warn && o.Strict:
				c.Failure = &junitProblem{Message: xmlSafe(f.Message), Type: f.Status.String(), Body: body}
				s.Failures++
			case f.Status == finding.Error:
				c.Error = &junitProblem{Message: xmlSafe(f.Message), Type: "error", Body: body}
				s.Errors++
			case f.Status == finding.Skip:
				c.Skipped = &junitSkipped{Message: xmlSafe(f.Message)}
				s.Skipped++
			default:
				c.SystemOut = body
			}
			s.Tests++
			s.Cases = append(s.Cases, c)
		}
		s.Time = fmt.Sprintf("%.3f", st)
		total += st
		suites.Tests += s.Tests
		suites.Failures += s.Failures
		suites.Errors += s.Errors
		suites.Skipped += s.Skipped
		suites.Suites = append(suites.Suites, s)
	}
	suites.Time = fmt.Sprintf("%.3f", total)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(suites); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// findingBody is the plain-text body of a finding: message, details, fix.
func findingBody(f finding.Finding) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n", f.Status, f.Message)
	for _, d := range f.Details {
		fmt.Fprintf(&b, "  %s\n", d)
	}
	if f.Source != "" {
		fmt.Fprintf(&b, "from: %s\n", f.Source)
	}
	if f.Fix != nil {
		if f.Fix.Text != "" {
			fmt.Fprintf(&b, "fix: %s\n", f.Fix.Text)
		}
		for _, c := range f.Fix.Commands {
			fmt.Fprintf(&b, "  $ %s\n", c)
		}
	}
	return b.String()
}

// xmlSafe drops what XML 1.0 cannot carry at all (most control characters,
// invalid UTF-8, U+FFFE/U+FFFF): encoding/xml escapes but does not remove
// them, and a tool's garbage output must not make the file unreadable.
func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < 0x20, r == utf8.RuneError, r >= 0xD800 && r <= 0xDFFF, r == 0xFFFE, r == 0xFFFF:
			return -1
		}
		return r
	}, s)
}
