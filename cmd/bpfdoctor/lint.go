package main

import (
	"context"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"github.com/bpfdoctor/bpfdoctor/internal/bpfobj"
	"github.com/bpfdoctor/bpfdoctor/internal/checks"
	"github.com/bpfdoctor/bpfdoctor/internal/finding"
	"github.com/bpfdoctor/bpfdoctor/internal/host"
	"github.com/bpfdoctor/bpfdoctor/internal/kver"
	"github.com/bpfdoctor/bpfdoctor/internal/render"
	"github.com/bpfdoctor/bpfdoctor/internal/usage"
)

// The running kernel's BTF, and where its modules' BTF lives.
const (
	kernelBTF  = "/sys/kernel/btf/vmlinux"
	kernelBTFs = "/sys/kernel/btf"
)

type lintOptions struct {
	outputOptions
	btf     []string
	kernels []string
	modules bool
}

func newLintCmd(io IO) *cobra.Command {
	o := &lintOptions{outputOptions: outputOptions{io: io}}
	cmd := &cobra.Command{
		Use:   "lint OBJ.o...",
		Short: "Find the build pitfalls in BPF objects, and kfuncs the kernel lacks",
		Long: `lint reads compiled BPF objects and reports what the kernel or libbpf will
refuse, each with the flag that fixes it: switch tables in .rodata and
.eh_frame from clang's native target, 32-bit long and pointers, missing BTF,
the wrong byte order; and the kfuncs each object calls that the running
kernel's BTF (or --btf FILE) does not have, or has with another prototype.

Verdicts that depend on the machine (switch tables need global data,
kernel >= 5.2; BPF jump tables need libbpf >= 1.7 and kernel >= 6.19; the
byte order) are judged for this host's kernel and libbpf, or with
--kernel VERSION (repeatable) for each kernel a program ships to, with this
host's libbpf: a finding fails if the object fails on any of them, and its
details give the verdict on each. --btf FILE is repeatable too: with several,
each file is a column whose kfuncs are looked up in it (paired with the
--kernel of the same position when there are as many).

Exit codes: 0 nothing failed, 1 something failed (warnings too with --strict),
2 bad usage or an object that cannot be read.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runLint(cmd.Context(), o, args) },
	}
	o.addFlags(cmd)
	addLoadFlag(cmd)
	f := cmd.Flags()
	f.StringArrayVar(&o.btf, "btf", nil, "a kernel BTF to look kfuncs up in: raw BTF or a vmlinux ELF, repeatable: one column each (default: "+kernelBTF+")")
	f.StringArrayVar(&o.kernels, "kernel", nil, "judge for this kernel release (5.15, 6.1.0-18-amd64), repeatable: one verdict per kernel (default: the running kernel)")
	f.BoolVar(&o.modules, "modules", false, "look kfuncs up in the modules' BTF under "+kernelBTFs+" too")
	return cmd
}

func runLint(ctx context.Context, o *lintOptions, paths []string) error {
	if err := o.validate(); err != nil {
		return err
	}
	var kernels []kver.Version
	for _, k := range o.kernels {
		v, ok := kver.Parse(k)
		if !ok {
			return usage.Errorf("--kernel %q: not a kernel release (5.15, 6.1.0-18-amd64)", k)
		}
		kernels = append(kernels, v)
	}
	// Every object is read before anything is reported: an unreadable one
	// is bad input, exit 2 with nothing on stdout.
	objs := make([]*bpfobj.Object, len(paths))
	for i, p := range paths {
		// A signal stops the run between objects: each one is read in
		// linear time, so this is soon.
		if err := stopped(ctx); err != nil {
			return err
		}
		obj, err := bpfobj.Open(p)
		if err != nil {
			return usage.Errorf("%s: %v", p, err)
		}
		objs[i] = obj
	}
	// The kernel's BTF is read only when an object calls kfuncs: it is
	// megabytes, and linting needs no kernel otherwise.
	var ks []*bpfobj.Kernel
	var kerr error
	if slices.ContainsFunc(objs, func(obj *bpfobj.Object) bool { return len(obj.Kfuncs) > 0 }) || len(o.btf) > 0 {
		paths := o.btf
		if len(paths) == 0 {
			paths = []string{""}
		}
		for _, p := range paths {
			k, err := o.kernel(p)
			if err != nil && p != "" {
				// A file the user named that cannot be read is bad
				// input; a machine without kernel BTF is only a
				// skipped check.
				return usage.Errorf("--btf %s: %v", p, err)
			}
			if err != nil {
				kerr = err
				continue
			}
			ks = append(ks, k)
		}
	}
	// The header names the machine: kfuncs were looked up in its kernel,
	// and the verdicts are judged for it unless --kernel names others.
	env, err := newEnv(o.io, host.DefaultTimeout, "")
	if err != nil {
		return err
	}
	here := env.LintTarget()
	targets := lintTargets(here, kernels, o.btf, ks)
	if len(targets) > 0 && targets[0].BTF != nil {
		ks = nil // each column has its own
	}
	var fs []finding.Finding
	for i, p := range paths {
		if err := stopped(ctx); err != nil {
			return err
		}
		fs = append(fs, checks.LintObjectFor(p, objs[i], targets, ks, kerr)...)
	}
	fs = append(fs, o.loadFindings(ctx, paths, objs, fs)...)
	if err := stopped(ctx); err != nil {
		return err
	}
	rep := render.Report{OS: env.OS().PrettyName, Findings: fs}
	rep.Kernel, _ = env.Release()
	return o.report(rep)
}

// kernel reads the kernel BTF at path, or the running kernel's when path
// is empty.
func (o *lintOptions) kernel(path string) (*bpfobj.Kernel, error) {
	h := newHost(o.io)
	named := path != ""
	if path == "" {
		path = h.Abs(kernelBTF)
	}
	mods := ""
	if o.modules {
		mods = h.Abs(kernelBTFs)
	}
	k, err := bpfobj.LoadKernel(path, mods)
	if err != nil {
		return nil, err
	}
	if !named {
		k.Path = kernelBTF
	}
	return k, nil
}

// stopped is the reason ctx was cancelled (interrupted, for a signal), or
// nil while the run may go on.
func stopped(ctx context.Context) error {
	if ctx.Err() == nil {
		return nil
	}
	return context.Cause(ctx)
}

// lintTargets are the columns lint judges for: this host by default; one
// per --kernel; with several --btf files one per file, paired with the
// --kernel of the same position when there are as many, else of an
// unknown kernel (a BTF file does not say its release), so each column's
// kfuncs are looked up in its own BTF.
func lintTargets(here bpfobj.Target, kernels []kver.Version, btfs []string, ks []*bpfobj.Kernel) []bpfobj.Target {
	if len(btfs) > 1 && len(ks) == len(btfs) {
		var ts []bpfobj.Target
		for i, k := range ks {
			var v kver.Version
			if len(kernels) == len(btfs) {
				v = kernels[i]
			}
			t := bpfobj.HostTarget("--btf "+filepath.Base(btfs[i]), v, here.Libbpf)
			t.BTF = k
			ts = append(ts, t)
		}
		return ts
	}
	if len(kernels) == 0 {
		return []bpfobj.Target{here}
	}
	var ts []bpfobj.Target
	for _, v := range kernels {
		ts = append(ts, bpfobj.HostTarget("", v, here.Libbpf))
	}
	return ts
}
