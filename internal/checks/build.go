package checks

import (
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"

	"github.com/Masterminds/semver/v3"
	"github.com/cilium/ebpf"

	"github.com/bpfdoctor/bpfdoctor/internal/bpfobj"
	"github.com/bpfdoctor/bpfdoctor/internal/distro"
	"github.com/bpfdoctor/bpfdoctor/internal/host"
	"github.com/bpfdoctor/bpfdoctor/internal/libbpf"
)

// The build area does what libbpf-bootstrap's minimal example does, with
// the user's own tools: a BPF object against the system's headers, its
// skeleton, a C loader linked against libbpf, and a load into the kernel.
// clang.probe's freestanding C cannot see a missing asm/types.h or libbpf
// header; this can.
func init() {
	register([]Check{
		{ID: "build.bpf", Area: "build", Title: "BPF object", Run: checkBuildBPF,
			Looks: "`clang --target=bpf -O2 -g -c` on a program with <linux/bpf.h>, libbpf's headers, a BTF map, globals and CO-RE relocations; on failure again with `clang -v -E`'s system dirs as -idirafter"},
		{ID: "build.skeleton", Area: "build", Title: "skeleton", Run: checkBuildSkeleton,
			Looks: "`bpftool gen skeleton` on that object"},
		{ID: "build.loader", Area: "build", Title: "loader", Run: checkBuildLoader,
			Looks: "`cc` on a loader that includes the skeleton, linked with `pkg-config --cflags --libs libbpf` -lelf -lz; the libbpf.so `ldd` resolves against libbpf_version.h"},
		{ID: "build.load", Area: "build", Title: "kernel load", Run: checkBuildLoad,
			Looks: "the object loaded, not attached, through cilium/ebpf (root or CAP_BPF+CAP_PERFMON only)"},
	})
}

// buildProbeSrc needs no vmlinux.h: it declares the kernel types it reads
// with preserve_access_index, and the kernel's BTF resolves them at load
// time. Each CO-RE relocation kind is there: field offset
// (__builtin_preserve_access_index), field_info (exists, size), type_info
// and enum_value.
const buildProbeSrc = `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct {
	int pid;
	int tgid;
} __attribute__((preserve_access_index));

enum pid_type {
	PIDTYPE_PID,
	PIDTYPE_TGID,
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

int hits;
int step = 1;
const volatile int skip_pid = -1;

SEC("tp/syscalls/sys_enter_write")
int probe(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	__u32 key = 0;
	__u64 *n;
	int tgid = 0;

	if (bpf_core_type_exists(struct task_struct) && bpf_core_field_exists(t->tgid))
		bpf_probe_read_kernel(&tgid, bpf_core_field_size(t->tgid),
				      __builtin_preserve_access_index(&t->tgid));
	if (tgid == skip_pid)
		return 0;
	n = bpf_map_lookup_elem(&counts, &key);
	if (n)
		__sync_fetch_and_add(n, bpf_core_enum_value(enum pid_type, PIDTYPE_TGID));
	hits += step;
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
`

// buildLoaderSrc is libbpf-bootstrap's minimal.c in small: it includes the
// skeleton and uses it, and references libelf and zlib, which a libbpf
// built from source (as libbpf-bootstrap builds it) needs. It is built,
// never run.
const buildLoaderSrc = `#include <stdio.h>
#include <libelf.h>
#include <zlib.h>
#include <bpf/libbpf.h>
#include "probe.skel.h"

int main(int argc, char **argv)
{
	struct probe *skel;

	if (argc > 1)
		return elf_version(EV_CURRENT) == EV_NONE || !zlibVersion();
	skel = probe__open();
	if (!skel)
		return 1;
	skel->rodata->skip_pid = 0;
	if (probe__load(skel))
		fprintf(stderr, "load failed (libbpf %s)\n", libbpf_version_string());
	probe__destroy(skel);
	return 0;
}
`

// buildSections are what the object must hold for the skeleton and the
// loader to have something to do: the BTF map, the three global sections,
// and the BTF that CO-RE relocations live in.
var buildSections = []string{".maps", ".bss", ".data", ".rodata", ".BTF", ".BTF.ext"}

// buildStep is one command of the probe.
type buildStep struct {
	name   string // as in "the <name> step"
	cmd    string // as the report shows it, with the probe's file names
	stderr string
	err    error
}

