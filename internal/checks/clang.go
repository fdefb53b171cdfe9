package checks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"

	"github.com/bpfdoctor/bpfdoctor/internal/bpfobj"
	"github.com/bpfdoctor/bpfdoctor/internal/distro"
	"github.com/bpfdoctor/bpfdoctor/internal/host"
	"github.com/bpfdoctor/bpfdoctor/internal/llvm"
)

func init() {
	register([]Check{
		{ID: "clang.version", Area: "clang", Title: "clang", Run: checkClangVersion,
			Looks: "`clang --version` against the selftests' known issues; `clang --target=bpf --print-supported-cpus`"},
		{ID: "clang.llc-match", Area: "clang", Title: "clang and llc", Run: checkClangLLCMatch,
			Looks: "clang and llc of the same LLVM major"},
		{ID: "clang.probe", Area: "clang", Title: "probe compile", Run: checkClangProbe,
			Looks: "`clang --target=bpf -O2 -g` on a small program: an EM_BPF object with .BTF and .BTF.ext"},
	})
}

type clangProbe struct {
	use    installation
	onPath bool
	info   llvm.Clang
	cmd    string
	cpus   llvm.CPUHelp // empty when clang cannot list them
}

var (
	clangFact    = &fact[*clangProbe]{"clang"}
	bpfProbeFact = &fact[*bpfObject]{"clang BPF probe"}
)

// Clang finds clang and reads its version and BPF CPU levels. Without any
// clang it returns an error wrapping ErrNotFound.
func (e *Env) Clang() (*clangProbe, error) {
	return memo(e, clangFact, func() (*clangProbe, error) {
		use, all, onPath := findTool(e.Host, "clang")
		if len(all) == 0 {
			return nil, fmt.Errorf("clang %w", ErrNotFound)
		}
		p := &clangProbe{use: use, onPath: onPath}
		p.cmd = use.Path + " --version"
		out, err := e.run(use.Exec, "--version")
		if err != nil {
			return p, err
		}
		if p.info, err = llvm.ParseClangVersion(string(out.Stdout)); err != nil {
			return p, fmt.Errorf("read `%s`: %w (first line: %q)", p.cmd, err, host.FirstLine(out.Stdout))
		}
		// The CPU levels decide the selftests' cpuv4 build. A clang of the
		// same LLVM as llc knows the same levels, so llc's answer, which
		// llvm.cpu asks for anyway, saves a 30 ms command.
		if l, err := e.LLC(); err == nil && sameLLVM(use, l.use, p.info.Version.Major(), l.info.Version.Major()) {
			if c, err := e.LLCCPUs(); err == nil {
				p.cpus = c.help
				return p, nil
			}
		}
		// An old clang that cannot answer just has no levels to show.
		if out, err := e.run(use.Exec, "--target=bpf", "--print-supported-cpus"); err == nil {
			p.cpus, _ = llvm.ParseCPUHelp(string(out.Stdout) + string(out.Stderr))
		}
		return p, nil
	})
}

func (e *Env) clangMissing() finding.Finding {
	f := finding.Result(finding.Fail, "clang not found on PATH, as clang-N or in /usr/lib/llvm-*/bin")
	f.Fix = e.install("Install clang: it compiles BPF programs.", distro.Clang)
	return f
}

func checkClangVersion(_ context.Context, e *Env) finding.Finding {
	p, err := e.Clang()
	if errors.Is(err, ErrNotFound) {
		return e.clangMissing()
	}
	if err != nil {
		return cmdError(err)
	}
	v := p.info.Version
	f := finding.Result(finding.Pass, "clang %s%s at %s", v.Version, vendor(v.Vendor), p.use.Path).
		WithSource(p.cmd).
		WithFact("version", v.Version.String()).
		WithFact("path", p.use.Path)
	for _, c := range llvm.ClangCapabilities() {
		mark := "yes"
		if v.Version.LessThan(c.Since) {
			mark = "no: " + c.Why
		}
		f = f.WithDetails(fmt.Sprintf("%s (clang >= %s): %s", c.Name, c.Since, mark))
	}
	if len(p.cpus.CPUs) > 0 {
		cpu := "no cpu v4"
		if p.cpus.Has("v4") {
			cpu = "cpu v4"
		}
		f.Message += "; " + cpu
		f = f.WithFact("cpu_v4", fmt.Sprint(p.cpus.Has("v4")))
	}
	var hard, soft []string
	for _, c := range llvm.MissingCapabilities(v.Version) {
		if c.Hard {
			hard = append(hard, c.Name)
		} else {
			soft = append(soft, c.Name)
		}
	}
	switch {
	case len(hard) > 0:
		f.Status = finding.Fail
		f.Message = fmt.Sprintf("clang %s is too old for BPF work: no %s", v.Version, strings.Join(hard, ", "))
	case len(soft) > 0:
		f.Status = finding.Warn
		f.Message = fmt.Sprintf("clang %s lacks %s", v.Version, strings.Join(soft, ", "))
	}
	if f.Status != finding.Pass {
		f.Fix = e.install("Install a newer clang, or build LLVM and clang yourself.", distro.Clang)
		f.Fix.Commands = append(f.Fix.Commands, "bpfdoctor bootstrap llvm")
	}
	if f.Status == finding.Pass && !p.onPath {
		f.Status = finding.Warn
		f.Message = "clang is not on PATH; found " + p.use.Path
		f = f.WithFix("Put that LLVM first on PATH.", pathFix(p.use.Path))
	}
	return f
}

