package render

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"
)

var mdStatus = map[finding.Status]string{
	finding.Pass:  "✅ pass",
	finding.Warn:  "⚠️ warn",
	finding.Fail:  "❌ fail",
	finding.Error: "❓ error",
	finding.Skip:  "➖ skip",
}

// Markdown writes the report as a table of every finding, then the
// details and fixes of those that are not passes.
func Markdown(w io.Writer, r Report, o Options) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "## bpfdoctor %s\n\n", mdInline(r.Version))
	if r.OS != "" || r.Kernel != "" {
		fmt.Fprintf(bw, "%s, Linux %s\n\n", mdInline(r.OS), mdInline(r.Kernel))
	}
	fmt.Fprintf(bw, "| status | check | result |\n|---|---|---|\n")
	for _, area := range areasOf(r.Findings) {
		for _, f := range r.Findings {
			if f.Area == area {
				fmt.Fprintf(bw, "| %s | `%s` | %s |\n", mdStatus[f.Status], f.ID, mdCell(f.Message))
			}
		}
	}
	fmt.Fprintf(bw, "\n%s\n", summary(r.Findings))
	writeMarkdownProblems(bw, r.Findings, o.Verbose)
	return bw.Flush()
}

// writeMarkdownProblems lists each finding that is not a pass, with its
// fix as a shell block; verbose adds the details of every finding.
func writeMarkdownProblems(w io.Writer, fs []finding.Finding, verbose bool) {
	first := true
	for _, f := range fs {
		if f.Status == finding.Pass && !verbose || f.Status == finding.Skip {
			continue
		}
		if first {
			fmt.Fprintf(w, "\n### Details\n")
			first = false
		}
		fmt.Fprintf(w, "\n**%s** `%s`: %s\n", mdStatus[f.Status], f.ID, mdInline(f.Message))
		for _, d := range f.Details {
			fmt.Fprintf(w, "- %s\n", mdInline(d))
		}
		if f.Source != "" {
			fmt.Fprintf(w, "- from: `%s`\n", strings.ReplaceAll(f.Source, "`", "'"))
		}
		if f.Fix != nil && f.Status != finding.Pass {
			if f.Fix.Text != "" {
				fmt.Fprintf(w, "\nFix: %s\n", mdInline(f.Fix.Text))
			}
			if len(f.Fix.Commands) > 0 {
				fmt.Fprintf(w, "\n```sh\n%s\n```\n", strings.Join(f.Fix.Commands, "\n"))
			}
		}
	}
}

// mdCell keeps a table row one row: no pipes or line breaks.
func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "\r", "").Replace(s)
}

// mdInline keeps text from being read as markup it does not mean.
func mdInline(s string) string {
	return strings.NewReplacer("\n", " ", "<", "&lt;", ">", "&gt;").Replace(s)
}
