package render

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/bpfdoctor/bpfdoctor/internal/testkit"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"
)

func TestFormatsGolden(t *testing.T) {
	for _, tt := range []struct {
		file, format string
		o            Options
	}{
		{"report.junit.xml", "junit", Options{}},
		{"report-strict.junit.xml", "junit", Options{Strict: true}},
		{"report.github.txt", "github", Options{}},
		{"report.md", "markdown", Options{}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			var b bytes.Buffer
			if err := Write(&b, tt.format, sample(), tt.o); err != nil {
				t.Fatal(err)
			}
			testkit.Golden(t, tt.file, b.Bytes())
		})
	}
}

// hostile is a finding whose text carries everything the formats must
// escape: workflow-command syntax, XML specials and control characters.
func hostile() Report {
	return Report{Version: "1.2.3", Findings: []finding.Finding{{
		ID: "llvm.llc", Area: "llvm", Title: "llc, the: compiler", Status: finding.Fail,
		Message: "100% broken\n::set-env name=X::y\r\x00<&>\"'|\x1b[31m",
		Fix:     &finding.Fix{Text: "a,b:c", Commands: []string{"echo '%0A'"}},
	}}}
}

// The JUnit file must parse with a real XML parser and keep the shape CI
// reporters read: counts on testsuites and testsuite, one testcase per
// finding with classname = area and name = ID.
func TestJUnitParses(t *testing.T) {
	for name, r := range map[string]Report{"sample": sample(), "hostile": hostile()} {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := JUnit(&b, r, Options{}); err != nil {
				t.Fatal(err)
			}
			var doc struct {
				XMLName  xml.Name `xml:"testsuites"`
				Tests    int      `xml:"tests,attr"`
				Failures int      `xml:"failures,attr"`
				Errors   int      `xml:"errors,attr"`
				Skipped  int      `xml:"skipped,attr"`
				Suites   []struct {
					Name  string `xml:"name,attr"`
					Tests int    `xml:"tests,attr"`
					Cases []struct {
						Classname string    `xml:"classname,attr"`
						Name      string    `xml:"name,attr"`
						Time      string    `xml:"time,attr"`
						Failure   *struct{} `xml:"failure"`
						Error     *struct{} `xml:"error"`
						Skipped   *struct{} `xml:"skipped"`
					} `xml:"testcase"`
				} `xml:"testsuite"`
			}
			dec := xml.NewDecoder(&b)
			dec.Strict = true
			if err := dec.Decode(&doc); err != nil {
				t.Fatalf("invalid XML: %v", err)
			}
			var n, fails, errs, skips int
			for _, s := range doc.Suites {
				for _, c := range s.Cases {
					n++
					if c.Classname != s.Name || c.Name == "" || c.Time == "" {
						t.Errorf("testcase %+v in suite %s", c, s.Name)
					}
					if c.Failure != nil {
						fails++
					}
					if c.Error != nil {
						errs++
					}
					if c.Skipped != nil {
						skips++
					}
				}
			}
			if n != len(r.Findings) || doc.Tests != n || doc.Failures != fails || doc.Errors != errs || doc.Skipped != skips {
				t.Errorf("counts: %d cases, attrs tests=%d failures=%d/%d errors=%d/%d skipped=%d/%d",
					n, doc.Tests, doc.Failures, fails, doc.Errors, errs, doc.Skipped, skips)
			}
		})
	}
}

func TestGitHubEscaping(t *testing.T) {
	var b bytes.Buffer
	if err := GitHub(&b, hostile(), Options{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	want := "::error title=llvm.llc%3A llc%2C the%3A compiler::100%25 broken%0A::set-env name=X::y%0D\x00<&>\"'|\x1b[31m%0Afix: a,b:c%0A  $ echo '%250A'\n"
	if !strings.Contains(out, want) {
		t.Errorf("annotation not escaped as expected:\n%q\nwant it to contain\n%q", out, want)
	}
	// No line may start a workflow command the report did not mean.
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "::") && !strings.HasPrefix(line, "::group::") && !strings.HasPrefix(line, "::endgroup::") &&
			!strings.HasPrefix(line, "::error ") && !strings.HasPrefix(line, "::notice ") {
			t.Errorf("unexpected workflow command line %q", line)
		}
	}
}

func TestGHEscapers(t *testing.T) {
	for _, tt := range []struct{ in, data, prop string }{
		{"a%b", "a%25b", "a%25b"},
		{"l1\nl2\r", "l1%0Al2%0D", "l1%0Al2%0D"},
		{"k: v, w", "k: v, w", "k%3A v%2C w"},
		{"%0A", "%250A", "%250A"},
	} {
		if got := ghData(tt.in); got != tt.data {
			t.Errorf("ghData(%q) = %q, want %q", tt.in, got, tt.data)
		}
		if got := ghProperty(tt.in); got != tt.prop {
			t.Errorf("ghProperty(%q) = %q, want %q", tt.in, got, tt.prop)
		}
	}
}

func TestMarkdownKeepsTableRows(t *testing.T) {
	var b bytes.Buffer
	if err := Markdown(&b, hostile(), Options{}); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(b.String(), "\n") {
		if strings.HasPrefix(line, "| ❌") && strings.Count(strings.ReplaceAll(line, `\|`, ""), "|") != 4 {
			t.Errorf("table row broken: %q", line)
		}
	}
	if !strings.Contains(b.String(), "```sh\necho '%0A'\n```") {
		t.Errorf("fix commands not in a shell block:\n%s", b.String())
	}
}