func (s *buildStep) failed() bool { return s != nil && s.err != nil }

// firstError is the line of a tool's output that says what went wrong:
// the first that mentions an error (a compiler prints "In file included
// from" lines first), else the first line.
func (s *buildStep) firstError() string {
	for line := range strings.SplitSeq(s.stderr, "\n") {
		if l := strings.ToLower(line); strings.Contains(l, "error") || strings.Contains(l, "cannot find") {
			return host.FirstLine([]byte(line))
		}
	}
	if l := host.FirstLine([]byte(s.stderr)); l != "" {
		return l
	}
	return s.err.Error()
}

// runStep runs a probe command in dir; the command line shown uses the
// file names relative to dir.
func (e *Env) runStep(name, dir, tool string, args ...string) *buildStep {
	s := &buildStep{name: name, cmd: strings.ReplaceAll(filepath.Base(tool)+" "+strings.Join(args, " "), dir+"/", "")}
	out, err := e.run(tool, args...)
	s.stderr, s.err = string(out.Stderr), err
	return s
}

// probeDir makes the probe's private directory under $TMPDIR.
func probeDir() (string, error) {
	dir, err := os.MkdirTemp("", "bpfdoctor-build-")
	if err != nil {
		return "", fmt.Errorf("create the build probe's directory under TMPDIR %s: %w", os.TempDir(), err)
	}
	return dir, nil
}

// bpfBuild is the BPF object step: the plain compile, and when that fails
// for want of the system's include dirs, libbpf-bootstrap's compile.
type bpfBuild struct {
	plain   *buildStep
	sysDirs []string   // from `clang -v -E`, when the plain compile needed them
	sysErr  error      // why they could not be read
	fixed   *buildStep // the compile with -idirafter, when run
	obj     []byte     // the object of whichever compile passed
	sects   []string
	bad     error // the object is unreadable
}

// built is the compile that made the object, nil when none did.
func (b *bpfBuild) built() *buildStep {
	switch {
	case b.obj == nil:
		return nil
	case b.fixed != nil:
		return b.fixed
	}
	return b.plain
}

var (
	buildBPFFact    = &fact[*bpfBuild]{"build probe object"}
	buildLoaderFact = &fact[*loaderBuild]{"build probe loader"}
	buildLoadFact   = &fact[struct{}]{"build probe load"}
)

// sysIncludeRe matches what a missing multiarch include dir breaks:
// <linux/types.h> includes <asm/types.h>, and <gnu/stubs.h> includes
// <gnu/stubs-32.h> for a target that is not the host's.
var sysIncludeRe = regexp.MustCompile(`'(asm/[a-z_]+\.h|gnu/stubs-32\.h)' file not found|(asm/[a-z_]+\.h|gnu/stubs-32\.h): No such file`)

// BuildBPF compiles buildProbeSrc once per run.
func (e *Env) BuildBPF() (*bpfBuild, error) {
	return memo(e, buildBPFFact, func() (*bpfBuild, error) {
		use, all, _ := findTool(e.Host, "clang")
		if len(all) == 0 {
			return nil, fmt.Errorf("clang %w", ErrNotFound)
		}
		dir, err := probeDir()
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		src, obj := filepath.Join(dir, "probe.bpf.c"), filepath.Join(dir, "probe.bpf.o")
		if err := os.WriteFile(src, []byte(buildProbeSrc), 0o644); err != nil {
			return nil, fmt.Errorf("write the build probe: %w", err)
		}
		b := &bpfBuild{}
		args := []string{"--target=bpf", "-O2", "-g", "-c", src, "-o", obj}
		fixedObj := filepath.Join(dir, "probe-sysdirs.bpf.o")
		fixed := func() {
			b.sysDirs, b.sysErr = e.clangSysDirs(use.Exec)
			if b.sysErr == nil {
				fargs := slices.Concat(args[:3], idirafter(b.sysDirs), args[3:5], []string{"-o", fixedObj})
				b.fixed = e.runStep("compile", dir, use.Exec, fargs...)
			}
		}
		if _, err := e.Host.Stat("/usr/include/asm"); err != nil {
			// Without /usr/include/asm (Debian and Ubuntu without
			// gcc-multilib) the plain compile will likely fail on
			// asm/types.h: build the fixed variant beside it rather than
			// after it, which keeps the build chain off the run's
			// critical path.
			done := make(chan struct{})
			go func() { defer close(done); fixed() }()
			b.plain = e.runStep("compile", dir, use.Exec, args...)
			<-done
			if !b.plain.failed() || !sysIncludeRe.MatchString(b.plain.stderr) {
				b.sysDirs, b.sysErr, b.fixed = nil, nil, nil // not needed after all
			}
		} else {
			b.plain = e.runStep("compile", dir, use.Exec, args...)
			if b.plain.failed() && sysIncludeRe.MatchString(b.plain.stderr) {
				fixed()
			}
		}
		if s := b.plain; s.failed() && (b.fixed == nil || b.fixed.failed()) {
			return b, nil
		}
		if b.plain.failed() {
			obj = fixedObj
		}
		if b.obj, err = os.ReadFile(obj); err != nil {
			return nil, fmt.Errorf("read the build probe's object: %w", err)
		}
		o, err := bpfobj.Read(bytes.NewReader(b.obj))
		if err != nil {
			b.bad = err
		} else {
			b.sects = o.Sections
		}
		return b, nil
	})
}

