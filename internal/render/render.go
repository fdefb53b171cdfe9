// Package render writes a run's findings in the formats bpfdoctor offers,
// one file per format, each to an io.Writer.
package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"
)

// Report is one run: the findings and what they were found on.
type Report struct {
	Version  string // bpfdoctor's
	OS       string // the distribution's pretty name, "" when unknown
	Kernel   string // release, "" when unknown
	Findings []finding.Finding
}

// Options shape the output.
type Options struct {
	Color   bool // text only
	Verbose bool // details in text, github and markdown
	Strict  bool // a warning counts as a failure (junit, github)
}

// Formats lists the names accepted by Write.
var Formats = []string{"text", "json", "junit", "github", "markdown"}

// Write writes r in the named format.
func Write(w io.Writer, format string, r Report, o Options) error {
	switch format {
	case "text":
		return Text(w, r, o)
	case "json":
		return JSON(w, r)
	case "junit":
		return JUnit(w, r, o)
	case "github":
		return GitHub(w, r, o)
	case "markdown":
		return Markdown(w, r, o)
	}
	return fmt.Errorf("unknown format %q (formats: %s)", format, strings.Join(Formats, ", "))
}

// Counts returns how many findings have each status.
func Counts(fs []finding.Finding) map[finding.Status]int {
	n := map[finding.Status]int{}
	for _, f := range fs {
		n[f.Status]++
	}
	return n
}
