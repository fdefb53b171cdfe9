package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bpfdoctor/bpfdoctor/internal/checks"
	"github.com/bpfdoctor/bpfdoctor/internal/finding"
	"github.com/bpfdoctor/bpfdoctor/internal/host"
	"github.com/bpfdoctor/bpfdoctor/internal/kconfig"
	"github.com/bpfdoctor/bpfdoctor/internal/ktree"
	"github.com/bpfdoctor/bpfdoctor/internal/render"
	"github.com/bpfdoctor/bpfdoctor/internal/require"
	"github.com/bpfdoctor/bpfdoctor/internal/usage"
)

type checkOptions struct {
	outputOptions
	only    []string
	skip    []string
	timeout time.Duration
	config  string
	src     string
	require []string
}

func addCheckFlags(cmd *cobra.Command, o *checkOptions) {
	o.addFlags(cmd)
	f := cmd.Flags()
	f.StringSliceVar(&o.only, "only", nil, "run only these areas: "+strings.Join(checkAreas(), ", "))
	f.StringSliceVar(&o.skip, "skip", nil, "leave out these check IDs (see `bpfdoctor list`)")
	f.DurationVar(&o.timeout, "timeout", host.DefaultTimeout, "deadline for each external command")
	f.StringVar(&o.config, "config", "", "the kernel config to judge (default: the running kernel's)")
	f.StringVar(&o.src, "kernel-src", "", "a kernel tree: its selftests (build and run), fragments, version and Kconfig (default: the tree around the current directory)")
	f.StringArrayVar(&o.require, "require", nil, "fail unless this holds (repeatable): "+requireExamples())
}

// checkAreas are the areas --only takes: those of finding.Areas that have
// checks, in report order.
func checkAreas() []string {
	all := checks.All()
	var n []string
	for _, a := range finding.Areas {
		if slices.ContainsFunc(all, func(c checks.Check) bool { return c.Area == a.Name }) {
			n = append(n, a.Name)
		}
	}
	return n
}

// requireExamples is one example of each name --require takes.
func requireExamples() string {
	var e []string
	for _, d := range require.Docs() {
		e = append(e, "'"+d.Example+"'")
	}
	return strings.Join(e[:len(e)-1], ", ") + " or " + e[len(e)-1]
}

func runCheck(ctx context.Context, o *checkOptions) error {
	if err := o.validate(); err != nil {
		return err
	}
	cs, err := checks.Select(checks.All(), o.only, o.skip)
	if err != nil {
		return usage.Wrap(err)
	}
	var reqs []require.Requirement
	for _, expr := range o.require {
		r, err := require.Parse(expr)
		if err != nil {
			return usage.Wrap(err)
		}
		reqs = append(reqs, r)
		cs = checks.WithIDs(cs, []string{r.Check()})
	}
	env, err := newEnv(o.io, o.timeout, o.config)
	if err != nil {
		return err
	}
	if o.src != "" {
		if fi, err := os.Stat(o.src); err != nil || !fi.IsDir() {
			return usage.Errorf("--kernel-src %s: not a directory", o.src)
		}
		env.KernelSrc = o.src
	} else if wd, err := os.Getwd(); err == nil {
		// Inside a kernel tree, that tree is the one the selftests
		// area judges, as `make` there would build it.
		if top, ok := ktree.Around(wd); ok {
			env.KernelSrc = top
		}
	}
	if env.KernelSrc == "" && !slices.Contains(o.only, "selftests") {
		// Without a tree the area has nothing to say: leave it out
		// rather than print a column of skips.
		cs = slices.DeleteFunc(cs, func(c checks.Check) bool {
			return c.Area == "selftests" && !slices.ContainsFunc(reqs, func(r require.Requirement) bool { return r.Check() == c.ID })
		})
	}
	findings := checks.Run(ctx, env, cs)
	findings = append(findings, judge(reqs, findings)...)
	rep := render.Report{OS: env.OS().PrettyName, Findings: findings}
	rep.Kernel, _ = env.Release()
	return o.report(rep)
}

// newEnv builds the run's environment on the real machine: the command
// deadline, and the kernel config named with --config, read up front
// because an unreadable one is bad input (exit 2), not a finding.
func newEnv(io IO, timeout time.Duration, config string) (*checks.Env, error) {
	// Here, so that check and report validate --timeout alike.
	if timeout <= 0 {
		return nil, usage.Errorf("invalid --timeout %s: must be positive", timeout)
	}
	h := newHost(io)
	h.Timeout = timeout
	env := checks.NewEnv(h)
	if config != "" {
		// A directory opens, then fails to read with the path twice over.
		if fi, err := os.Stat(config); err == nil && fi.IsDir() {
			return nil, usage.Errorf("load kernel config %s: is a directory", config)
		}
		cfg, err := kconfig.Load(config)
		if err != nil {
			return nil, usage.Wrap(err)
		}
		env.Config, env.ConfigPath = cfg, config
	}
	return env, nil
}

// judge turns each requirement into its finding. IDs stay stable and
// unique: require.clang, then require.clang-2 for a second clang bound.
func judge(reqs []require.Requirement, fs []finding.Finding) []finding.Finding {
	var out []finding.Finding
	seen := map[string]int{}
	for _, r := range reqs {
		seen[r.Name]++
		id := "require." + r.Name
		if n := seen[r.Name]; n > 1 {
			id = fmt.Sprintf("%s-%d", id, n)
		}
		out = append(out, r.Judge(id, fs))
	}
	return out
}