// clangSysDirs reads the "#include <...> search starts here:" list of
// `clang -v -E - </dev/null`, as libbpf-bootstrap's Makefile does for
// CLANG_BPF_SYS_INCLUDES.
func (e *Env) clangSysDirs(clang string) ([]string, error) {
	out, err := e.Host.RunIn(e.ctx, strings.NewReader(""), clang, "-v", "-E", "-")
	if err != nil {
		return nil, err
	}
	dirs := parseSysDirs(string(out.Stderr))
	if len(dirs) == 0 {
		return nil, fmt.Errorf("read `clang -v -E -`: no \"#include <...> search starts here:\" list")
	}
	return dirs, nil
}

func parseSysDirs(out string) []string {
	var dirs []string
	in := false
	for line := range strings.SplitSeq(out, "\n") {
		switch {
		case strings.HasPrefix(line, "#include <...> search starts here:"):
			in = true
		case strings.HasPrefix(line, "End of search list."):
			return dirs
		case in && strings.HasPrefix(line, " /"):
			dirs = append(dirs, strings.TrimSpace(line))
		}
	}
	return dirs
}

func idirafter(dirs []string) []string {
	var out []string
	for _, d := range dirs {
		out = append(out, "-idirafter", d)
	}
	return out
}

// coreBuiltins are the clang builtins libbpf's bpf_core_read.h expands to,
// with the clang that brought each. Sources, from memory: LLVM D61809
// (preserve_access_index) and D67980 (field_info) for clang 10, D83878
// (type_info) and D83242 (enum_value) for clang 12; the libbpf README asks
// for clang 10 for CO-RE.
var coreBuiltins = map[string]string{
	"__builtin_preserve_access_index": "10",
	"__builtin_preserve_field_info":   "10",
	"__builtin_preserve_type_info":    "12",
	"__builtin_preserve_enum_value":   "12",
}

var unknownBuiltinRe = regexp.MustCompile(`unknown builtin '(__builtin_[A-Za-z_]+)'`)

// bpfCompileCause explains a failed compile of the probe and says what
// fixes it.
func (e *Env) bpfCompileCause(s *buildStep) (string, *finding.Fix) {
	line := s.firstError()
	switch {
	case strings.Contains(line, "bpf/bpf_helpers.h") || strings.Contains(line, "bpf/bpf_core_read.h"):
		return "libbpf's headers are not installed", e.install("Install libbpf's development files, or vendor libbpf as libbpf-bootstrap does.", distro.LibbpfDev)
	case strings.Contains(line, "linux/bpf.h"):
		return "the kernel's UAPI headers are not installed", e.install("Install the C library and kernel headers.", distro.CCompiler)
	}
	if m := unknownBuiltinRe.FindStringSubmatch(s.stderr); m != nil {
		since := coreBuiltins[m[1]]
		if since == "" {
			since = "a newer"
		}
		fix := e.install(fmt.Sprintf("Install clang %s or newer, or build LLVM and clang yourself.", since), distro.Clang)
		fix.Commands = append(fix.Commands, "bpfdoctor bootstrap llvm")
		return fmt.Sprintf("this clang lacks %s, which libbpf's CO-RE macros need (clang >= %s)", m[1], since), fix
	}
	return "", probeFix
}

