package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"
	"github.com/bpfdoctor/bpfdoctor/internal/render"
	"github.com/bpfdoctor/bpfdoctor/internal/usage"
)

// outputOptions are the flags every command that reports findings shares:
// check, kconfig diff, lint.
type outputOptions struct {
	io      IO
	strict  bool
	verbose bool
	color   string
	format  string
}

func (o *outputOptions) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.BoolVar(&o.strict, "strict", false, "warnings fail the run too")
	f.BoolVarP(&o.verbose, "verbose", "v", false, "show details, where each finding came from and each check's time")
	f.StringVar(&o.color, "color", "auto", "colour: auto, always or never (NO_COLOR is honoured)")
	f.StringVar(&o.format, "format", "text", "output format: "+strings.Join(render.Formats, ", "))
}

// validate checks the flags before any work, so bad usage exits 2 at once.
func (o *outputOptions) validate() error {
	if !slices.Contains(render.Formats, o.format) {
		return usage.Errorf("invalid --format %q: want %s", o.format, strings.Join(render.Formats, ", "))
	}
	_, err := o.useColor()
	return err
}

// useColor decides colour once, for the stream the report goes to.
func (o *outputOptions) useColor() (bool, error) {
	switch o.color {
	case "always":
		return true, nil
	case "never":
		return false, nil
	case "auto":
		return o.io.OutTTY && o.io.Getenv("NO_COLOR") == "" && o.io.Getenv("TERM") != "dumb", nil
	}
	return false, usage.Errorf("invalid --color %q: want auto, always or never", o.color)
}

// report writes the findings to stdout in the chosen format and turns them
// into the exit code: 1 when something failed (or warned, with --strict).
func (o *outputOptions) report(rep render.Report) error {
	color, err := o.useColor()
	if err != nil {
		return err
	}
	if rep.Version == "" {
		rep.Version = bpfdoctorVersion()
	}
	if err := render.Write(o.io.Out, o.format, rep, render.Options{Color: color && o.format == "text", Verbose: o.verbose, Strict: o.strict}); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if finding.Failed(rep.Findings, o.strict) {
		return exitError{exitFail}
	}
	return nil
}
