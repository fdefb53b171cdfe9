package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bpfdoctor/bpfdoctor/internal/checks"
	"github.com/bpfdoctor/bpfdoctor/internal/host"
	"github.com/bpfdoctor/bpfdoctor/internal/kconfig"
	"github.com/bpfdoctor/bpfdoctor/internal/ktree"
	"github.com/bpfdoctor/bpfdoctor/internal/render"
	"github.com/bpfdoctor/bpfdoctor/internal/shell"
	"github.com/bpfdoctor/bpfdoctor/internal/usage"
)

type kconfigOptions struct {
	outputOptions
	config    string
	src       string
	arch      string
	vm        bool
	fragments []string
	set       string
	out       string // fix: -o
	as        string // fix: fragment or script
}

func newKconfigCmd(io IO) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "kconfig",
		Short: "Compare the kernel config with the BPF selftests' config fragments, and fix it",
		Long: `bpfdoctor kconfig compares a kernel config with the BPF selftests' config
fragments (tools/testing/selftests/bpf/config, config.ARCH and, with --vm,
config.vm), as Documentation/bpf/bpf_devel_QA.rst asks, and groups what is
missing by root cause.

The fragments come from --fragment files, else the --kernel-src tree, else
the set built into bpfdoctor for the kernel's version (6.1, 6.12, 7.2:
the newest not newer than the kernel). With --kernel-src,
the tree's Kconfig files name the option that hides each missing one, the
fix adds the parents the fragments assume, and the options the kernel will
refuse anyway are named with the reason.`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newKconfigDiffCmd(io), newKconfigFixCmd(io))
	return cmd
}

func addKconfigFlags(cmd *cobra.Command, o *kconfigOptions) {
	f := cmd.Flags()
	f.StringVar(&o.config, "config", "", "the kernel config to judge (default: the running kernel's)")
	f.StringVar(&o.src, "kernel-src", "", "a kernel tree: its selftests fragments, version and Kconfig")
	f.StringVar(&o.arch, "arch", "", "architecture for config.ARCH: x86_64, aarch64, s390x, riscv64, ppc64le (default: the config's, else uname -m)")
	f.BoolVar(&o.vm, "vm", false, "add config.vm (virtio and 9p, for running the selftests in a VM)")
	f.StringArrayVar(&o.fragments, "fragment", nil, "a fragment file to judge against, instead of the selftests' (repeatable; later files win)")
	f.StringVar(&o.set, "set", "", "use this built-in fragment set: "+embeddedNames())
}

func embeddedNames() string {
	var n []string
	for _, e := range kconfig.EmbeddedSets() {
		n = append(n, e.Label())
	}
	return strings.Join(n, ", ")
}

