// Package llvmbuild plans and runs `bpfdoctor bootstrap llvm`: what
// bpf_devel_QA.rst recommends when a distribution's LLVM lacks the BPF back
// end or is too old (a Ninja build of LLVM and clang with the BPF and host
// targets), with the preflight checks that make it fail in seconds rather
// than after an hour. NewPlan only probes tools for their versions;
// Plan.Run executes it. What LLVM's versions and tools mean is package llvm.
package llvmbuild

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/bpfdoctor/bpfdoctor/internal/bootstrap"
	"github.com/bpfdoctor/bpfdoctor/internal/distro"
	"github.com/bpfdoctor/bpfdoctor/internal/finding"
	"github.com/bpfdoctor/bpfdoctor/internal/host"
	"github.com/bpfdoctor/bpfdoctor/internal/llvm"
	"github.com/bpfdoctor/bpfdoctor/internal/shell"
	"github.com/bpfdoctor/bpfdoctor/internal/usage"
)

// DefaultRef is the llvm-project tag cloned when neither a source tree nor
// a ref is given: the newest release this binary knows.
const DefaultRef = "llvmorg-23.1.3"

// ProjectURL is llvm-project's repository.
const ProjectURL = "https://github.com/llvm/llvm-project.git"

// Disk and memory estimates for a Release build of LLVM and clang with two
// targets. They warn, not block: they are estimates.
const (
	DefaultDiskNeed = 15 << 30 // the build directory
	cloneDiskNeed   = 3 << 30  // a shallow clone
	linkMemLLD      = 2 << 30  // one clang link with lld
	linkMemOther    = 4 << 30  // one clang link with GNU ld or gold
)

// Options are the command's flags and what the caller knows about the
// machine.
type Options struct {
	Src      string // an llvm-project checkout; "" clones Ref
	Ref      string // the tag or branch to clone; "" is DefaultRef
	CacheDir string // holds the clone and the default build directory
	BuildDir string // "" is <src>/build, or <cache>/build-<ref>
	Prefix   string // "" builds without installing
	Targets  string // "" is "BPF;<host target>"
	Projects string // "" is "clang"
	Jobs     int    // ninja -j; 0 lets ninja choose
	LinkJobs int    // LLVM_PARALLEL_LINK_JOBS; 0 derives it from memory
	// HostArch is the machine's GOARCH, for the host target.
	HostArch string
	// CPUs bounds the parallel link jobs.
	CPUs int
	// CXX is $CXX, the compiler cmake will pick first.
	CXX string
	// DiskNeed overrides DefaultDiskNeed (tests).
	DiskNeed uint64
	// FreeDisk overrides host.FreeDisk (tests).
	FreeDisk func(dir string) (uint64, error)
}

// Check is one preflight line. Its Status is finding.Pass, Warn (works,
// but may bite: disk, memory), Fail (the build cannot work) or Skip
// (optional and not there: lld, ccache).
type Check struct {
	Name   string
	Status finding.Status
	Detail string
	// Fix is the command that repairs a miss, "" when there is none.
	Fix string
}

// Plan is everything the build will do.
type Plan struct {
	Opts   Options
	Ref    string // "" with Src
	Major  int    // LLVM major version, 0 when unknown
	Checks []Check
	// SrcDir is the llvm-project tree; LLVMDir its llvm/ directory.
	SrcDir, LLVMDir string
	BuildDir        string
	// Clone is nil when the tree exists or was given.
	Clone     []string
	Configure []string
	Build     []string
	Verify    []string
	Install   []string // nil without a prefix
	BinDir    string   // where the new llc is used from
	LinkJobs  int
	LinkWhy   string
	UseLLD    bool
	// Linker is LLVM_USE_LINKER with UseLLD: "lld", or the path of a
	// versioned ld.lld for a Clang; LinkerDir is the directory GCC must
	// be pointed at (-B) to find ld.lld there, "" when it needs none.
	Linker     string
	LinkerDir  string
	UseCCache  bool
	cxxKind    string // "GCC", "Clang" or "" (unknown), from compilerCheck
	defines    [][2]string
	installLLC string
}

