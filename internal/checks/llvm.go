package checks

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"

	"github.com/bpfdoctor/bpfdoctor/internal/distro"
	"github.com/bpfdoctor/bpfdoctor/internal/host"
	"github.com/bpfdoctor/bpfdoctor/internal/llvm"
	"github.com/bpfdoctor/bpfdoctor/internal/shell"
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
		maj := host.LLVMMajor(p)
		if maj == 0 {
			maj = host.LLVMMajor(real)
		}
		all = append(all, installation{Major: maj, Path: p, Exec: exec})
	}
	for _, t := range h.LookLLVM(name) {
		onPath = onPath || t.OnPath
		add(t.Path, t.Exec)
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
		return fmt.Sprintf("export PATH=/usr/lib/llvm-%d/bin:$PATH", host.LLVMMajor(p))
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
	use, all, onPath := findTool(e.Host, "llvm-strip")
	if use.Path == "" {
		f := finding.Result(finding.Warn, "llvm-strip not found (bpftool gen object, the selftests and libbpf-bootstrap strip DWARF with it)")
		f.Fix = e.install("Install LLVM's binutils.", distro.LLVM)
		return f
	}
	// llvm-strip works on what clang writes, so it is judged against
	// clang's LLVM as well as llc's; clang's comes first in the fix.
	var majors []int
	c, cerr := e.Clang()
	if cerr == nil {
		majors = append(majors, int(c.info.Version.Major()))
	}
	if err == nil {
		majors = append(majors, int(p.info.Version.Major()))
	}
	if !onPath && len(majors) > 0 {
		// Off PATH, the one of the LLVM in use rather than the newest.
		if i := slices.IndexFunc(all, func(in installation) bool { return in.Major == majors[0] }); i >= 0 {
			use = all[i]
		}
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
	var differs []string
	if cerr == nil && c.info.Version.Version != nil && v.Major() != c.info.Version.Major() {
		differs = append(differs, "clang "+c.info.Version.Version.String())
	}
	if err == nil && p.info.Version.Version != nil && v.Major() != p.info.Version.Major() {
		differs = append(differs, "llc "+p.info.Version.Version.String())
	}
	if len(differs) > 0 {
		f.Status = finding.Warn
		f.Message = fmt.Sprintf("llvm-strip %s does not match %s", v.Version, andList(differs))
		f.Fix = e.oneLLVMFix("Use tools of one LLVM.", majors, []string{"clang", "llc", "llvm-strip"}, []string{"llc", "llvm-strip"})
	}
	return f
}

// llvmHome is an installation whose tools agree: a bin directory that
// holds each of them of one LLVM, or their versioned names on PATH.
type llvmHome struct {
	major int
	dir   string   // machine path of the bin directory; "" for versioned names
	tools []string // the tools, as the user calls them
}

// resolve follows symlinks: clang -> clang-19 -> /usr/lib/llvm-19/bin/clang.
func resolve(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return p
}

// knownMajors maps the resolved paths of the clang and llc whose versions
// were read to their majors: names such as ~/bin/clang say nothing.
func (e *Env) knownMajors() map[string]int {
	known := map[string]int{}
	if c, err := e.Clang(); err == nil {
		known[resolve(c.use.Exec)] = int(c.info.Version.Major())
	}
	if l, err := e.LLC(); err == nil {
		known[resolve(l.use.Exec)] = int(l.info.Version.Major())
	}
	return known
}

// agreeingLLVM finds an installation of the first of majors that has one
// holding every tool of a set, trying the sets in order, then of any other
// major installed, newest first. A directory holds a tool of major M when
// the tool is there and nothing says it is of another major (its name, its
// install directory, its --version), and at least one of them is known to
// be of M: a directory on PATH may link each tool to another LLVM.
func (e *Env) agreeingLLVM(majors []int, sets ...[]string) (llvmHome, bool) {
	known := e.knownMajors()
	majorOfTool := func(p string) int {
		r := resolve(p)
		if m := host.LLVMMajor(r); m > 0 {
			return m
		}
		return known[r]
	}
	type dir struct{ show, exec string }
	var found []installation
	for _, t := range []string{"clang", "llc", "llvm-strip"} {
		_, all, _ := findTool(e.Host, t)
		found = append(found, all...)
	}
	var others []int
	for _, in := range found {
		if m := max(in.Major, majorOfTool(in.Exec)); m > 0 && !slices.Contains(majors, m) && !slices.Contains(others, m) {
			others = append(others, m)
		}
	}
	slices.Sort(others)
	slices.Reverse(others)
	for _, m := range slices.Concat(majors, others) {
		if m <= 0 {
			continue
		}
		// Debian's and Ubuntu's layout first, then where the tools of
		// this major were found, their links followed.
		debian := fmt.Sprintf("/usr/lib/llvm-%d/bin", m)
		dirs := []dir{{debian, e.Host.Abs(debian)}}
		for _, in := range found {
			if max(in.Major, majorOfTool(in.Exec)) != m {
				continue
			}
			if in.Path != in.Exec { // found under the host's root
				dirs = append(dirs, dir{filepath.Dir(in.Path), filepath.Dir(in.Exec)})
			} else {
				r := filepath.Dir(resolve(in.Exec))
				dirs = append(dirs, dir{r, r})
			}
		}
		for _, set := range sets {
			for _, d := range dirs {
				confirmed, ok := 0, true
				for _, t := range set {
					p := filepath.Join(d.exec, t)
					switch tm := majorOfTool(p); {
					case !isExecFile(p) || tm != 0 && tm != m:
						ok = false
					case tm == m:
						confirmed++
					}
				}
				if ok && confirmed > 0 {
					return llvmHome{major: m, dir: d.show, tools: set}, true
				}
			}
			var names []string
			for _, t := range set {
				if _, err := e.Host.LookPath(fmt.Sprintf("%s-%d", t, m)); err == nil {
					names = append(names, fmt.Sprintf("%s-%d", t, m))
				}
			}
			if len(names) == len(set) {
				return llvmHome{major: m, tools: names}, true
			}
		}
	}
	return llvmHome{}, false
}

func isExecFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// makeVars are the variables BPF Makefiles read the tools from: the
// kernel's (kernel/bpf/preload/iterators/Makefile: CLANG ?= clang,
// LLC ?= llc, LLVM_STRIP ?= llvm-strip), libbpf-bootstrap's and most others.
var makeVars = map[string]string{"clang": "CLANG", "llc": "LLC", "llvm-strip": "LLVM_STRIP"}

// oneLLVMFix is the fix for tools of different LLVMs: the installation,
// of the first of majors that has one, whose tools agree (see
// agreeingLLVM), else installing one.
func (e *Env) oneLLVMFix(why string, majors []int, sets ...[]string) *finding.Fix {
	home, ok := e.agreeingLLVM(majors, sets...)
	switch {
	case !ok:
		return e.llvmFix(why + " No installation here holds them all of one LLVM: install one, or build it.")
	case home.dir != "":
		return &finding.Fix{Text: fmt.Sprintf("%s %s holds LLVM %d's %s: put it first on PATH.", why, home.dir, home.major, andList(home.tools)),
			Commands: []string{"export PATH=" + shell.Quote(home.dir) + ":$PATH"}}
	}
	var vars []string
	for i, t := range home.tools {
		base, _, _ := strings.Cut(t, fmt.Sprintf("-%d", home.major))
		if v := makeVars[base]; v != "" {
			vars = append(vars, v+"="+home.tools[i])
		}
	}
	return &finding.Fix{Text: fmt.Sprintf("%s LLVM %d's tools are on PATH as %s: call them by those names.", why, home.major, andList(home.tools)),
		Commands: []string{"make " + strings.Join(vars, " ")}}
}

// andList joins "a", "a and b", "a, b and c".
func andList(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}