func checkBuildBPF(_ context.Context, e *Env) finding.Finding {
	b, err := e.BuildBPF()
	switch {
	case errors.Is(err, ErrNotFound):
		return finding.Result(finding.Skip, "no clang (see clang.version)")
	case err != nil:
		return finding.Result(finding.Error, "%v", err)
	}
	if b.obj == nil {
		return e.bpfBuildFailure(b)
	}
	s := b.built()
	if b.bad != nil {
		f := finding.Result(finding.Fail, "clang's object of the build probe is unreadable: %v", b.bad).WithSource(s.cmd)
		f.Fix = probeFix
		return f
	}
	var missing []string
	for _, want := range buildSections {
		if !slices.Contains(b.sects, want) {
			missing = append(missing, want)
		}
	}
	if len(missing) > 0 {
		f := finding.Result(finding.Fail, "the build probe's object lacks %s", strings.Join(missing, ", ")).WithSource(s.cmd).
			WithDetails("sections: " + strings.Join(b.sects, " "))
		f.Fix = probeFix
		return f
	}
	f := finding.Result(finding.Pass, "built a libbpf program: <linux/bpf.h>, bpf_helpers.h, bpf_core_read.h, a BTF map, globals, CO-RE relocations").
		WithSource(s.cmd).WithDetails("sections: " + strings.Join(b.sects, " "))
	if b.fixed == nil {
		return f
	}
	// The plain build failed on the system's include dirs and
	// libbpf-bootstrap's flags mend it: what a user typing the command
	// meets, with both fixes.
	f.Status = finding.Warn
	f.Message = fmt.Sprintf("the plain `clang --target=bpf -O2 -g -c` fails at the compile step: %s; %s. With libbpf-bootstrap's -idirafter flags it builds",
		b.plain.firstError(), sysDirsWhy(b.plain.stderr))
	f.Fix = e.sysDirsFix(b.sysDirs)
	return f.WithDetails("failed: "+b.plain.cmd).WithFact("sys_includes", strings.Join(idirafter(b.sysDirs), " "))
}

// sysDirsWhy says why clang --target=bpf misses a header the host's gcc
// finds.
func sysDirsWhy(stderr string) string {
	if strings.Contains(stderr, "gnu/stubs-32.h") {
		return "clang --target=bpf is a 32-bit-less freestanding target that does not search the multiarch include dir, so <gnu/stubs.h> picks the 32-bit stubs it cannot find"
	}
	return fmt.Sprintf("clang --target=bpf does not search the multiarch include dir (/usr/include/%s-linux-gnu on Debian and Ubuntu), where this distribution keeps asm/", multiarch())
}

// multiarch is Debian's multiarch tuple's CPU for this machine.
func multiarch() string {
	switch runtime.GOARCH {
	case "amd64":
		return "x86_64"
	case "arm64":
		return "aarch64"
	case "386":
		return "i386"
	}
	return runtime.GOARCH
}

// sysDirsFix gives the -idirafter flags libbpf-bootstrap derives, and on
// Debian and Ubuntu the package that puts asm/ where clang looks.
func (e *Env) sysDirsFix(dirs []string) *finding.Fix {
	flags := strings.Join(idirafter(dirs), " ")
	fix := &finding.Fix{
		Text:     "Pass clang the system include dirs, as libbpf-bootstrap's Makefile does with $(CLANG_BPF_SYS_INCLUDES): " + flags + ".",
		Commands: []string{"clang --target=bpf -O2 -g " + flags + " -c prog.bpf.c -o prog.bpf.o"},
		Docs:     []string{"https://github.com/libbpf/libbpf-bootstrap/blob/master/examples/c/Makefile"},
	}
	if cmd, ok := e.OS().InstallCommand(e.Host.UID == 0, distro.GCCMultilib); ok && runtime.GOARCH == "amd64" {
		fix.Text += " Or install gcc-multilib, which adds /usr/include/asm."
		fix.Commands = append(fix.Commands, cmd)
	}
	return fix
}

