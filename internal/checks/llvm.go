package checks

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"

	"github.com/bpfdoctor/bpfdoctor/internal/distro"
	"github.com/bpfdoctor/bpfdoctor/internal/host"
	"github.com/bpfdoctor/bpfdoctor/internal/llvm"
)

func init() {
	register([]Check{
		{ID: "llvm.llc", Area: "llvm", Title: "llc", Run: checkLLC,
			Looks: "llc on PATH, versioned llc-N and /usr/lib/llvm-*/bin/llc; `llc --version`"},
		{ID: "llvm.bpf-targets", Area: "llvm", Title: "BPF back end", Run: checkBPFTargets,
			Looks: "the bpf, bpfel and bpfeb targets in `llc --version`"},
		{ID: "llvm.cpu", Area: "llvm", Title: "BPF CPU levels", Run: checkLLCCPU,
			Looks: "`llc -march=bpf -mcpu=help`: v1..v4 and probe"},
		{ID: "llvm.installations", Area: "llvm", Title: "LLVM installations", Run: checkInstallations,
			Looks: "every LLVM installed and which one PATH picks"},
		{ID: "llvm.strip", Area: "llvm", Title: "llvm-strip", Run: checkStrip,
			Looks: "llvm-strip on PATH and its version against llc's"},
	})
}

// installation is one LLVM found on the machine, without running it.
type installation struct {
	Major int    // 0 when the name does not say
	Path  string // as found (machine path)
	Exec  string // the path to run here
}

// The LLVM major shows in versioned names (llc-19, llvm-strip-19) and in
// Debian's and Ubuntu's install directories (/usr/lib/llvm-19/bin).
var (
	majorInBase = regexp.MustCompile(`-(\d+)$`)
	majorInDir  = regexp.MustCompile(`/llvm-(\d+)/`)
)

