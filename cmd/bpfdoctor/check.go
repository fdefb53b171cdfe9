package main

import (
	"context"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/bpfdoctor/bpfdoctor/internal/checks"
	"github.com/bpfdoctor/bpfdoctor/internal/host"
	"github.com/bpfdoctor/bpfdoctor/internal/kconfig"
	"github.com/bpfdoctor/bpfdoctor/internal/render"
)

type checkOptions struct {
	outputOptions
	only    []string
	skip    []string
	timeout time.Duration
	config  string
	src     string
}

func addCheckFlags(cmd *cobra.Command, o *checkOptions) {
	o.addFlags(cmd)
	f := cmd.Flags()
	f.StringSliceVar(&o.only, "only", nil, "run only these areas: llvm, clang, pahole, kernel, kconfig, libbpf")
	f.StringSliceVar(&o.skip, "skip", nil, "leave out these check IDs (see `bpfdoctor list`)")
	f.DurationVar(&o.timeout, "timeout", host.DefaultTimeout, "deadline for each external command")
	f.StringVar(&o.config, "config", "", "the kernel config to judge (default: the running kernel's)")
	f.StringVar(&o.src, "kernel-src", "", "a kernel tree: its selftest fragments, version and Kconfig")
}

func runCheck(ctx context.Context, o *checkOptions) error {
	if err := o.validate(); err != nil {
		return err
	}
	if o.timeout <= 0 {
		return usagef("invalid --timeout %s: must be positive", o.timeout)
	}
	cs, err := checks.Select(checks.All(), o.only, o.skip)
	if err != nil {
		return usageError{err}
	}
	env, err := newEnv(o.io, o.timeout, o.config)
	if err != nil {
		return err
	}
	if o.src != "" {
		if fi, err := os.Stat(o.src); err != nil || !fi.IsDir() {
			return usagef("--kernel-src %s: not a directory", o.src)
		}
		env.KernelSrc = o.src
	}
	rep := render.Report{OS: env.OS().PrettyName, Findings: checks.Run(ctx, env, cs)}
	rep.Kernel, _ = env.Release()
	return o.report(rep)
}

// newEnv builds the run's environment on the real machine: the command
// deadline, and the kernel config named with --config, read up front
// because an unreadable one is bad input (exit 2), not a finding.
func newEnv(io IO, timeout time.Duration, config string) (*checks.Env, error) {
	h := host.Real()
	h.Timeout = timeout
	// Only tests set this: a directory standing in for /, with its own
	// /proc and /sys.
	if root := io.Getenv("BPFDOCTOR_ROOT"); root != "" {
		h.Root = root
	}
	env := checks.NewEnv(h)
	if config != "" {
		cfg, err := kconfig.Load(config)
		if err != nil {
			return nil, usageError{err}
		}
		env.Config, env.ConfigPath = cfg, config
	}
	return env, nil
}