func (e *Env) bpfBuildFailure(b *bpfBuild) finding.Finding {
	s := b.plain
	if b.fixed != nil {
		s = b.fixed
	}
	cause, fix := e.bpfCompileCause(s)
	if cause == "" && sysIncludeRe.MatchString(s.stderr) {
		cause, fix = sysDirsWhy(s.stderr), e.sysDirsFix(b.sysDirs)
		if b.sysErr != nil {
			cause += fmt.Sprintf(" (and its include list is unreadable: %v)", b.sysErr)
		}
	}
	msg := fmt.Sprintf("the compile step fails: %s", s.firstError())
	if cause != "" {
		msg += ": " + cause
	}
	f := finding.Result(finding.Fail, "%s", msg).WithSource(s.cmd)
	if b.fixed != nil {
		f = f.WithDetails("the plain build failed too: "+b.plain.firstError(), "libbpf-bootstrap's -idirafter flags did not help")
	}
	f.Fix = fix
	return f
}

// loaderBuild is the skeleton and loader steps.
type loaderBuild struct {
	bpftool    string
	noBpftool  bool
	skel       *buildStep
	noSkeleton bool // the bpftool printed its usage: no `gen skeleton`
	noCC       bool
	pkgConfig  string // the pkg-config flags, "" when pkg-config failed
	pkgErr     error
	compile    *buildStep
	link       *buildStep
	header     string // the libbpf_version.h the compile used
	headerVer  *semver.Version
	runtime    string // the libbpf.so ldd resolved
	runtimeVer *semver.Version
	ldd        *buildStep
	why        []string // what could not be read, for details
}

// BuildLoader runs `bpftool gen skeleton` on the probe object and builds
// the loader, once per run. It needs the object: the caller checks
// BuildBPF first.
func (e *Env) BuildLoader(obj []byte) (*loaderBuild, error) {
	return memo(e, buildLoaderFact, func() (*loaderBuild, error) {
		l := &loaderBuild{}
		p, err := e.Bpftool()
		switch {
		case errors.Is(err, ErrNotFound):
			l.noBpftool = true
			return l, nil
		case p == nil:
			return nil, err
		}
		l.bpftool = p.path
		dir, err := probeDir()
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		objPath, skelPath := filepath.Join(dir, "probe.bpf.o"), filepath.Join(dir, "probe.skel.h")
		if err := os.WriteFile(objPath, obj, 0o644); err != nil {
			return nil, fmt.Errorf("write the build probe's object: %w", err)
		}
		if err := e.genSkeleton(l, dir, objPath, skelPath); err != nil || l.skel.failed() {
			return l, err
		}
		cc, err := e.Host.LookPath("cc")
		if err != nil {
			l.noCC = true
			return l, nil
		}
		src, o, bin, deps := filepath.Join(dir, "loader.c"), filepath.Join(dir, "loader.o"), filepath.Join(dir, "loader"), filepath.Join(dir, "loader.d")
		if err := os.WriteFile(src, []byte(buildLoaderSrc), 0o644); err != nil {
			return nil, fmt.Errorf("write the build probe's loader: %w", err)
		}
		cflags, libs := e.libbpfFlags(l)
		l.compile = e.runStep("compile", dir, cc, slices.Concat([]string{"-g", "-Wall", "-MD", "-MF", deps}, cflags, []string{"-c", src, "-o", o})...)
		if l.compile.failed() {
			return l, nil
		}
		e.readHeaderVersion(l, deps)
		l.link = e.runStep("link", dir, cc, slices.Concat([]string{o, "-o", bin}, libs)...)
		if l.link.failed() {
			return l, nil
		}
		e.readRuntimeVersion(l, dir, bin)
		return l, nil
	})
}

func (e *Env) genSkeleton(l *loaderBuild, dir, objPath, skelPath string) error {
	out, err := os.Create(skelPath)
	if err != nil {
		return fmt.Errorf("create the skeleton header: %w", err)
	}
	defer out.Close()
	l.skel = &buildStep{name: "skeleton", cmd: "bpftool gen skeleton probe.bpf.o name probe > probe.skel.h"}
	res, err := e.Host.RunTo(e.ctx, out, l.bpftool, "gen", "skeleton", objPath, "name", "probe")
	l.skel.stderr, l.skel.err = strings.ReplaceAll(string(res.Stderr), dir+"/", ""), err
	// bpftool answers a subcommand it lacks with its usage: either gen's,
	// without skeleton, or the top level's, without gen (before 5.6).
	l.noSkeleton = err != nil && strings.Contains(l.skel.stderr, "Usage:")
	return nil
}

