package render

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/fatih/color"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"
)

type palette struct {
	status map[finding.Status]*color.Color
	dim    *color.Color
	bold   *color.Color
	cmd    *color.Color
}

// newPalette builds colours that obey o.Color whatever fatih/color guessed
// from the process's stdout: the caller knows which stream it writes.
func newPalette(on bool) palette {
	mk := func(attrs ...color.Attribute) *color.Color {
		c := color.New(attrs...)
		if on {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
		return c
	}
	return palette{
		status: map[finding.Status]*color.Color{
			finding.Pass:  mk(color.FgGreen),
			finding.Warn:  mk(color.FgYellow),
			finding.Fail:  mk(color.FgRed, color.Bold),
			finding.Error: mk(color.FgMagenta, color.Bold),
			finding.Skip:  mk(color.Faint),
		},
		dim:  mk(color.Faint),
		bold: mk(color.Bold),
		cmd:  mk(color.FgCyan),
	}
}

// Text writes the report for people: one section per area, worst status in
// the heading (see areaStatus), a fix under each finding that needs one.
func Text(w io.Writer, r Report, o Options) error {
	bw := bufio.NewWriter(w)
	p := newPalette(o.Color)

	head := "bpfdoctor " + r.Version
	var on []string
	if r.OS != "" {
		on = append(on, r.OS)
	}
	if r.Kernel != "" {
		on = append(on, "Linux "+r.Kernel)
	}
	if len(on) > 0 {
		head += " on " + strings.Join(on, ", ")
	}
	fmt.Fprintln(bw, p.bold.Sprint(head))

	for _, area := range areasOf(r.Findings) {
		var fs []finding.Finding
		for _, f := range r.Findings {
			if f.Area == area {
				fs = append(fs, f)
			}
		}
		worst := areaStatus(fs)
		fmt.Fprintf(bw, "\n%s %s\n", p.status[worst].Sprintf("[%s]", worst.Mark()), p.bold.Sprint(finding.AreaTitle(area)))
		for _, f := range fs {
			writeFinding(bw, p, f, o.Verbose)
		}
	}
	fmt.Fprintf(bw, "\n%s\n", summary(r.Findings))
	return bw.Flush()
}

// areaStatus is the mark of an area's heading: its worst status, except that
// a skip does not outrank a pass. A skip says a check did not apply, not that
// something is wrong, so an area of passes and one skip reads as passed; only
// an area where every check was skipped reads as skipped.
func areaStatus(fs []finding.Finding) finding.Status {
	var ran []finding.Finding
	for _, f := range fs {
		if f.Status != finding.Skip {
			ran = append(ran, f)
		}
	}
	if len(ran) == 0 && len(fs) > 0 {
		return finding.Skip
	}
	return finding.Worst(ran)
}

// areasOf lists the areas present, in the registry's order, then any other.
func areasOf(fs []finding.Finding) []string {
	var out []string
	for _, a := range finding.Areas {
		if slices.ContainsFunc(fs, func(f finding.Finding) bool { return f.Area == a.Name }) {
			out = append(out, a.Name)
		}
	}
	for _, f := range fs {
		if !slices.Contains(out, f.Area) {
			out = append(out, f.Area)
		}
	}
	return out
}

func writeFinding(w io.Writer, p palette, f finding.Finding, verbose bool) {
	line := fmt.Sprintf("    %s %s: %s", p.status[f.Status].Sprint(f.Status.Mark()), f.Title, oneLine(f.Message))
	if verbose {
		line += p.dim.Sprintf("  [%s, %s]", f.ID, millis(f.Duration))
	} else if f.Status != finding.Pass && f.Status != finding.Skip {
		line += p.dim.Sprintf("  [%s]", f.ID)
	}
	fmt.Fprintln(w, line)
	if verbose {
		for _, d := range f.Details {
			fmt.Fprintf(w, "        %s\n", p.dim.Sprint(oneLine(d)))
		}
		if f.Source != "" {
			fmt.Fprintf(w, "        %s\n", p.dim.Sprint("from: "+f.Source))
		}
	}
	if f.Fix != nil && f.Status != finding.Pass {
		if f.Fix.Text != "" {
			fmt.Fprintf(w, "      %s %s\n", p.bold.Sprint("fix:"), f.Fix.Text)
		}
		for _, c := range f.Fix.Commands {
			fmt.Fprintf(w, "        %s\n", p.cmd.Sprint("$ "+c))
		}
		for _, d := range f.Fix.Docs {
			fmt.Fprintf(w, "        %s\n", p.dim.Sprint("see "+d))
		}
	}
}

func summary(fs []finding.Finding) string {
	n := Counts(fs)
	parts := []string{fmt.Sprintf("%d checks", len(fs)), fmt.Sprintf("%d passed", n[finding.Pass])}
	for _, s := range []struct {
		st   finding.Status
		word string
	}{{finding.Warn, "warning"}, {finding.Fail, "failed"}, {finding.Error, "could not tell"}, {finding.Skip, "skipped"}} {
		if n[s.st] > 0 {
			word := s.word
			if s.st == finding.Warn && n[s.st] > 1 {
				word += "s"
			}
			parts = append(parts, fmt.Sprintf("%d %s", n[s.st], word))
		}
	}
	return strings.Join(parts, ", ")
}

// millis shows a check's time in milliseconds, with a decimal below 10 ms
// so fast checks do not all read "0s".
func millis(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	if ms < 10 {
		return fmt.Sprintf("%.1fms", ms)
	}
	return fmt.Sprintf("%.0fms", ms)
}

// oneLine keeps a message to its row: a line break in text from a tool
// would break the layout, and in --format github could start a workflow
// command of its own.
func oneLine(s string) string {
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
}
