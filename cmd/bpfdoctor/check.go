package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bpfdoctor/bpfdoctor/internal/checks"
	"github.com/bpfdoctor/bpfdoctor/internal/host"
	"github.com/bpfdoctor/bpfdoctor/internal/kconfig"
	"github.com/bpfdoctor/bpfdoctor/internal/render"
)

type checkOptions struct {
	io      IO
	only    []string
	skip    []string
	strict  bool
	verbose bool
	timeout time.Duration
	color   string
	format  string
	config  string
	src     string
}

func addCheckFlags(cmd *cobra.Command, o *checkOptions) {
	f := cmd.Flags()
	f.StringSliceVar(&o.only, "only", nil, "run only these areas: llvm, clang, pahole, kernel, kconfig, libbpf")
	f.StringSliceVar(&o.skip, "skip", nil, "leave out these check IDs (see `bpfdoctor list`)")
	f.BoolVar(&o.strict, "strict", false, "warnings fail the run too")
	f.BoolVarP(&o.verbose, "verbose", "v", false, "show details, where each finding came from and each check's time")
	f.DurationVar(&o.timeout, "timeout", host.DefaultTimeout, "deadline for each external command")
	f.StringVar(&o.color, "color", "auto", "colour: auto, always or never (NO_COLOR is honoured)")
	f.StringVar(&o.format, "format", "text", "output format: "+strings.Join(render.Formats, ", "))
	f.StringVar(&o.config, "config", "", "the kernel config to judge (default: the running kernel's)")
	f.StringVar(&o.src, "kernel-src", "", "a kernel tree: its selftest fragments, version and Kconfig")
}

// useColor decides colour once, for the stream the report goes to.
func (o *checkOptions) useColor() (bool, error) {
	switch o.color {
	case "always":
		return true, nil
	case "never":
		return false, nil
	case "auto":
		return o.io.OutTTY && o.io.Getenv("NO_COLOR") == "" && o.io.Getenv("TERM") != "dumb", nil
	}
	return false, usagef("invalid --color %q: want auto, always or never", o.color)
}

func runCheck(ctx context.Context, o *checkOptions) error {
	if !slices.Contains(render.Formats, o.format) {
		return usagef("invalid --format %q: want %s", o.format, strings.Join(render.Formats, ", "))
	}
	color, err := o.useColor()
	if err != nil {
		return err
	}
	if o.timeout <= 0 {
		return usagef("invalid --timeout %s: must be positive", o.timeout)
	}
	cs, err := checks.Select(checks.All(), o.only, o.skip)
	if err != nil {
		return usageError{err}
	}

	h := host.Real()
	h.Timeout = o.timeout
	// Only tests set this: a directory standing in for /, with its own
	// /proc and /sys.
	if root := o.io.Getenv("BPFDOCTOR_ROOT"); root != "" {
		h.Root = root
	}
	env := checks.NewEnv(h)
	env.KernelSrc = o.src
	if o.config != "" {
		// A config named on the command line that cannot be read is bad
		// input, not a finding.
		cfg, err := kconfig.Load(o.config)
		if err != nil {
			return usageError{err}
		}
		env.Config, env.ConfigPath = cfg, o.config
	}

	findings := checks.Run(ctx, env, cs)
	rep := render.Report{Version: bpfdoctorVersion(), OS: env.OS().PrettyName, Findings: findings}
	rep.Kernel, _ = env.Release()
	if err := render.Write(o.io.Out, o.format, rep, render.Options{Color: color && o.format == "text", Verbose: o.verbose}); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if checks.Failed(findings, o.strict) {
		return exitError{exitFail}
	}
	return nil
}