// libbpfFlags splits `pkg-config --cflags --libs libbpf` into compile and
// link flags, and adds -lelf -lz as libbpf-bootstrap links them.
func (e *Env) libbpfFlags(l *loaderBuild) (cflags, libs []string) {
	out, err := e.run("pkg-config", "--cflags", "--libs", "libbpf")
	if err != nil {
		l.pkgErr = err
		libs = []string{"-lbpf"}
	} else {
		l.pkgConfig = strings.TrimSpace(string(out.Stdout))
		for _, w := range strings.Fields(l.pkgConfig) {
			if strings.HasPrefix(w, "-l") || strings.HasPrefix(w, "-L") || strings.HasPrefix(w, "-Wl,") {
				libs = append(libs, w)
			} else {
				cflags = append(cflags, w)
			}
		}
	}
	for _, w := range []string{"-lelf", "-lz"} {
		if !slices.Contains(libs, w) {
			libs = append(libs, w)
		}
	}
	return cflags, libs
}

// readHeaderVersion finds the libbpf_version.h the compiler really read in
// the -MD dependency file, and its version.
func (e *Env) readHeaderVersion(l *loaderBuild, deps string) {
	b, err := os.ReadFile(deps)
	if err != nil {
		l.why = append(l.why, fmt.Sprintf("read the loader's dependencies: %v", err))
		return
	}
	for _, w := range strings.Fields(strings.ReplaceAll(string(b), "\\\n", " ")) {
		if strings.HasSuffix(w, "/bpf/libbpf_version.h") {
			l.header = filepath.Clean(w)
			break
		}
	}
	if l.header == "" {
		l.why = append(l.why, "the loader's compile read no bpf/libbpf_version.h (libbpf < 0.6)")
		return
	}
	src, err := e.Host.ReadFile(l.header)
	if err == nil {
		l.headerVer, err = libbpf.ParseVersionHeader(string(src))
	}
	if err != nil {
		l.why = append(l.why, err.Error())
	}
}

// readRuntimeVersion asks ldd which libbpf.so the dynamic loader resolves
// for the loader, and reads its version from its file name or its symbol
// versions.
func (e *Env) readRuntimeVersion(l *loaderBuild, dir, bin string) {
	if _, err := e.Host.LookPath("ldd"); err != nil {
		l.why = append(l.why, "no ldd: the runtime libbpf is not known")
		return
	}
	l.ldd = &buildStep{name: "ldd", cmd: "ldd loader"}
	out, err := e.run("ldd", bin)
	if err != nil {
		l.ldd.err, l.ldd.stderr = err, strings.ReplaceAll(string(out.Stderr), dir+"/", "")
		return
	}
	path, ok := libbpf.LddLibbpf(string(out.Stdout))
	switch {
	case !ok:
		l.why = append(l.why, "the loader does not need libbpf.so: linked statically")
		return
	case path == "":
		l.ldd.err = errors.New("libbpf.so.1 => not found")
		return
	}
	l.runtime = path
	real := e.Host.Abs(path)
	if r, err := filepath.EvalSymlinks(real); err == nil {
		real = r
	}
	if v, ok := libbpf.SharedObjectVersion(filepath.Base(real)); ok {
		l.runtimeVer = v
		return
	}
	f, err := elf.Open(real)
	if err != nil {
		l.why = append(l.why, fmt.Sprintf("read %s: %v", path, err))
		return
	}
	defer f.Close()
	vs, err := f.DynamicVersions()
	var names []string
	for _, v := range vs {
		names = append(names, v.Name)
	}
	if v, ok := libbpf.SymbolVersionsVersion(names); ok && err == nil {
		l.runtimeVer = v
		return
	}
	l.why = append(l.why, fmt.Sprintf("%s says no LIBBPF_ version", path))
}

// needObject returns the probe object, or the skip that says why there is
// none.
func (e *Env) needObject() ([]byte, *finding.Finding) {
	b, err := e.BuildBPF()
	if err != nil || b.obj == nil {
		f := finding.Result(finding.Skip, "the probe's BPF object did not build (see build.bpf)")
		return nil, &f
	}
	return b.obj, nil
}

