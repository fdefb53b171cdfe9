package llvmbuild

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bpfdoctor/bpfdoctor/internal/cmake"
	"github.com/bpfdoctor/bpfdoctor/internal/host"
	"github.com/bpfdoctor/bpfdoctor/internal/llvm"
)

// RunOptions are where a build reports.
type RunOptions struct {
	// Log gets one line per step and, on failure, the log's tail.
	Log io.Writer
	// Progress gets ninja's [done/total] as it goes.
	Progress func(s cmake.Status)
	// LogPath is the build log; "" is <build>/bpfdoctor-build.log. Runs
	// append to it.
	LogPath string
}

// Result is what a finished build gives.
type Result struct {
	LLC llvm.LLC
	// LLCPath is the llc checked last: the installed one with a prefix.
	LLCPath string
	// Configured: cmake ran (the cache did not match the plan).
	Configured bool
	// FirstStatus is ninja's first [n/N] of this run, zero when ninja had
	// no work: a resumed build starts with a smaller N.
	FirstStatus cmake.Status
	NoWork      bool
	LogPath     string
}

// ErrInterrupted is wrapped when the build was stopped (Ctrl-C); running
// it again resumes.
var ErrInterrupted = errors.New("interrupted")

// Run executes the plan: clone (unless the tree is there), configure
// (unless the build directory's cache already holds the plan), build with
// ninja (which resumes where a stopped run left off), check that the new
// llc has the BPF back end, and install when there is a prefix.
func (p *Plan) Run(ctx context.Context, h *host.Host, o RunOptions) (res *Result, err error) {
	if b := p.Blocked(); len(b) > 0 {
		var what []string
		for _, c := range b {
			s := c.Name + " (" + c.Detail
			if c.Fix != "" {
				s += ": " + c.Fix
			}
			what = append(what, s+")")
		}
		return nil, fmt.Errorf("build LLVM: preflight failed: %s", strings.Join(what, "; "))
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if err := os.MkdirAll(p.BuildDir, 0o755); err != nil {
		return nil, fmt.Errorf("build LLVM: %w", err)
	}
	res = &Result{LogPath: o.LogPath}
	if res.LogPath == "" {
		res.LogPath = filepath.Join(p.BuildDir, "bpfdoctor-build.log")
	}
	logf, err := os.OpenFile(res.LogPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("build LLVM: %w", err)
	}
	defer logf.Close()
	fmt.Fprintf(logf, "\n=== bpfdoctor bootstrap llvm, %s ===\n", time.Now().Format(time.RFC3339))
	defer func() {
		if err != nil && !errors.Is(err, ErrInterrupted) {
			logf.Sync()
			host.WriteTail(o.Log, res.LogPath, 25)
			err = fmt.Errorf("%w; full log: %s", err, res.LogPath)
		}
	}()
	step := func(args []string) error {
		fmt.Fprintf(logf, "$ %s\n", DisplayCommand(args))
		return h.Stream(ctx, host.StreamOptions{Out: logf}, args[0], args[1:]...)
	}

	if p.Clone != nil {
		if _, err := os.Stat(filepath.Join(p.SrcDir, "llvm", "CMakeLists.txt")); err == nil {
			fmt.Fprintf(o.Log, "using the checkout %s\n", p.SrcDir)
		} else {
			// git removes a directory it was cloning into when stopped,
			// so anything left there is not a checkout of ours.
			if err := os.MkdirAll(filepath.Dir(p.SrcDir), 0o755); err != nil {
				return res, fmt.Errorf("clone llvm-project: %w", err)
			}
			fmt.Fprintf(o.Log, "cloning llvm-project at %s (shallow) into %s\n", p.Ref, p.SrcDir)
			if err := step(p.Clone); err != nil {
				return res, wrapStep(ctx, "clone llvm-project", err)
			}
		}
	}

	configured, why, err := p.configured()
	if err != nil {
		return res, err
	}
	if configured {
		fmt.Fprintf(o.Log, "%s is configured for this plan; not running cmake again\n", p.BuildDir)
	} else {
		fmt.Fprintf(o.Log, "configuring %s (%s)\n", p.BuildDir, why)
		if err := step(p.Configure); err != nil {
			return res, wrapStep(ctx, "configure LLVM", err)
		}
		res.Configured = true
	}

	fmt.Fprintf(o.Log, "building with ninja (log: %s)\n", res.LogPath)
	fmt.Fprintf(logf, "$ %s\n", DisplayCommand(p.Build))
	first := true
	onLine := func(line string) {
		if s, ok := cmake.ParseNinjaStatus(line); ok {
			if first {
				res.FirstStatus, first = s, false
			}
			if o.Progress != nil {
				o.Progress(s)
			}
		} else if line == cmake.NinjaNoWork {
			res.NoWork = true
		}
	}
	err = h.Stream(ctx, host.StreamOptions{Out: logf, Env: []string{"NINJA_STATUS=" + cmake.NinjaStatusFormat}, OnLine: onLine}, p.Build[0], p.Build[1:]...)
	if err != nil {
		return res, wrapStep(ctx, "build LLVM", err)
	}

	llc, err := checkLLC(ctx, h, p.Verify[0])
	if err != nil {
		return res, err
	}
	res.LLC, res.LLCPath = llc, p.Verify[0]
	if p.Install != nil {
		fmt.Fprintf(o.Log, "installing into %s\n", p.Opts.Prefix)
		if err := step(p.Install); err != nil {
			return res, wrapStep(ctx, "install LLVM", err)
		}
		if res.LLC, err = checkLLC(ctx, h, p.installLLC); err != nil {
			return res, err
		}
		res.LLCPath = p.installLLC
	}
	return res, nil
}

// wrapStep names the step and turns a stop by ctx into ErrInterrupted.
func wrapStep(ctx context.Context, what string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %w; run the same command again to resume", what, ErrInterrupted)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// checkLLC runs an llc and requires the BPF back end in it.
func checkLLC(ctx context.Context, h *host.Host, path string) (llvm.LLC, error) {
	out, err := h.Run(ctx, path, "--version")
	if err != nil {
		return llvm.LLC{}, fmt.Errorf("check the new llc: %w", err)
	}
	l, err := llvm.ParseLLCVersion(string(out.Stdout))
	if err != nil {
		return llvm.LLC{}, fmt.Errorf("check the new llc %s: %w", path, err)
	}
	if m := l.MissingBPFTargets(); len(m) > 0 {
		return l, fmt.Errorf("the new llc %s lacks the BPF back end (missing: %s)", path, strings.Join(m, ", "))
	}
	return l, nil
}

// configured reports whether the build directory was configured by this
// plan already (its CMakeCache.txt holds every definition, and ninja's
// build file exists), so a rerun skips cmake and goes straight to ninja.
// why says what differs. A directory made with another generator is an
// error: cmake cannot switch it, and deleting hours of build is the
// user's call.
func (p *Plan) configured() (ok bool, why string, err error) {
	cache, err := cmake.ReadCache(filepath.Join(p.BuildDir, "CMakeCache.txt"))
	if err != nil {
		return false, "new build directory", nil
	}
	if g := cache["CMAKE_GENERATOR"]; g != "" && g != "Ninja" {
		return false, "", fmt.Errorf("configure LLVM: %s was configured with the %q generator; use another --build-dir, or remove it", p.BuildDir, g)
	}
	if _, err := os.Stat(filepath.Join(p.BuildDir, "build.ninja")); err != nil {
		return false, "no build.ninja yet", nil
	}
	for _, d := range p.defines {
		if cache[d[0]] != d[1] {
			return false, fmt.Sprintf("%s changes from %q to %q", d[0], cache[d[0]], d[1]), nil
		}
	}
	return true, "", nil
}
