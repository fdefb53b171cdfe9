package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bpfdoctor/bpfdoctor/internal/bootstrap/llvmbuild"
	"github.com/bpfdoctor/bpfdoctor/internal/bootstrap/paholebuild"
	"github.com/bpfdoctor/bpfdoctor/internal/cmake"
	"github.com/bpfdoctor/bpfdoctor/internal/fetch"
	"github.com/bpfdoctor/bpfdoctor/internal/usage"
)

func newBootstrapCmd(io IO) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bootstrap pahole|llvm",
		Short: "Build pahole or LLVM from source where the distribution's is too old",
		Long: `bootstrap builds the two tools package managers get wrong for BPF work:
a pahole that carries its own libbpf, and an LLVM with the BPF back end.
Progress goes to stderr; the result goes to stdout.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return usage.Errorf("bootstrap needs what to build: pahole or llvm")
		},
	}
	cmd.AddCommand(newBootstrapPaholeCmd(io), newBootstrapLLVMCmd(io))
	return cmd
}

// cacheDir is bpfdoctor's cache: $XDG_CACHE_HOME/bpfdoctor, else
// ~/.cache/bpfdoctor.
func cacheDir(io IO) (string, error) {
	if d := io.Getenv("XDG_CACHE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "bpfdoctor"), nil
	}
	if home := io.Getenv("HOME"); filepath.IsAbs(home) {
		return filepath.Join(home, ".cache", "bpfdoctor"), nil
	}
	return "", errors.New("no cache directory: set HOME or XDG_CACHE_HOME, or pass --cache")
}

// barMode draws bars only on a terminal that can take them; elsewhere
// downloads are silent and builds print a line now and then.
func barMode(io IO, elsewhere fetch.Mode) fetch.Mode {
	if io.ErrTTY && io.Getenv("TERM") != "dumb" {
		return fetch.TTY
	}
	return elsewhere
}

// stepLog writes step lines to stderr, first ending any bar drawn on the
// current line.
type stepLog struct {
	w    io.Writer
	bars []*fetch.Bar
}

func (s *stepLog) Write(p []byte) (int, error) {
	for _, b := range s.bars {
		b.Finish()
	}
	return s.w.Write(p)
}

type paholeOptions struct {
	version, url, sha, prefix, cache string
	noBuild, insecure                bool
}

func newBootstrapPaholeCmd(io IO) *cobra.Command {
	o := &paholeOptions{}
	cmd := &cobra.Command{
		Use:   "pahole",
		Short: "Download, verify, build and install a pahole release with its libbpf",
		Long: `bootstrap pahole installs a pahole release built from the maintainer's
tarball (` + paholebuild.ReleaseBase + `), which, unlike GitHub's
release tarballs and git snapshots, carries the libbpf submodule.

The tarball is verified before anything is unpacked: its detached signature
against the dwarves maintainer's key (` + paholebuild.MaintainerFingerprint + `,
built in), or --sha256. It is unpacked safely, built with cmake in Release
mode, installed into a staging directory, and moved into --prefix only when
the staged pahole prints the expected version. Running it again does no work
twice.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runBootstrapPahole(cmd, io, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.version, "version", "", fmt.Sprintf("the release to build (default %s, the newest this bpfdoctor knows; with --url, the one in the file name)", paholebuild.Newest()))
	f.StringVar(&o.url, "url", "", "a mirror's URL (https; http only from localhost) or a local file, instead of "+paholebuild.ReleaseBase)
	f.StringVar(&o.sha, "sha256", "", "the tarball's SHA-256, checked instead of the signature")
	f.StringVar(&o.prefix, "prefix", "", "where to install (default /usr/local as root, ~/.local otherwise)")
	f.StringVar(&o.cache, "cache", "", "where downloads, sources and builds go (default ~/.cache/bpfdoctor/pahole)")
	f.BoolVar(&o.noBuild, "no-build", false, "stop after verifying and unpacking; print the source tree")
	f.BoolVar(&o.insecure, "insecure", false, "build a tarball that cannot be verified (no signature and no --sha256); a failed check is still refused")
	return cmd
}

func runBootstrapPahole(cmd *cobra.Command, io IO, o *paholeOptions) error {
	src, err := paholebuild.NewSource(o.version, o.url, o.sha)
	if err != nil {
		return usage.Wrap(err)
	}
	h := newHost(io)
	prefix := o.prefix
	if prefix == "" {
		if h.UID == 0 {
			prefix = "/usr/local"
		} else if home := io.Getenv("HOME"); filepath.IsAbs(home) {
			prefix = filepath.Join(home, ".local")
		} else {
			return usage.Errorf("no default --prefix: HOME is not set")
		}
	}
	if prefix, err = filepath.Abs(prefix); err != nil {
		return usage.Errorf("--prefix: %v", err)
	}
	dir := o.cache
	if dir == "" {
		root, err := cacheDir(io)
		if err != nil {
			return usage.Wrap(err)
		}
		dir = filepath.Join(root, "pahole")
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return usage.Errorf("--cache: %v", err)
	}

	download := fetch.NewBar(io.ErrOut, src.Name(), barMode(io, fetch.Off), fetch.Bytes)
	build := fetch.NewBar(io.ErrOut, "building pahole "+src.Version.String(), barMode(io, fetch.Lines), fetch.Steps)
	log := &stepLog{w: io.ErrOut, bars: []*fetch.Bar{download, build}}
	if o.insecure {
		fmt.Fprintln(log, "WARNING: --insecure: a tarball that cannot be verified will be built and installed anyway")
	}
	res, err := paholebuild.Bootstrap(cmd.Context(), h, paholebuild.Options{
		Source:        src,
		Dir:           dir,
		Prefix:        prefix,
		NoBuild:       o.noBuild,
		Insecure:      o.insecure,
		Jobs:          runtime.NumCPU(),
		Fetch:         fetch.Options{Progress: download.Update, Warn: log},
		Log:           log,
		BuildProgress: build.Update,
	})
	download.Finish()
	build.Finish()
	if err != nil {
		return err
	}
	if o.noBuild {
		fmt.Fprintf(io.Out, "pahole %s source, verified (%s): %s\n", res.Version, res.Verified, res.Tree)
		return nil
	}
	if res.AlreadyInstalled {
		fmt.Fprintf(io.ErrOut, "%s already prints v%s; nothing to do\n", res.Pahole, res.Version)
	}
	fmt.Fprintf(io.Out, "pahole %s is installed at %s\n", res.Version, res.Pahole)
	if res.PathLine != "" {
		fmt.Fprintf(io.Out, "PATH does not find this pahole first; to use it:\n  %s\n", res.PathLine)
	}
	return nil
}