func newKconfigDiffCmd(io IO) *cobra.Command {
	o := &kconfigOptions{outputOptions: outputOptions{io: io}}
	cmd := &cobra.Command{
		Use:   "diff",
		Short: "Show which options of the selftests config the kernel config lacks, by root cause",
		Long: `Show which options of the BPF selftests config the kernel config lacks,
grouped by root cause, each with its fix. Exit codes: 0 nothing missing,
1 wanted options are missing, 2 bad usage or unreadable input.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runKconfigDiff(cmd.Context(), o) },
	}
	o.addFlags(cmd)
	addKconfigFlags(cmd, o)
	return cmd
}

func newKconfigFixCmd(io IO) *cobra.Command {
	o := &kconfigOptions{outputOptions: outputOptions{io: io}}
	cmd := &cobra.Command{
		Use:   "fix",
		Short: "Write the lines the kernel config still needs, as a fragment or as scripts/config commands",
		Long: `Write the lines the kernel config still needs for the BPF selftests, root
causes first: a fragment for scripts/kconfig/merge_config.sh (the default),
or a shell script of scripts/config commands followed by make olddefconfig
(--as script). The config itself is never modified.

  bpfdoctor kconfig fix -o bpf-selftests.config
  scripts/kconfig/merge_config.sh .config bpf-selftests.config`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runKconfigFix(cmd.Context(), o) },
	}
	addKconfigFlags(cmd, o)
	cmd.Flags().StringVarP(&o.out, "output", "o", "", "write to this file instead of stdout")
	cmd.Flags().StringVar(&o.as, "as", kconfig.FixFragment, "output: fragment (for merge_config.sh) or script (scripts/config commands)")
	return cmd
}

// judge reads the config, the tree and the fragments the flags name and
// judges the config. Unreadable files and bad flags are usage errors.
func (o *kconfigOptions) judge(ctx context.Context) (*checks.Env, ktree.Request, *ktree.Result, string, error) {
	var req ktree.Request
	env, err := newEnv(o.io, host.DefaultTimeout, o.config)
	if err != nil {
		return nil, req, nil, "", err
	}
	if o.src != "" {
		if fi, err := os.Stat(o.src); err != nil || !fi.IsDir() {
			return nil, req, nil, "", usage.Errorf("--kernel-src %s: not a directory", o.src)
		}
		env.KernelSrc = o.src
	}
	cfg, path, err := env.KernelConfig()
	var nf *kconfig.NotFoundError
	switch {
	case errors.As(err, &nf):
		return nil, req, nil, "", fmt.Errorf("%w; name one with --config FILE", err)
	case err != nil:
		return nil, req, nil, "", err
	case cfg.Len() == 0:
		// An empty file (or /dev/null) is no config to judge: every
		// option would be "missing".
		return nil, req, nil, "", usage.Errorf("no options in %s: not a kernel config", path)
	}
	req, err = env.KconfigRequest()
	if err != nil {
		return nil, req, nil, "", usage.Wrap(err)
	}
	if o.arch != "" {
		a, err := kconfig.LookupArch(o.arch)
		if err != nil {
			return nil, req, nil, "", usage.Errorf("--arch: %v", err)
		}
		req.Arch, req.ArchFrom = &a, "--arch"
	}
	req.VM, req.Set = o.vm, o.set
	for _, p := range o.fragments {
		cfg, err := kconfig.Load(p)
		if err != nil {
			return nil, req, nil, "", usage.Errorf("--fragment: %v", err)
		}
		req.Fragments = append(req.Fragments, kconfig.Fragment{Name: filepath.Base(p), Path: p, Config: cfg})
	}
	res, err := ktree.JudgeContext(ctx, req)
	if ctx.Err() != nil {
		return nil, req, nil, "", stopped(ctx)
	}
	if err != nil {
		return nil, req, nil, "", usage.Wrap(err)
	}
	return env, req, res, path, nil
}

// fixCommand repeats the run's choices as a `bpfdoctor kconfig fix` line.
func (o *kconfigOptions) fixCommand() string {
	args := []string{"bpfdoctor", "kconfig", "fix"}
	add := func(flag, v string) {
		if v != "" {
			args = append(args, flag, shell.Quote(v))
		}
	}
	add("--config", o.config)
	add("--kernel-src", o.src)
	add("--arch", o.arch)
	add("--set", o.set)
	for _, f := range o.fragments {
		add("--fragment", f)
	}
	if o.vm {
		args = append(args, "--vm")
	}
	return strings.Join(append(args, "-o", "bpf-selftests.config"), " ")
}

func runKconfigDiff(ctx context.Context, o *kconfigOptions) error {
	if err := o.validate(); err != nil {
		return err
	}
	env, req, res, path, err := o.judge(ctx)
	if err != nil {
		return err
	}
	rep := render.Report{OS: env.OS().PrettyName, Findings: checks.KconfigFindings(req, res, path, o.fixCommand())}
	rep.Kernel, _ = env.Release()
	return o.report(rep)
}

func runKconfigFix(ctx context.Context, o *kconfigOptions) error {
	if !slices.Contains(kconfig.FixFormats, o.as) {
		return usage.Errorf("invalid --as %q: want %s", o.as, strings.Join(kconfig.FixFormats, " or "))
	}
	toFile := o.out != "" && o.out != "-"
	if toFile {
		if err := notTheConfig(o.out, o.config); err != nil {
			return err
		}
	}
	env, _, res, path, err := o.judge(ctx)
	if err != nil {
		return err
	}
	x := res.Explanation
	if !toFile {
		return kconfig.WriteFix(o.io.Out, x, o.as)
	}
	// The discovered config (/boot/config-$(uname -r)) is as much the
	// input as --config.
	if o.config == "" && path != "" {
		if err := notTheConfig(o.out, env.Host.Abs(path)); err != nil {
			return err
		}
	}
	var buf bytes.Buffer
	if err := kconfig.WriteFix(&buf, x, o.as); err != nil {
		return err
	}
	if err := host.WriteFileAtomic(o.out, buf.Bytes(), 0o644); err != nil {
		if errors.Is(err, host.ErrNotRegular) {
			return usage.Wrap(err)
		}
		return err
	}
	fmt.Fprintf(o.io.ErrOut, "bpfdoctor: wrote %d lines to %s (%d of %d options missing", len(x.Fix), o.out, x.Missing(), len(x.Diff.Items))
	if n := len(x.Refused); n > 0 {
		fmt.Fprintf(o.io.ErrOut, ", %d of them refused by the kernel's Kconfig", n)
	}
	fmt.Fprintln(o.io.ErrOut, ")")
	return nil
}

// notTheConfig refuses an output file that is the config being judged,
// also through a symlink or a hard link: the fix never modifies its input.
func notTheConfig(out, config string) error {
	if config == "" {
		return nil
	}
	a, err1 := os.Stat(out)
	b, err2 := os.Stat(config)
	if err1 == nil && err2 == nil && os.SameFile(a, b) {
		return usage.Errorf("-o %s is the config being judged: bpfdoctor never modifies it; write the fix to another file", out)
	}
	return nil
}
