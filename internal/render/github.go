package render

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"
)

// GitHub writes GitHub Actions workflow commands: a group per area with
// the plain report inside, and an ::error or ::warning annotation for each
// finding that needs attention, so it shows on the run's summary page.
// It is written only when asked with --format github: a run inside Actions
// that wants JSON or JUnit must get exactly that.
func GitHub(w io.Writer, r Report, o Options) error {
	bw := bufio.NewWriter(w)
	plain := newPalette(false)
	for _, area := range areasOf(r.Findings) {
		fmt.Fprintf(bw, "::group::%s\n", ghData(finding.AreaTitle(area)))
		for _, f := range r.Findings {
			if f.Area == area {
				writeFinding(bw, plain, f, o.Verbose)
			}
		}
		fmt.Fprintln(bw, "::endgroup::")
	}
	for _, f := range r.Findings {
		cmd := ""
		switch {
		case f.Status == finding.Fail || f.Status == finding.Error || f.Status == finding.Warn && o.Strict:
			cmd = "error"
		case f.Status == finding.Warn:
			cmd = "warning"
		default:
			continue
		}
		msg := f.Message
		if f.Status == finding.Error {
			msg = "could not tell: " + msg
		}
		if f.Fix != nil {
			if f.Fix.Text != "" {
				msg += "\nfix: " + f.Fix.Text
			}
			for _, c := range f.Fix.Commands {
				msg += "\n  $ " + c
			}
		}
		fmt.Fprintf(bw, "::%s title=%s::%s\n", cmd, ghProperty(f.ID+": "+f.Title), ghData(msg))
	}
	fmt.Fprintf(bw, "::notice title=bpfdoctor::%s\n", ghData(summary(r.Findings)))
	return bw.Flush()
}

// ghData escapes a workflow command's message, as the runner's
// ActionCommand does: % first, then the line breaks.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// ghProperty escapes a property value, which also may not hold ':' or ','.
func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