// needLoader is the loader build of the probe's object, or the finding
// that stands in for a check that needs it: a skip when the object did not
// build, noBpftool's skip when there is no bpftool, an error when the
// build could not run.
func (e *Env) needLoader(noBpftool string) (*loaderBuild, *finding.Finding) {
	obj, skip := e.needObject()
	if skip != nil {
		return nil, skip
	}
	l, err := e.BuildLoader(obj)
	var f finding.Finding
	switch {
	case err != nil:
		f = finding.Result(finding.Error, "%v", err)
	case l.noBpftool:
		f = finding.Result(finding.Skip, "%s", noBpftool)
	default:
		return l, nil
	}
	return nil, &f
}

func checkBuildSkeleton(_ context.Context, e *Env) finding.Finding {
	l, stand := e.needLoader("no bpftool (see libbpf.bpftool)")
	if stand != nil {
		return *stand
	}
	s := l.skel
	if !s.failed() {
		return finding.Result(finding.Pass, "bpftool generated the skeleton").WithSource(s.cmd)
	}
	f := finding.Result(finding.Fail, "the skeleton step fails: %s", s.firstError()).WithSource(s.cmd)
	if l.noSkeleton {
		// 985ead416df3 ("bpftool: Add skeleton codegen command"), v5.6.
		f.Message = fmt.Sprintf("the skeleton step fails: %s has no `gen skeleton` (it printed its usage); skeletons came in bpftool 5.6", l.bpftool)
		f.Fix = e.install("Install a newer bpftool, or build it from https://github.com/libbpf/bpftool.", distro.Bpftool)
		return f
	}
	f.Fix = &finding.Fix{Text: "Use a bpftool at least as new as the libbpf whose headers the program uses.", Docs: []string{"https://github.com/libbpf/bpftool"}}
	return f
}

// linkLibRe reads the library a linker could not find.
var linkLibRe = regexp.MustCompile(`cannot find -l([A-Za-z0-9_]+)`)

// libPackage is the development package of a library the loader needs.
func libPackage(lib string) (distro.Package, bool) {
	switch lib {
	case "bpf", "bpf/libbpf.h", "bpf/bpf.h":
		return distro.LibbpfDev, true
	case "elf", "libelf.h", "gelf.h":
		return distro.Libelf, true
	case "z", "zlib.h":
		return distro.Zlib, true
	}
	return 0, false
}

var missingHeaderRe = regexp.MustCompile(`'?([A-Za-z0-9_/]+\.h)'?(?:: No such file| file not found)`)