type llvmOptions struct {
	src, ref, buildDir, prefix, targets, projects string
	jobs, linkJobs                                int
	dryRun                                        bool
}

func newBootstrapLLVMCmd(io IO) *cobra.Command {
	o := &llvmOptions{}
	cmd := &cobra.Command{
		Use:   "llvm",
		Short: "Configure and build LLVM and clang with the BPF back end (or --dry-run the plan)",
		Long: `bootstrap llvm builds LLVM and clang from source with Ninja, as
bpf_devel_QA.rst recommends when the distribution's LLVM is too old: the BPF
and host targets, a Release build, lld and ccache when present, and as many
parallel links as memory allows (linking clang takes gigabytes).

It checks git, cmake, ninja, the C++ compiler, disk and memory first. Ctrl-C
stops ninja cleanly; running the same command again resumes the build.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runBootstrapLLVM(cmd, io, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.src, "src", "", "an llvm-project checkout to build")
	f.StringVar(&o.ref, "ref", "", "the llvm-project tag or branch to clone, shallow (default "+llvmbuild.DefaultRef+")")
	f.StringVar(&o.buildDir, "build-dir", "", "the build directory (default SRC/build, or one in ~/.cache/bpfdoctor/llvm)")
	f.StringVar(&o.prefix, "prefix", "", "install there when the build is done (default: use it from the build directory)")
	f.StringVar(&o.targets, "targets", "", `LLVM_TARGETS_TO_BUILD (default: BPF and the host's target, e.g. "BPF;X86")`)
	f.StringVar(&o.projects, "projects", "clang", "LLVM_ENABLE_PROJECTS")
	f.IntVar(&o.jobs, "jobs", 0, "parallel compile jobs (default: ninja's)")
	f.IntVar(&o.linkJobs, "link-jobs", 0, "parallel link jobs (default: from the available memory)")
	f.BoolVar(&o.dryRun, "dry-run", false, "print the preflight results and every command; run nothing")
	return cmd
}

func runBootstrapLLVM(cmd *cobra.Command, io IO, o *llvmOptions) error {
	if cmd.Flags().Changed("jobs") && o.jobs <= 0 || cmd.Flags().Changed("link-jobs") && o.linkJobs <= 0 {
		return usage.Errorf("--jobs and --link-jobs must be positive")
	}
	h := newHost(io)
	cache := ""
	if root, err := cacheDir(io); err == nil {
		cache = filepath.Join(root, "llvm")
	}
	plan, err := llvmbuild.NewPlan(cmd.Context(), h, llvmbuild.Options{
		Src: o.src, Ref: o.ref, CacheDir: cache, BuildDir: o.buildDir, Prefix: o.prefix,
		Targets: o.targets, Projects: o.projects, Jobs: o.jobs, LinkJobs: o.linkJobs,
		HostArch: runtime.GOARCH, CPUs: runtime.NumCPU(), CXX: io.Getenv("CXX"),
	})
	if err != nil {
		return err // a usage.Error from a bad option exits 2
	}
	blocked := plan.Blocked()
	if o.dryRun {
		plan.WriteDryRun(io.Out)
		if len(blocked) > 0 {
			return exitError{exitFail}
		}
		return nil
	}
	fmt.Fprintln(io.ErrOut, "Preflight:")
	plan.WritePreflight(io.ErrOut)
	if len(blocked) > 0 {
		var names []string
		for _, c := range blocked {
			names = append(names, c.Name)
		}
		return fmt.Errorf("cannot build LLVM: fix %s first (see the preflight above)", strings.Join(names, ", "))
	}
	bar := fetch.NewBar(io.ErrOut, "building LLVM", barMode(io, fetch.Lines), fetch.Steps)
	log := &stepLog{w: io.ErrOut, bars: []*fetch.Bar{bar}}
	res, err := plan.Run(cmd.Context(), h, llvmbuild.RunOptions{
		Log:      log,
		Progress: func(s cmake.Status) { bar.Update(s.Done, s.Total) },
	})
	bar.Finish()
	if err != nil {
		return err
	}
	if res.NoWork {
		fmt.Fprintln(io.ErrOut, "ninja had no work to do: the build is complete")
	}
	fmt.Fprintf(io.Out, "%s: %s with the BPF back end\n", res.LLCPath, res.LLC.Version)
	fmt.Fprintf(io.Out, "to use it:\n  %s\n", plan.PathLine())
	return nil
}