func majorOf(path string) int {
	m := majorInBase.FindStringSubmatch(filepath.Base(path))
	if m == nil {
		m = majorInDir.FindStringSubmatch(path)
	}
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// findTool looks for an LLVM tool as the shell would, then under versioned
// names on PATH (llc-19), then in /usr/lib/llvm-*/bin. The first return is
// the one to use: PATH's, else the newest; onPath says which case it is.
func findTool(h *host.Host, name string) (use installation, all []installation, onPath bool) {
	seen := map[string]bool{}
	add := func(p, exec string) {
		real, err := filepath.EvalSymlinks(exec)
		if err != nil {
			real = exec
		}
		if seen[real] {
			return
		}
		seen[real] = true
		maj := majorOf(p)
		if maj == 0 {
			maj = majorOf(real)
		}
		all = append(all, installation{Major: maj, Path: p, Exec: exec})
	}
	if p, err := h.LookPath(name); err == nil {
		add(p, p)
		onPath = true
	}
	for _, p := range h.LookAll(name + "-[0-9]*") {
		if majorOf(p) > 0 {
			add(p, p)
		}
	}
	if dirs, err := h.Glob("/usr/lib/llvm-*/bin/" + name); err == nil {
		for _, p := range dirs {
			if h.IsExecutable(p) {
				add(p, h.Abs(p))
			}
		}
	}
	if len(all) == 0 {
		return installation{}, nil, false
	}
	use = all[0]
	if !onPath {
		for _, in := range all {
			if in.Major > use.Major {
				use = in
			}
		}
	}
	return use, all, onPath
}

type llcProbe struct {
	use    installation
	all    []installation
	onPath bool
	info   llvm.LLC
	cmd    string
}

var (
	llcFact    = &fact[*llcProbe]{"llc"}
	llcCPUFact = &fact[*cpuProbe]{"llc CPU levels"}
)

// LLC finds llc and reads its version and targets. Without any llc it
// returns an error wrapping ErrNotFound; when `llc --version` fails or
// cannot be read, the probe still says which llc were found.
func (e *Env) LLC() (*llcProbe, error) {
	return memo(e, llcFact, func() (*llcProbe, error) {
		use, all, onPath := findTool(e.Host, "llc")
		if len(all) == 0 {
			return nil, fmt.Errorf("llc %w", ErrNotFound)
		}
		p := &llcProbe{use: use, all: all, onPath: onPath}
		out, err := e.run(use.Exec, "--version")
		p.cmd = use.Path + " --version"
		if err != nil {
			return p, err
		}
		p.info, err = llvm.ParseLLCVersion(string(out.Stdout))
		if err != nil {
			return p, fmt.Errorf("read `%s`: %w (first line: %q)", p.cmd, err, host.FirstLine(out.Stdout))
		}
		if p.use.Major == 0 {
			// A self-built or unversioned llc: its --version knows.
			p.use.Major = int(p.info.Version.Major())
			for i := range p.all {
				if p.all[i].Path == p.use.Path {
					p.all[i].Major = p.use.Major
				}
			}
		}
		return p, nil
	})
}

// pathFix is the line that puts an LLVM's bin directory first on PATH.
func pathFix(p string) string {
	dir := filepath.Dir(p)
	if strings.HasPrefix(filepath.Base(p), "llc-") || strings.HasPrefix(filepath.Base(p), "clang-") {
		return fmt.Sprintf("export PATH=/usr/lib/llvm-%d/bin:$PATH", majorOf(p))
	}
	return "export PATH=" + dir + ":$PATH"
}

func (e *Env) llvmFix(text string) *finding.Fix {
	f := e.install(text, distro.LLVM)
	f.Commands = append(f.Commands, "bpfdoctor bootstrap llvm")
	return f
}

func checkLLC(_ context.Context, e *Env) finding.Finding {
	p, err := e.LLC()
	if errors.Is(err, ErrNotFound) {
		f := finding.Result(finding.Fail, "llc not found on PATH, as llc-N or in /usr/lib/llvm-*/bin")
		f.Fix = e.llvmFix("Install LLVM (it provides llc), or build it with the BPF back end.")
		return f
	}
	if err != nil {
		return cmdError(err)
	}
	v := p.info.Version
	f := finding.Result(finding.Pass, "llc %s%s at %s", v.Version, vendor(v.Vendor), p.use.Path).
		WithSource(p.cmd).
		WithFact("version", v.Version.String()).
		WithFact("path", p.use.Path)
	if p.info.Build != "" {
		f = f.WithDetails(p.info.Build, "default target: "+p.info.DefaultTarget)
	}
	if !p.onPath {
		f.Status = finding.Warn
		f.Message = fmt.Sprintf("llc is not on PATH; found llc %s at %s", v.Version, p.use.Path)
		f = f.WithFix("Put that LLVM first on PATH: build systems call plain `llc` and `clang`.", pathFix(p.use.Path))
	}
	return f
}

func vendor(v string) string {
	if v == "" {
		return ""
	}
	return " (" + v + ")"
}

func checkBPFTargets(_ context.Context, e *Env) finding.Finding {
	p, err := e.LLC()
	if err != nil {
		return finding.Result(finding.Skip, "no usable llc (see llvm.llc)")
	}
	var names []string
	for _, t := range p.info.Targets {
		names = append(names, t.Name)
	}
	f := finding.Result(finding.Pass, "bpf, bpfel and bpfeb registered").
		WithSource(p.cmd).
		WithDetails("registered targets: " + strings.Join(names, ", "))
	if miss := p.info.MissingBPFTargets(); len(miss) > 0 {
		f.Status = finding.Fail
		f.Message = fmt.Sprintf("llc %s at %s lacks the BPF back end (missing: %s)", p.info.Version.Version, p.use.Path, strings.Join(miss, ", "))
		f.Fix = e.llvmFix("Use an LLVM built with BPF in LLVM_TARGETS_TO_BUILD: your distribution's, or build one.")
	}
	return f
}

type cpuProbe struct {
	help llvm.CPUHelp
	cmd  string
}

// LLCCPUs reads the BPF CPU levels llc knows. llc prints them on stderr.
func (e *Env) LLCCPUs() (*cpuProbe, error) {
	return memo(e, llcCPUFact, func() (*cpuProbe, error) {
		p, err := e.LLC()
		if err != nil {
			return nil, err
		}
		c := &cpuProbe{cmd: p.use.Path + " -march=bpf -mcpu=help"}
		out, err := e.run(p.use.Exec, "-march=bpf", "-mcpu=help")
		if err != nil {
			return c, err
		}
		c.help, err = llvm.ParseCPUHelp(string(out.Stderr) + string(out.Stdout))
		if err != nil {
			return c, fmt.Errorf("read `%s`: %w (first line: %q)", c.cmd, err, host.FirstLine(append(out.Stderr, out.Stdout...)))
		}
		return c, nil
	})
}

func checkLLCCPU(_ context.Context, e *Env) finding.Finding {
	switch p, err := e.LLC(); {
	case err != nil:
		return finding.Result(finding.Skip, "no usable llc (see llvm.llc)")
	case len(p.info.MissingBPFTargets()) > 0:
		return finding.Result(finding.Skip, "llc has no BPF back end")
	}
	c, err := e.LLCCPUs()
	if err != nil {
		return cmdError(err)
	}
	f := finding.Result(finding.Pass, "%s", strings.Join(c.help.CPUs, ", ")).
		WithSource(c.cmd).
		WithFact("best", c.help.Best()).
		WithFact("cpus", strings.Join(c.help.CPUs, ",")).
		WithDetails("features: " + strings.Join(c.help.Features, ", "))
	switch {
	case !c.help.Has("v3"):
		f.Status = finding.Warn
		f.Message += " — no v3 (jmp32, alu32), which the selftests build with"
		f.Fix = e.llvmFix("Use a newer LLVM.")
	case !c.help.Has("v4"):
		f.Message += " — no v4 (sign-extending loads, bswap, sdiv; the selftests' cpuv4 flavour needs LLVM >= 18)"
	}
	if !c.help.Has("probe") {
		f = f.WithDetails("no -mcpu=probe: this LLVM cannot pick the level the running kernel supports")
	}
	return f
}

func checkInstallations(_ context.Context, e *Env) finding.Finding {
	p, err := e.LLC()
	if errors.Is(err, ErrNotFound) {
		return finding.Result(finding.Skip, "no LLVM installed")
	}
	var lines, majors []string
	newest := p.use
	for _, in := range p.all {
		lines = append(lines, fmt.Sprintf("%s (LLVM %s)", in.Path, majorText(in.Major)))
		if m := majorText(in.Major); !slices.Contains(majors, m) {
			majors = append(majors, m)
		}
		if in.Major > newest.Major {
			newest = in
		}
	}
	picks := "PATH picks none"
	if p.onPath {
		picks = fmt.Sprintf("PATH picks %s (LLVM %s)", p.use.Path, majorText(p.use.Major))
	}
	f := finding.Result(finding.Pass, "%d llc found (LLVM %s); %s", len(p.all), strings.Join(majors, ", "), picks).
		WithDetails(lines...)
	if newest.Major > p.use.Major && p.use.Major > 0 {
		f.Message += fmt.Sprintf("; LLVM %d is newer (%s)", newest.Major, pathFix(newest.Path))
	}
	return f
}

func majorText(n int) string {
	if n == 0 {
		return "?"
	}
	return strconv.Itoa(n)
}

func checkStrip(_ context.Context, e *Env) finding.Finding {
	p, err := e.LLC()
	use, _, onPath := findTool(e.Host, "llvm-strip")
	if use.Path == "" {
		f := finding.Result(finding.Warn, "llvm-strip not found (bpftool gen object, the selftests and libbpf-bootstrap strip DWARF with it)")
		f.Fix = e.install("Install LLVM's binutils.", distro.LLVM)
		return f
	}
	var v llvm.Version
	src := use.Path + " --version"
	if err == nil && sameDir(use.Exec, p.use.Exec) {
		// One LLVM installation: its version is llc's, and loading
		// libLLVM once more would cost 20 ms of CPU for nothing.
		v, src = p.info.Version, "the same directory as "+p.use.Path
	} else {
		out, rerr := e.run(use.Exec, "--version")
		if rerr != nil {
			return cmdError(rerr)
		}
		var verr error
		if v, verr = llvm.ParseToolVersion(string(out.Stdout)); verr != nil {
			return finding.Result(finding.Error, "read `%s --version`: %v (first line: %q)", use.Path, verr, host.FirstLine(out.Stdout))
		}
	}
	f := finding.Result(finding.Pass, "llvm-strip %s at %s", v.Version, use.Path).WithSource(src)
	if !onPath {
		f.Status = finding.Warn
		f.Message = fmt.Sprintf("llvm-strip is not on PATH; found %s", use.Path)
		f = f.WithFix("Put that LLVM first on PATH.", pathFix(use.Path))
	}
	if err == nil && p.info.Version.Version != nil && v.Major() != p.info.Version.Major() {
		f.Status = finding.Warn
		f.Message = fmt.Sprintf("llvm-strip %s does not match llc %s", v.Version, p.info.Version.Version)
		f = f.WithFix("Use tools of one LLVM: put its bin directory first on PATH.", pathFix(p.use.Path))
	}
	return f
}