func checkClangLLCMatch(_ context.Context, e *Env) finding.Finding {
	c, cerr := e.Clang()
	l, lerr := e.LLC()
	if cerr != nil || lerr != nil {
		return finding.Result(finding.Skip, "needs a usable clang and llc (see clang.version and llvm.llc)")
	}
	cm, lm := c.info.Version.Major(), l.info.Version.Major()
	if cm == lm {
		return finding.Result(finding.Pass, "clang and llc are both LLVM %d", cm)
	}
	f := finding.Result(finding.Warn, "clang %s (%s) and llc %s (%s) are of different LLVMs",
		c.info.Version.Version, c.use.Path, l.info.Version.Version, l.use.Path)
	f.Fix = e.clangLLCFix()
	return f
}

// clangLLCFix names the installation whose clang and llc agree: clang's
// LLVM first, since clang is what compiles and its bitcode is what an
// older llc cannot read, then llc's.
func (e *Env) clangLLCFix() *finding.Fix {
	var majors []int
	if c, err := e.Clang(); err == nil {
		majors = append(majors, int(c.info.Version.Major()))
	}
	if l, err := e.LLC(); err == nil {
		majors = append(majors, int(l.info.Version.Major()))
	}
	return e.oneLLVMFix("Objects made by `clang -emit-llvm | llc` need both from one LLVM.", majors,
		[]string{"clang", "llc", "llvm-strip"}, []string{"clang", "llc"})
}

// bpfObject is the probe built the recommended way, shared by clang.probe
// (is it an EM_BPF object with BTF?) and clang.pitfalls (is it clean?):
// each clang run costs 30-40 ms of CPU, mostly loading LLVM.
type bpfObject struct {
	cmd string         // as the report shows it
	obj *bpfobj.Object // read once for both checks
	bad error          // why the object clang wrote is unreadable
}

// BPFProbe compiles bpfobj.SwitchProbe with `clang --target=bpf -O2 -g`
// once per run. It starts on the clang found on disk without waiting for
// the version probe: the compile is what takes time.
func (e *Env) BPFProbe() (*bpfObject, error) {
	return memo(e, bpfProbeFact, func() (*bpfObject, error) {
		use, all, _ := findTool(e.Host, "clang")
		if len(all) == 0 {
			return nil, fmt.Errorf("clang %w", ErrNotFound)
		}
		dir, err := os.MkdirTemp("", "bpfdoctor-probe-")
		if err != nil {
			return nil, fmt.Errorf("create probe directory: %w", err)
		}
		defer os.RemoveAll(dir)
		src, obj := filepath.Join(dir, "probe.bpf.c"), filepath.Join(dir, "probe.bpf.o")
		if err := os.WriteFile(src, []byte(bpfobj.SwitchProbe), 0o644); err != nil {
			return nil, fmt.Errorf("write probe source: %w", err)
		}
		args := bpfobj.ProbeArgs(src, obj)
		o := &bpfObject{cmd: use.Path + " " + strings.Join(args, " ")}
		if _, err := e.run(use.Exec, args...); err != nil {
			return o, err
		}
		data, err := os.ReadFile(obj)
		if err != nil {
			return o, fmt.Errorf("read probe object: %w", err)
		}
		o.obj, o.bad = bpfobj.Read(bytes.NewReader(data))
		return o, nil
	})
}

// probeFix is the fix for a clang that cannot build BPF objects.
var probeFix = &finding.Fix{Text: "Make sure clang has the BPF target (`clang --target=bpf --print-supported-cpus`); a distribution's clang does.",
	Commands: []string{"bpfdoctor bootstrap llvm"}}

func checkClangProbe(_ context.Context, e *Env) finding.Finding {
	if _, err := e.Clang(); err != nil {
		return finding.Result(finding.Skip, "no usable clang (see clang.version)")
	}
	o, err := e.BPFProbe()
	var ce *host.CmdError
	switch {
	case errors.As(err, &ce) && ce.ExitCode > 0:
		f := finding.Result(finding.Fail, "clang cannot compile for BPF: %v", err).WithSource(o.cmd)
		f.Fix = probeFix
		return f
	case err != nil:
		return cmdError(err)
	}
	obj := o.obj
	if o.bad != nil {
		f := finding.Result(finding.Fail, "clang's BPF output is unusable: %v", o.bad).WithSource(o.cmd)
		f.Fix = probeFix
		return f
	}
	if probs := obj.ProbeProblems(); len(probs) > 0 {
		f := finding.Result(finding.Fail, "clang's BPF object is not what the kernel loads: %s", strings.Join(probs, "; ")).WithSource(o.cmd)
		f.Fix = probeFix
		return f
	}
	return finding.Result(finding.Pass, "compiled an EM_BPF object with .BTF and .BTF.ext").
		WithSource(o.cmd).
		WithDetails("sections: " + strings.Join(obj.Sections, " "))
}

// sameLLVM reports whether clang and llc come from one LLVM installation:
// the same major and the same directory once symlinks are resolved.
func sameLLVM(clang, llc installation, clangMajor, llcMajor uint64) bool {
	return clangMajor == llcMajor && sameDir(clang.Exec, llc.Exec)
}

// sameDir reports whether two tools are of one LLVM installation: they
// live in one directory once symlinks are resolved, and their names do not
// say different majors (/usr/bin holds llc-14 and llvm-strip-19 side by side).
func sameDir(a, b string) bool {
	ra, rb := resolve(a), resolve(b)
	return filepath.Dir(ra) == filepath.Dir(rb) && host.LLVMMajor(ra) == host.LLVMMajor(rb)
}
