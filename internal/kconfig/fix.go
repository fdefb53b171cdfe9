package kconfig

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/bpfdoctor/bpfdoctor/internal/shell"
)

// Fix formats.
const (
	// FixFragment is a config fragment for scripts/kconfig/merge_config.sh.
	FixFragment = "fragment"
	// FixScript is a shell script of scripts/config commands followed by
	// make olddefconfig.
	FixScript = "script"
)

// FixFormats lists the formats WriteFix accepts.
var FixFormats = []string{FixFragment, FixScript}

// WriteFix writes the lines the config still needs, root causes first,
// each group under a comment naming its cause. It writes only to w: the
// config itself is never touched.
func WriteFix(w io.Writer, x *Explanation, format string) error {
	bw := bufio.NewWriter(w)
	switch format {
	case FixFragment:
		writeFragment(bw, x)
	case FixScript:
		writeScript(bw, x)
	default:
		return fmt.Errorf("write fix: unknown format %q (want %s)", format, strings.Join(FixFormats, " or "))
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write fix: %w", err)
	}
	return nil
}

func header(bw *bufio.Writer, x *Explanation, lead string) {
	d := x.Diff
	fmt.Fprintf(bw, "%s Written by bpfdoctor kconfig fix: what %s still needs for the BPF\n", lead, d.Config)
	fmt.Fprintf(bw, "%s selftests config %s.\n", lead, d.Set.Label())
	missing, lines := x.Missing(), len(x.Fix)
	fmt.Fprintf(bw, "%s %d of %d wanted options missing; %d lines, root causes first.\n", lead, missing, len(d.Items), lines)
	if len(x.Refused) > 0 {
		fmt.Fprintf(bw, "%s The kernel's Kconfig is expected to refuse %d of them; see the comments.\n", lead, len(x.Refused))
	} else if x.NoTree != "" {
		fmt.Fprintf(bw, "%s The tree's Kconfig was not used (%s), so dependencies outside the fragments are not added.\n", lead, x.NoTree)
	} else if !x.Tree {
		fmt.Fprintf(bw, "%s Without --kernel-src, dependencies outside the fragments are not added.\n", lead)
	}
}

// groups yields the fix lines by cause, in order.
func groups(x *Explanation) [][]FixLine {
	var out [][]FixLine
	for i, l := range x.Fix {
		if i == 0 || l.Cause != x.Fix[i-1].Cause {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], l)
	}
	return out
}

func causeComment(x *Explanation, text string) string {
	for _, c := range x.Causes {
		if c.Text == text {
			s := c.Summary(0)
			if c.Kind == CauseRefused {
				s = "expected to be refused: " + s
			}
			return s
		}
	}
	return text
}

func writeFragment(bw *bufio.Writer, x *Explanation) {
	header(bw, x, "#")
	fmt.Fprintf(bw, "# Merge it in the kernel tree:\n#   scripts/kconfig/merge_config.sh .config THIS-FILE\n")
	if len(x.Fix) == 0 {
		fmt.Fprintf(bw, "#\n# Nothing to add.\n")
		return
	}
	for _, g := range groups(x) {
		fmt.Fprintf(bw, "\n# %s\n", causeComment(x, g[0].Cause))
		for _, l := range g {
			fmt.Fprintln(bw, l.Entry.String())
		}
	}
}

func writeScript(bw *bufio.Writer, x *Explanation) {
	fmt.Fprintln(bw, "#!/bin/sh")
	header(bw, x, "#")
	fmt.Fprint(bw, `# Run it at the top of the kernel tree: it edits ${KCONFIG_CONFIG:-.config}
# with scripts/config, then make olddefconfig settles the rest.
set -e
config=${KCONFIG_CONFIG:-.config}
# set_opt NAME ACTION [VALUE]: drop the option's line, then add it at the
# end, so that a later line wins as with merge_config.sh.
set_opt() { scripts/config --file "$config" --keep-case --undefine "$1" "$2" "$1" ${3+"$3"}; }
`)
	for _, g := range groups(x) {
		fmt.Fprintf(bw, "\n# %s\n", causeComment(x, g[0].Cause))
		for _, l := range g {
			fmt.Fprintln(bw, scriptLine(l.Entry))
		}
	}
	fmt.Fprint(bw, "\nmake olddefconfig KCONFIG_CONFIG=\"$config\"\n")
}

// scriptLine is the scripts/config call that writes the entry.
func scriptLine(e Entry) string {
	switch e.Kind {
	case NotSet:
		return "set_opt " + e.Symbol + " --disable"
	case Tristate:
		if e.Value == "m" {
			return "set_opt " + e.Symbol + " --module"
		}
		return "set_opt " + e.Symbol + " --enable"
	case String:
		return "set_opt " + e.Symbol + " --set-str " + shell.Quote(e.Value)
	}
	return "set_opt " + e.Symbol + " --set-val " + shell.Quote(e.Value)
}