var (
	refRe      = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/+-]{0,99}$`)
	refMajorRe = regexp.MustCompile(`^llvmorg-(\d+)\.`)
	targetsRe  = regexp.MustCompile(`^[A-Za-z0-9]+(;[A-Za-z0-9]+)*$`)
	projectsRe = regexp.MustCompile(`^[a-z][a-z0-9-]*(;[a-z][a-z0-9-]*)*$`)
)

// HostTarget maps a GOARCH to the LLVM target that builds for it.
func HostTarget(goarch string) string {
	switch goarch {
	case "amd64", "386":
		return "X86"
	case "arm64":
		return "AArch64"
	case "arm":
		return "ARM"
	case "ppc64", "ppc64le":
		return "PowerPC"
	case "s390x":
		return "SystemZ"
	case "riscv64":
		return "RISCV"
	case "loong64":
		return "LoongArch"
	case "mips", "mipsle", "mips64", "mips64le":
		return "Mips"
	}
	return ""
}

// NewPlan checks the options, probes the tools and lays out the commands.
// Only bad options are errors (a usage.Error); a missing tool is a Check.
func NewPlan(ctx context.Context, h *host.Host, o Options) (*Plan, error) {
	if o.Src != "" && o.Ref != "" {
		return nil, usage.Errorf("--src and --ref exclude each other: build a tree you have, or clone one")
	}
	if o.Jobs < 0 || o.LinkJobs < 0 {
		return nil, usage.Errorf("--jobs and --link-jobs must be positive")
	}
	p := &Plan{Opts: o}

	if o.Src != "" {
		abs, err := filepath.Abs(o.Src)
		if err != nil {
			return nil, usage.Errorf("--src %s: %v", o.Src, err)
		}
		p.SrcDir = abs
		if fi, err := os.Stat(filepath.Join(abs, "llvm", "CMakeLists.txt")); err != nil || !fi.Mode().IsRegular() {
			return nil, usage.Errorf("--src %s: not an llvm-project tree (no llvm/CMakeLists.txt)", o.Src)
		}
	} else {
		p.Ref = o.Ref
		if p.Ref == "" {
			p.Ref = DefaultRef
		}
		// A ref starting with "-" would be an option to git.
		if !refRe.MatchString(p.Ref) || strings.Contains(p.Ref, "..") {
			return nil, usage.Errorf("invalid --ref %q: want a tag or branch such as %s", p.Ref, DefaultRef)
		}
		if o.CacheDir == "" {
			return nil, usage.Errorf("no cache directory to clone into: set HOME or XDG_CACHE_HOME, or pass --src")
		}
		p.SrcDir = filepath.Join(o.CacheDir, "llvm-project-"+strings.ReplaceAll(p.Ref, "/", "_"))
		if _, err := os.Stat(filepath.Join(p.SrcDir, "llvm", "CMakeLists.txt")); err != nil {
			p.Clone = []string{"git", "clone", "--depth", "1", "--branch", p.Ref, "--single-branch", ProjectURL, p.SrcDir}
		}
	}
	p.LLVMDir = filepath.Join(p.SrcDir, "llvm")
	switch {
	case o.BuildDir != "":
		abs, err := filepath.Abs(o.BuildDir)
		if err != nil {
			return nil, usage.Errorf("--build-dir %s: %v", o.BuildDir, err)
		}
		p.BuildDir = abs
	case o.Src != "":
		p.BuildDir = filepath.Join(p.SrcDir, "build")
	default:
		p.BuildDir = filepath.Join(o.CacheDir, "build-"+strings.ReplaceAll(p.Ref, "/", "_"))
	}
	if o.Prefix != "" {
		abs, err := filepath.Abs(o.Prefix)
		if err != nil {
			return nil, usage.Errorf("--prefix %s: %v", o.Prefix, err)
		}
		o.Prefix = abs
	}
	if o.Targets == "" {
		ht := HostTarget(o.HostArch)
		if ht == "" {
			return nil, usage.Errorf("no LLVM target known for %q: pass --targets \"BPF;<target>\"", o.HostArch)
		}
		o.Targets = "BPF;" + ht
	}
	if !targetsRe.MatchString(o.Targets) {
		return nil, usage.Errorf("invalid --targets %q: want names separated by ';', such as \"BPF;X86\"", o.Targets)
	}
	if !strings.Contains(";"+o.Targets+";", ";BPF;") && o.Targets != "all" {
		return nil, usage.Errorf("--targets %q lacks BPF, the point of this build", o.Targets)
	}
	if o.Projects == "" {
		o.Projects = "clang"
	}
	if !projectsRe.MatchString(o.Projects) {
		return nil, usage.Errorf("invalid --projects %q: want names separated by ';', such as \"clang\" or \"clang;lld\"", o.Projects)
	}
	p.Opts = o

	req := requirementsFor(p)
	p.preflight(ctx, h, req)
	p.layout()
	return p, nil
}

// requirement is what one LLVM release asks of the host.
type requirement struct {
	cmake, gcc, clang string
	from              string // where the numbers came from, for the user
}

// requirementsByMajor follows llvm/CMakeLists.txt and
// llvm/cmake/modules/CheckCompilerVersion.cmake of each release series
// (the soft-error versions, which stop the build unless overridden).
var requirementsByMajor = []struct {
	since int
	req   requirement
}{
	{0, requirement{cmake: "3.4.3", gcc: "4.8", clang: "3.1"}},
	{12, requirement{cmake: "3.13.4", gcc: "5.1", clang: "3.5"}},
	{15, requirement{cmake: "3.13.4", gcc: "7.1", clang: "5.0"}},
	{16, requirement{cmake: "3.20.0", gcc: "7.4", clang: "5.0"}},
}

// requirementsFor reads the requirements from the tree when there is one,
// else from the table by the ref's major version (the newest row when the
// major is unknown, "main" for instance).
func requirementsFor(p *Plan) requirement {
	if m := refMajorRe.FindStringSubmatch(p.Ref); m != nil {
		p.Major, _ = strconv.Atoi(m[1])
	}
	if p.Clone == nil {
		if major := treeMajor(p.SrcDir); major > 0 {
			p.Major = major
		}
	}
	r := requirementsByMajor[len(requirementsByMajor)-1].req
	if p.Major > 0 {
		for _, row := range requirementsByMajor {
			if p.Major >= row.since {
				r = row.req
			}
		}
	}
	r.from = "LLVM"
	if p.Major > 0 {
		r.from = fmt.Sprintf("LLVM %d", p.Major)
	}
	if p.Clone != nil {
		return r
	}
	// The tree itself is the authority.
	if b, err := os.ReadFile(filepath.Join(p.SrcDir, "llvm", "CMakeLists.txt")); err == nil {
		if m := cmakeMinRe.FindSubmatch(b); m != nil {
			r.cmake = string(m[1])
		}
	}
	if b, err := os.ReadFile(filepath.Join(p.SrcDir, "llvm", "cmake", "modules", "CheckCompilerVersion.cmake")); err == nil {
		if v := cmakeSet(b, "GCC_SOFT_ERROR", "GCC_MIN"); v != "" {
			r.gcc = v
		}
		if v := cmakeSet(b, "CLANG_SOFT_ERROR", "CLANG_MIN"); v != "" {
			r.clang = v
		}
	}
	return r
}

var (
	cmakeMinRe   = regexp.MustCompile(`(?mi)^\s*cmake_minimum_required\s*\(\s*VERSION\s+([0-9][0-9.]*)`)
	versionMajRe = regexp.MustCompile(`(?m)^\s*set\s*\(\s*LLVM_VERSION_MAJOR\s+(\d+)\s*\)`)
)

// cmakeSet returns the value of the first of names set with set(NAME X).
func cmakeSet(b []byte, names ...string) string {
	for _, n := range names {
		re := regexp.MustCompile(`(?m)^\s*set\s*\(\s*` + n + `\s+([0-9][0-9.]*)\s*\)`)
		if m := re.FindSubmatch(b); m != nil {
			return string(m[1])
		}
	}
	return ""
}

// treeMajor reads LLVM_VERSION_MAJOR from the tree: cmake/Modules/
// LLVMVersion.cmake since LLVM 18, llvm/CMakeLists.txt before.
func treeMajor(src string) int {
	for _, f := range []string{"cmake/Modules/LLVMVersion.cmake", "llvm/CMakeLists.txt"} {
		b, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			continue
		}
		if m := versionMajRe.FindSubmatch(b); m != nil {
			n, _ := strconv.Atoi(string(m[1]))
			return n
		}
	}
	return 0
}

func (p *Plan) add(c Check) { p.Checks = append(p.Checks, c) }

func (p *Plan) preflight(ctx context.Context, h *host.Host, req requirement) {
	if p.Clone != nil {
		p.toolCheck(ctx, h, "git", "git", distro.Git, "", req, func(out string) string {
			return strings.TrimPrefix(strings.TrimSpace(firstLine(out)), "git version ")
		})
	}
	p.toolCheck(ctx, h, "cmake", "cmake", distro.CMake, req.cmake, req, func(out string) string {
		return strings.TrimPrefix(strings.TrimSpace(firstLine(out)), "cmake version ")
	})
	p.toolCheck(ctx, h, "ninja", "ninja", distro.Ninja, "", req, func(out string) string {
		return strings.TrimSpace(firstLine(out))
	})
	p.compilerCheck(ctx, h, req)
	p.diskCheck()
	lld := p.findLLD(h)
	p.memoryCheck(h)
	p.add(lld)
	if _, err := h.LookPath("ccache"); err == nil {
		p.UseCCache = true
		p.add(Check{Name: "ccache", Detail: "found: compiles with -DLLVM_CCACHE_BUILD=ON"})
	} else {
		p.add(Check{Name: "ccache", Status: finding.Skip, Detail: "not found (optional: rebuilds after a change are faster with ccache)"})
	}
	p.linkJobs(h)
}

// findLLD picks the linker for LLVM_USE_LINKER, which LLVM passes to the
// compiler as -fuse-ld=VALUE. ld.lld on PATH is -fuse-ld=lld for both GCC
// and Clang. Debian's lld-19 installs only ld.lld-19 on PATH and ld.lld in
// /usr/lib/llvm-19/bin: Clang takes -fuse-ld=PATH; GCC takes only the
// names bfd, gold, lld and mold (GCC 12 rejects a path: "unrecognized
// command-line option"), so it gets -fuse-ld=lld and -B with the directory
// holding ld.lld, where its driver looks first.
func (p *Plan) findLLD(h *host.Host) Check {
	const why = "optional: clang links faster and in less memory with lld"
	if _, err := h.LookPath("ld.lld"); err == nil {
		p.UseLLD, p.Linker = true, "lld"
		return Check{Name: "lld", Detail: "found: links with -DLLVM_USE_LINKER=lld"}
	}
	tools := h.LookLLVM("ld.lld")
	best, ok := host.Newest(tools)
	if !ok {
		return Check{Name: "lld", Status: finding.Skip, Detail: "not found (" + why + ")"}
	}
	if p.cxxKind == "Clang" {
		p.UseLLD, p.Linker = true, best.Exec
		return Check{Name: "lld", Detail: fmt.Sprintf("lld %d found (%s): links with -DLLVM_USE_LINKER=%s", best.Major, best.Path, p.Linker)}
	}
	for _, t := range tools {
		if filepath.Base(t.Path) == "ld.lld" {
			p.UseLLD, p.Linker, p.LinkerDir = true, "lld", filepath.Dir(t.Exec)
			return Check{Name: "lld", Detail: fmt.Sprintf("lld %d found: links with -DLLVM_USE_LINKER=lld and -B%s/, where GCC finds ld.lld", t.Major, p.LinkerDir)}
		}
	}
	return Check{Name: "lld", Status: finding.Skip, Detail: fmt.Sprintf("%s found, but GCC finds lld only as ld.lld on PATH or in a -B directory (%s)", best.Path, why)}
}

// toolCheck finds a tool, reads its version and compares it with min.
func (p *Plan) toolCheck(ctx context.Context, h *host.Host, name, tool string, pkg distro.Package, min string, req requirement, version func(string) string) {
	path, err := h.LookPath(tool)
	if err != nil {
		p.add(Check{Name: name, Status: finding.Fail, Detail: "not found", Fix: bootstrap.InstallCommand(h, pkg)})
		return
	}
	out, err := h.Run(ctx, path, "--version")
	if err != nil {
		p.add(Check{Name: name, Status: finding.Fail, Detail: fmt.Sprintf("%s does not run: %v", path, err), Fix: bootstrap.InstallCommand(h, pkg)})
		return
	}
	v := version(string(out.Stdout))
	detail := fmt.Sprintf("%s %s (%s)", name, v, path)
	if min == "" {
		p.add(Check{Name: name, Detail: detail})
		return
	}
	got, err := llvm.ParseNumber(v)
	want, _ := semver.NewVersion(min)
	switch {
	case err != nil:
		p.add(Check{Name: name, Status: finding.Warn, Detail: fmt.Sprintf("%s: cannot read its version; %s needs %s or newer", detail, req.from, min)})
	case got.LessThan(want):
		p.add(Check{Name: name, Status: finding.Fail, Detail: fmt.Sprintf("%s is older than the %s %s needs", detail, min, req.from), Fix: bootstrap.InstallCommand(h, pkg)})
	default:
		p.add(Check{Name: name, Detail: fmt.Sprintf("%s; %s needs %s or newer", detail, req.from, min)})
	}
}

var gccVersionRe = regexp.MustCompile(`\)\s+(\d+\.\d+(?:\.\d+)?)`)

// compilerCheck finds the C++ compiler cmake will use ($CXX, then c++,
// g++, clang++, as cmake searches) and checks its version.
func (p *Plan) compilerCheck(ctx context.Context, h *host.Host, req requirement) {
	const name = "C++ compiler"
	candidates := []string{"c++", "g++", "clang++"}
	if p.Opts.CXX != "" {
		candidates = []string{strings.Fields(p.Opts.CXX)[0]}
	}
	var path string
	for _, c := range candidates {
		if strings.ContainsRune(c, '/') {
			if fi, err := os.Stat(c); err == nil && !fi.IsDir() {
				path = c
				break
			}
			continue
		}
		if pp, err := h.LookPath(c); err == nil {
			path = pp
			break
		}
	}
	if path == "" {
		p.add(Check{Name: name, Status: finding.Fail, Detail: "not found ($CXX, c++, g++ or clang++)", Fix: bootstrap.InstallCommand(h, distro.CXXCompiler)})
		return
	}
	out, err := h.Run(ctx, path, "--version")
	if err != nil {
		p.add(Check{Name: name, Status: finding.Fail, Detail: fmt.Sprintf("%s does not run: %v", path, err), Fix: bootstrap.InstallCommand(h, distro.CXXCompiler)})
		return
	}
	need := fmt.Sprintf("%s needs GCC %s or Clang %s or newer", req.from, req.gcc, req.clang)
	kind, ver, min := "", "", ""
	if c, err := llvm.ParseClangVersion(string(out.Stdout)); err == nil {
		kind, ver, min = "Clang", c.Version.Version.String(), req.clang
	} else if m := gccVersionRe.FindStringSubmatch(firstLine(string(out.Stdout))); m != nil {
		kind, ver, min = "GCC", m[1], req.gcc
	}
	p.cxxKind = kind
	if kind == "" {
		p.add(Check{Name: name, Status: finding.Warn, Detail: fmt.Sprintf("%s: cannot tell which compiler this is; %s", path, need)})
		return
	}
	detail := fmt.Sprintf("%s %s (%s)", kind, ver, path)
	got, err1 := semver.NewVersion(ver)
	want, err2 := semver.NewVersion(min)
	if err1 == nil && err2 == nil && got.LessThan(want) {
		p.add(Check{Name: name, Status: finding.Fail, Detail: fmt.Sprintf("%s is too old: %s", detail, need), Fix: bootstrap.InstallCommand(h, distro.CXXCompiler)})
		return
	}
	p.add(Check{Name: name, Detail: detail + "; " + need})
}

func (p *Plan) diskCheck() {
	need := p.Opts.DiskNeed
	if need == 0 {
		need = DefaultDiskNeed
	}
	if p.Clone != nil {
		need += cloneDiskNeed
	}
	dir := existingAncestor(p.BuildDir)
	free := p.Opts.FreeDisk
	if free == nil {
		free = host.FreeDisk
	}
	n, err := free(dir)
	switch {
	case err != nil:
		p.add(Check{Name: "disk", Status: finding.Warn, Detail: fmt.Sprintf("cannot tell the free space in %s: %v", dir, err)})
	case n < need:
		p.add(Check{Name: "disk", Status: finding.Warn, Detail: fmt.Sprintf("%s free in %s; the build needs about %s: choose another --build-dir or free space", gib(n), dir, gib(need))})
	default:
		p.add(Check{Name: "disk", Detail: fmt.Sprintf("%s free in %s; the build needs about %s", gib(n), dir, gib(need))})
	}
}

// memAvailable is MemAvailable from /proc/meminfo, in bytes.
func memAvailable(h *host.Host) (uint64, error) {
	b, err := h.ReadFile("/proc/meminfo")
	if err != nil {
		return 0, err
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "MemAvailable:" {
			kb, err := strconv.ParseUint(f[1], 10, 64)
			if err != nil {
				return 0, fmt.Errorf("parse /proc/meminfo: %w", err)
			}
			return kb << 10, nil
		}
	}
	return 0, errors.New("parse /proc/meminfo: no MemAvailable")
}

func (p *Plan) memoryCheck(h *host.Host) {
	avail, err := memAvailable(h)
	if err != nil {
		p.add(Check{Name: "memory", Status: finding.Warn, Detail: fmt.Sprintf("cannot tell the free memory: %v", err)})
		return
	}
	per, linker := uint64(linkMemOther), "GNU ld"
	if p.UseLLD {
		per, linker = linkMemLLD, "lld"
	}
	jobs := max(1, int(avail/per))
	p.LinkJobs = jobs
	if avail < per {
		p.add(Check{Name: "memory", Status: finding.Warn, Detail: fmt.Sprintf("%s available; one clang link with %s takes about %s: add swap or close programs, or the build will be killed while linking", gib(avail), linker, gib(per))})
		return
	}
	p.add(Check{Name: "memory", Detail: fmt.Sprintf("%s available; one clang link with %s takes about %s", gib(avail), linker, gib(per))})
}

// linkJobs settles LLVM_PARALLEL_LINK_JOBS: --link-jobs, else what memory
// allows (set by memoryCheck), never more than the compile jobs.
func (p *Plan) linkJobs(h *host.Host) {
	switch {
	case p.Opts.LinkJobs > 0:
		p.LinkJobs, p.LinkWhy = p.Opts.LinkJobs, "from --link-jobs"
		return
	case p.LinkJobs == 0:
		p.LinkJobs, p.LinkWhy = 1, "memory unknown"
		return
	}
	limit := p.Opts.Jobs
	if limit == 0 {
		limit = p.Opts.CPUs
	}
	if limit > 0 && p.LinkJobs > limit {
		p.LinkJobs = limit
	}
	p.LinkWhy = "from the available memory"
}

// layout writes the commands.
func (p *Plan) layout() {
	o := p.Opts
	p.defines = [][2]string{
		{"CMAKE_BUILD_TYPE", "Release"},
		{"LLVM_TARGETS_TO_BUILD", o.Targets},
		{"LLVM_ENABLE_PROJECTS", o.Projects},
		{"LLVM_BUILD_RUNTIME", "OFF"},
		{"LLVM_PARALLEL_LINK_JOBS", strconv.Itoa(p.LinkJobs)},
	}
	if o.Prefix != "" {
		p.defines = append(p.defines, [2]string{"CMAKE_INSTALL_PREFIX", o.Prefix})
	}
	if p.UseLLD {
		p.defines = append(p.defines, [2]string{"LLVM_USE_LINKER", p.Linker})
		if p.LinkerDir != "" {
			// LLVM adds -fuse-ld=lld to these; -B is where GCC looks
			// for ld.lld before PATH.
			for _, v := range []string{"CMAKE_EXE_LINKER_FLAGS", "CMAKE_SHARED_LINKER_FLAGS", "CMAKE_MODULE_LINKER_FLAGS"} {
				p.defines = append(p.defines, [2]string{v, "-B" + p.LinkerDir + "/"})
			}
		}
	}
	if p.UseCCache {
		p.defines = append(p.defines, [2]string{"LLVM_CCACHE_BUILD", "ON"})
	}
	p.Configure = []string{"cmake", "-S", p.LLVMDir, "-B", p.BuildDir, "-G", "Ninja"}
	for _, d := range p.defines {
		p.Configure = append(p.Configure, "-D"+d[0]+"="+d[1])
	}
	p.Build = []string{"ninja", "-C", p.BuildDir}
	if o.Jobs > 0 {
		p.Build = append(p.Build, "-j", strconv.Itoa(o.Jobs))
	}
	p.Verify = []string{filepath.Join(p.BuildDir, "bin", "llc"), "--version"}
	p.BinDir = filepath.Join(p.BuildDir, "bin")
	if o.Prefix != "" {
		p.Install = []string{"cmake", "--install", p.BuildDir}
		p.BinDir = filepath.Join(o.Prefix, "bin")
		p.installLLC = filepath.Join(o.Prefix, "bin", "llc")
	}
}

// Defines are the cache entries the configure step sets, in order.
func (p *Plan) Defines() [][2]string { return append([][2]string(nil), p.defines...) }

// Blocked returns the checks that stop the build.
func (p *Plan) Blocked() []Check {
	var b []Check
	for _, c := range p.Checks {
		if c.Status == finding.Fail {
			b = append(b, c)
		}
	}
	return b
}

// PathLine is the shell line that puts the new tools first on PATH.
func (p *Plan) PathLine() string { return bootstrap.PathLine(p.BinDir) }

// WritePreflight writes one line per check; a miss carries its fix.
func (p *Plan) WritePreflight(w io.Writer) {
	for _, c := range p.Checks {
		line := fmt.Sprintf("  %s %s: %s", c.Status.Mark(), c.Name, c.Detail)
		if c.Fix != "" {
			line += ": " + c.Fix
		}
		fmt.Fprintln(w, line)
	}
}

// Commands are the commands the build runs, in order, for display.
func (p *Plan) Commands() [][]string {
	var cmds [][]string
	if p.Clone != nil {
		cmds = append(cmds, p.Clone)
	}
	cmds = append(cmds, p.Configure, p.Build, p.Verify)
	if p.Install != nil {
		cmds = append(cmds, p.Install, []string{p.installLLC, "--version"})
	}
	return cmds
}

// WriteDryRun writes the whole plan: the preflight results, every
// command, and the PATH line.
func (p *Plan) WriteDryRun(w io.Writer) {
	fmt.Fprintln(w, "bootstrap llvm: dry run, nothing is run")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Preflight:")
	p.WritePreflight(w)
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Commands (LLVM_PARALLEL_LINK_JOBS=%d %s):\n", p.LinkJobs, p.LinkWhy)
	for _, c := range p.Commands() {
		fmt.Fprintf(w, "  $ %s\n", DisplayCommand(c))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Then use it with:")
	fmt.Fprintf(w, "  %s\n", p.PathLine())
	if b := p.Blocked(); len(b) > 0 {
		var names []string
		for _, c := range b {
			names = append(names, c.Name)
		}
		fmt.Fprintln(w)
		fmt.Fprintf(w, "The build cannot run yet: fix %s first.\n", strings.Join(names, ", "))
	}
}

// DisplayCommand renders a command for a POSIX shell (shell.Quote), but
// writes a cmake definition whose value needs quoting the way LLVM's
// documentation does: -DNAME="a;b".
func DisplayCommand(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if name, val, ok := strings.Cut(a, "="); ok && strings.HasPrefix(name, "-D") && shell.Quote(name) == name && val != "" && shell.Quote(val) != val {
			q[i] = name + `="` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "$", `\$`, "`", "\\`").Replace(val) + `"`
			continue
		}
		q[i] = shell.Quote(a)
	}
	return strings.Join(q, " ")
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

func gib(n uint64) string { return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30)) }

// existingAncestor is the nearest directory of p that exists: the build
// directory is usually still to be made.
func existingAncestor(p string) string {
	for {
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			return p
		}
		parent := filepath.Dir(p)
		if parent == p {
			return p
		}
		p = parent
	}
}