func checkBuildLoader(_ context.Context, e *Env) finding.Finding {
	const noSkeleton = "no skeleton to include (see build.skeleton)"
	l, stand := e.needLoader(noSkeleton)
	if stand != nil {
		return *stand
	}
	switch {
	case l.skel.failed():
		return finding.Result(finding.Skip, noSkeleton)
	case l.noCC:
		f := finding.Result(finding.Fail, "no C compiler (`cc`) on PATH to build the loader")
		f.Fix = e.install("Install a C compiler.", distro.CCompiler)
		return f
	}
	var details []string
	if l.pkgErr != nil {
		details = append(details, fmt.Sprintf("pkg-config gave no flags (%v): linked with -lbpf -lelf -lz", l.pkgErr))
	}
	for _, s := range []*buildStep{l.compile, l.link} {
		if !s.failed() {
			continue
		}
		f := finding.Result(finding.Fail, "the loader's %s step fails: %s", s.name, s.firstError()).WithSource(s.cmd).WithDetails(details...)
		what := ""
		if m := linkLibRe.FindStringSubmatch(s.stderr); m != nil {
			what = m[1]
		} else if m := missingHeaderRe.FindStringSubmatch(s.firstError()); m != nil {
			what = m[1]
		}
		if p, ok := libPackage(what); ok {
			f.Message += fmt.Sprintf(": %s's development files are not installed", p)
			f.Fix = e.install(fmt.Sprintf("Install %s's headers and library.", p), p)
		} else {
			f.Fix = e.install("Install the C compiler and libbpf's, libelf's and zlib's development files.", distro.CCompiler, distro.LibbpfDev, distro.Libelf, distro.Zlib)
		}
		return f
	}
	f := finding.Result(finding.Pass, "the loader compiled and linked against libbpf").WithSource(l.link.cmd).
		WithDetails(l.compile.cmd).WithDetails(details...).WithDetails(l.why...)
	if l.ldd != nil && l.ldd.failed() {
		f.Status = finding.Fail
		f.Message = fmt.Sprintf("the loader links, but the dynamic loader does not find its libbpf: %s", l.ldd.firstError())
		f.Source = "ldd loader"
		f.Fix = e.install("Install libbpf's shared library, or add its directory to the loader's rpath (-Wl,-rpath,DIR).", distro.LibbpfDev)
		return f
	}
	if l.header != "" {
		f = f.WithFact("headers", l.header)
	}
	if l.runtime != "" {
		f = f.WithFact("runtime", l.runtime)
	}
	if l.headerVer == nil || l.runtimeVer == nil {
		return f
	}
	hv, rv := l.headerVer, l.runtimeVer
	f.Message = fmt.Sprintf("the loader compiled and linked; headers and runtime are both libbpf %d.%d", hv.Major(), hv.Minor())
	f = f.WithFact("headers_version", hv.String()).WithFact("runtime_version", rv.String())
	if hv.Major() == rv.Major() && hv.Minor() == rv.Minor() {
		return f
	}
	// The headers declare what the program calls; a runtime older than
	// them lacks those symbols (the loader dies with "version LIBBPF_x.y.0
	// not found"), a newer one keeps libbpf's ABI but is not what the
	// headers document.
	f.Status = finding.Warn
	if hv.GreaterThan(rv) {
		f.Status = finding.Fail
	}
	f.Message = fmt.Sprintf("headers of libbpf %d.%d (%s) but the loader runs with libbpf %s (%s)",
		hv.Major(), hv.Minor(), l.header, rv, l.runtime)
	f.Fix = &finding.Fix{Text: "Build and run against one libbpf: point pkg-config at the libbpf whose headers you use (PKG_CONFIG_PATH) and give the loader that library (-Wl,-rpath,DIR or LD_LIBRARY_PATH), or remove the other copy."}
	return f
}

func checkBuildLoad(_ context.Context, e *Env) finding.Finding {
	obj, skip := e.needObject()
	if skip != nil {
		return *skip
	}
	if !e.privileged() {
		return finding.Result(finding.Skip, "loading needs root or CAP_BPF with CAP_PERFMON: %s", e.missingLoadCaps())
	}
	err := e.LoadProbe(obj)
	if err == nil {
		return finding.Result(finding.Pass, "the kernel's verifier accepted the probe (loaded, not attached, and closed)").WithSource("cilium/ebpf NewCollection")
	}
	f := finding.Result(finding.Fail, "the load step fails: %s", host.FirstLine([]byte(err.Error()))).WithSource("cilium/ebpf NewCollection")
	var ve *ebpf.VerifierError
	if errors.As(err, &ve) {
		f.Message = fmt.Sprintf("the verifier refuses the probe: %s", host.FirstLine([]byte(err.Error())))
		f = f.WithDetails(ve.Log[max(0, len(ve.Log)-5):]...)
	}
	return f.WithFix("Check kernel.btf (CO-RE needs the kernel's BTF) and kernel.release; a kernel older than the probe's features refuses it.")
}

// missingLoadCaps names what this process lacks to load programs.
func (e *Env) missingLoadCaps() string {
	caps, err := e.effectiveCaps()
	if err != nil {
		return err.Error()
	}
	var miss []string
	if caps&(1<<capBPF) == 0 {
		miss = append(miss, "CAP_BPF")
	}
	if caps&(1<<capPerfmon) == 0 {
		miss = append(miss, "CAP_PERFMON")
	}
	return "this process lacks " + strings.Join(miss, " and ") + " (see kernel.caps)"
}

// LoadProbe loads the probe object into the kernel without attaching it,
// once per run, and closes everything it made.
func (e *Env) LoadProbe(obj []byte) error {
	_, err := memo(e, buildLoadFact, func() (struct{}, error) {
		spec, err := ebpf.LoadCollectionSpecFromReader(bytes.NewReader(obj))
		if err != nil {
			return struct{}{}, fmt.Errorf("read the probe object: %w", err)
		}
		coll, err := ebpf.NewCollectionWithOptions(spec, ebpf.CollectionOptions{})
		if err != nil {
			return struct{}{}, err
		}
		coll.Close()
		return struct{}{}, nil
	})
	return err
}
