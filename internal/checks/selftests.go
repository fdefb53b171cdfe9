package checks

import (
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/bpfdoctor/bpfdoctor/internal/clip"
	"github.com/bpfdoctor/bpfdoctor/internal/distro"
	"github.com/bpfdoctor/bpfdoctor/internal/finding"
	"github.com/bpfdoctor/bpfdoctor/internal/host"
	"github.com/bpfdoctor/bpfdoctor/internal/kconfig"
	"github.com/bpfdoctor/bpfdoctor/internal/ktree"
	"github.com/bpfdoctor/bpfdoctor/internal/kver"
	"github.com/bpfdoctor/bpfdoctor/internal/selftests"
	"github.com/bpfdoctor/bpfdoctor/internal/shell"
)

// The selftests area predicts `make -C tools/testing/selftests/bpf` of the
// --kernel-src tree and running test_progs, from the tree's own Makefiles
// (internal/selftests) and small versions of the build's steps run here.
func init() {
	register([]Check{
		{ID: "selftests.tree", Area: "selftests", Title: "tree", Run: checkSelftestsTree,
			Looks: "the --kernel-src tree (or the kernel tree around the current directory): its version and tools/testing/selftests/bpf/Makefile"},
		{ID: "selftests.clang", Area: "selftests", Title: "compiler", Run: checkSelftestsClang,
			Looks: "compiles the few progs/*.c that together use the most distinct inline-asm instruction forms, with the clang and -mcpu the Makefile uses; on failure, every other installed LLVM"},
		{ID: "selftests.lld", Area: "selftests", Title: "linker", Run: checkSelftestsLLD,
			Looks: "links a program with clang -fuse-ld=X where the Makefile asks for it (lld on x86 and riscv)"},
		{ID: "selftests.tools", Area: "selftests", Title: "tools", Run: checkSelftestsTools,
			Looks: "the tools the Makefiles run: pkg-config, scripts/bpf_doc.py's interpreter, rst2man for `all: docs`"},
		{ID: "selftests.libs", Area: "selftests", Title: "libraries", Run: checkSelftestsLibs,
			Looks: "pkg-config --exists for each library the Makefile links (libelf, zlib, libcrypto, ...)"},
		{ID: "selftests.kernel", Area: "selftests", Title: "tree's kernel", Run: checkSelftestsKernel,
			Looks: "the tree's .config (CONFIG_MODULES, the selftests fragments), its prepared headers, vmlinux and Module.symvers, which the test modules need"},
		{ID: "selftests.vmlinux-btf", Area: "selftests", Title: "VMLINUX_BTF", Run: checkSelftestsBTF,
			Looks: "the first of the Makefile's VMLINUX_BTF_PATHS that exists, and whether it is the tree's kernel"},
		{ID: "selftests.version", Area: "selftests", Title: "kernel under test", Run: checkSelftestsVersion,
			Looks: "the running kernel's version against the tree's (bpf_devel_QA.rst: run the selftests of the kernel under test)"},
		{ID: "selftests.optional", Area: "selftests", Title: "optional parts", Run: checkSelftestsOptional,
			Looks: "what the Makefile builds only when found: libpcap, bpf-gcc, clang's -mcpu=v4, llvm-config"},
		{ID: "selftests.run", Area: "selftests", Title: "running", Run: checkSelftestsRun,
			Looks: "root, bpffs on /sys/fs/bpf and tracefs, which test_progs needs"},
		{ID: "selftests.vmtest", Area: "selftests", Title: "vmtest.sh", Run: checkSelftestsVmtest,
			Looks: "what the tree's vmtest.sh runs: the QEMU of this architecture and the tools it checks for"},
	})
}

// selftestsSuite is the tree the area judges.
type selftestsSuite struct {
	tree  *ktree.Tree
	suite *selftests.Suite
	abs   string // the tree's absolute directory
	uname string // uname -m
}

var suiteFact = &fact[selftestsSuite]{"selftests suite"}

var errNoTree = errors.New("no kernel tree: pass --kernel-src, or run inside a kernel tree")

// Suite opens the --kernel-src tree's selftests once per run.
func (e *Env) Suite() (selftestsSuite, error) {
	return memo(e, suiteFact, func() (selftestsSuite, error) {
		if e.KernelSrc == "" {
			return selftestsSuite{}, errNoTree
		}
		abs, err := filepath.Abs(e.KernelSrc)
		if err != nil {
			return selftestsSuite{}, fmt.Errorf("resolve %s: %w", e.KernelSrc, err)
		}
		t, err := ktree.OpenTree(os.DirFS(abs), e.KernelSrc)
		if err != nil {
			return selftestsSuite{}, err
		}
		uname := "x86_64"
		if a, _, ok := e.machineArch(); ok {
			uname = a.Uname
		}
		s, err := selftests.Open(os.DirFS(abs), e.KernelSrc, selftests.SrcArch(uname))
		if err != nil {
			return selftestsSuite{}, err
		}
		return selftestsSuite{tree: t, suite: s, abs: abs, uname: uname}, nil
	})
}

// needSuite is the prologue of every selftests check: the suite, or the
// finding that says why there is none.
func (e *Env) needSuite() (selftestsSuite, *finding.Finding) {
	s, err := e.Suite()
	switch {
	case errors.Is(err, errNoTree):
		f := finding.Result(finding.Skip, "%v", err)
		return s, &f
	case err != nil:
		f := finding.Result(finding.Fail, "%v", err).WithFix("Pass the top directory of a kernel tree that has tools/testing/selftests/bpf.")
		return s, &f
	}
	return s, nil
}

// selftestsDir is the selftests directory, for fixes: relative when the
// user named the tree relatively.
func (s selftestsSuite) dir() string { return filepath.Join(s.suite.Tree, selftests.Dir) }

// src names a line of the tree as the user named the tree.
func (s selftestsSuite) src(f selftests.From) string {
	if f.File == "" {
		return ""
	}
	return filepath.Join(s.suite.Tree, f.String())
}

func (s selftestsSuite) makeCmd() string { return "make -C " + shell.Quote(s.dir()) }

func checkSelftestsTree(_ context.Context, e *Env) finding.Finding {
	s, f := e.needSuite()
	if f != nil {
		return *f
	}
	progs := []string{"test_progs", "test_progs-no_alu32"}
	for _, o := range s.suite.Optionals() {
		switch o.Name {
		case "cpuv4":
			progs = append(progs, "test_progs-cpuv4 (when clang has -mcpu=v4)")
		case "bpf-gcc":
			progs = append(progs, "test_progs-bpf_gcc (when bpf-gcc is on PATH)")
		}
	}
	out := finding.Result(finding.Pass, "Linux %s at %s; `make` builds %s and %d test modules", s.tree.Version, s.suite.Tree, strings.Join(progs, ", "), len(s.suite.Modules())).
		WithSource(filepath.Join(s.suite.Tree, selftests.Dir, "Makefile")).WithFact("version", s.tree.Version.String())
	return out
}

// selftestsClang is the clang `make` runs: $CLANG, else LLVM='s prefix or
// suffix as tools/testing/selftests/lib.mk reads it, else clang on PATH.
func (e *Env) selftestsClang() string {
	if c := e.Host.Getenv("CLANG"); c != "" {
		return c
	}
	if l := e.Host.Getenv("LLVM"); l != "" {
		if strings.HasSuffix(l, "/") {
			return l + "clang"
		}
		if strings.HasPrefix(l, "-") {
			return "clang" + l
		}
	}
	return "clang"
}

// sampleResult is the compile of the tree's sample with one clang.
type sampleResult struct {
	clang  string
	failed []string // "progs/x.c:12: error: ..." per failed program
	err    error    // the compile could not be tried
}

const sampleSize = 6

// compileSample compiles the sample programs with clang, concurrently,
// the way the Makefile's CLANG_BPF_BUILD_RULE does.
func (e *Env) compileSample(s selftestsSuite, clang, gen, out string, progs []string) sampleResult {
	r := sampleResult{clang: clang}
	sys, err := e.clangSysDirs(clang)
	if err != nil {
		r.err = err
		return r
	}
	args := []string{"-g", "-Wall", "-Werror", "-D__TARGET_ARCH_" + s.suite.Arch, "-mlittle-endian", "-I", gen}
	for _, d := range selftests.IncludeDirs() {
		args = append(args, "-I", filepath.Join(s.abs, d))
	}
	args = append(args, idirafter(sys)...)
	args = append(args, "-O2", "--target=bpf")
	if m := s.suite.MCPU(); m != "" {
		args = append(args, "-mcpu="+m)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, p := range progs {
		wg.Go(func() {
			a := slices.Concat(args, []string{"-c", filepath.Join(s.abs, selftests.Dir, p), "-o", filepath.Join(out, fmt.Sprintf("%d.o", i))})
			o, err := e.run(clang, a...)
			if err == nil {
				return
			}
			line := firstErrorLine(string(o.Stderr))
			if line == "" {
				line = err.Error()
			}
			mu.Lock()
			r.failed = append(r.failed, strings.TrimPrefix(line, filepath.Join(s.abs, selftests.Dir)+"/"))
			mu.Unlock()
		})
	}
	wg.Wait()
	slices.Sort(r.failed)
	return r
}

// firstErrorLine is a compiler's first "error:" line, clipped.
func firstErrorLine(stderr string) string {
	for line := range strings.Lines(stderr) {
		if strings.Contains(line, "error:") {
			return clip.String(strings.TrimSpace(line), 200)
		}
	}
	return ""
}

func checkSelftestsClang(_ context.Context, e *Env) finding.Finding {
	s, f := e.needSuite()
	if f != nil {
		return *f
	}
	clang := e.selftestsClang()
	path, err := e.Host.LookPath(clang)
	if err != nil {
		fix := e.install("Install clang.", distro.Clang)
		return finding.Result(finding.Fail, "%s is not on PATH; the Makefile builds the programs with it", clang).WithFix(fix.Text, fix.Commands...)
	}
	progs, err := s.suite.Sample(sampleSize)
	if err != nil || len(progs) == 0 {
		return finding.Result(finding.Skip, "no programs with inline asm under %s/progs to sample", selftests.Dir)
	}
	dir, err := probeDir()
	if err != nil {
		return finding.Result(finding.Error, "%v", err)
	}
	defer os.RemoveAll(dir)
	interp, _, _ := s.suite.Interpreter()
	if interp == "" {
		interp = "python3"
	}
	if filepath.IsAbs(interp) {
		interp = e.Host.Abs(interp)
	}
	script, sargs := selftests.HelperDefs()
	out, err := e.run(interp, slices.Concat([]string{filepath.Join(s.abs, script)}, prefixArgs(sargs, s.abs))...)
	if err != nil {
		return finding.Result(finding.Skip, "cannot generate bpf_helper_defs.h with %s: %v (see selftests.tools)", script, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bpf_helper_defs.h"), out.Stdout, 0o644); err != nil {
		return finding.Result(finding.Error, "write bpf_helper_defs.h: %v", err)
	}
	r := e.compileSample(s, path, dir, dir, progs)
	ver := clangLabel(path)
	if r.err != nil {
		return finding.Result(finding.Error, "%v", r.err)
	}
	names := strings.Join(progs, ", ")
	if len(r.failed) == 0 {
		return finding.Result(finding.Pass, "%s builds the tree's %d sample programs (%s)", ver, len(progs), names).WithFact("clang", path)
	}
	fail := finding.Result(finding.Fail, "%s cannot build the tree's programs: %s (%d of %d sample programs fail)", ver, r.failed[0], len(r.failed), len(progs)).
		WithDetails(r.failed...).WithDetails("sample: "+names).WithFact("clang", path)
	// Try the other installations on the programs that failed.
	var failedProgs []string
	for _, l := range r.failed {
		p, _, _ := strings.Cut(l, ":")
		failedProgs = append(failedProgs, p)
	}
	tried := map[string]bool{resolve(path): true}
	cands := e.Host.LookLLVM("clang")
	// Newest first; where the Makefile links with lld, an installation
	// with its ld.lld beside clang first, so one PATH entry fixes both.
	ld, _ := s.suite.Linker()
	hasLLD := func(t host.LLVMTool) bool {
		_, err := os.Stat(filepath.Join(filepath.Dir(resolve(t.Exec)), "ld.lld"))
		return ld == "lld" && err == nil
	}
	slices.SortStableFunc(cands, func(a, b host.LLVMTool) int {
		if ha, hb := hasLLD(a), hasLLD(b); ha != hb {
			if ha {
				return -1
			}
			return 1
		}
		return b.Major - a.Major
	})
	for _, c := range cands {
		if tried[resolve(c.Exec)] {
			continue
		}
		tried[resolve(c.Exec)] = true
		rr := e.compileSample(s, c.Exec, dir, dir, failedProgs)
		if rr.err == nil && len(rr.failed) == 0 {
			// The directory as the machine names it, not under a test root.
			bin := e.machinePath(filepath.Dir(resolve(c.Exec)))
			return fail.WithFix(fmt.Sprintf("%s builds them: put its directory first on PATH for the build (its ld.lld too, when installed there).", clangLabel(c.Path)),
				"export PATH="+shell.Quote(bin)+":$PATH", s.makeCmd())
		}
	}
	return fail.WithFix("No installed clang builds them: install a newer LLVM (the BPF CI uses the newest release; bpfdoctor bootstrap llvm builds one).", "bpfdoctor bootstrap llvm")
}

// machinePath is p as the machine names it: without the host's root.
func (e *Env) machinePath(p string) string {
	root := filepath.Clean(e.Host.Root)
	if root == "/" || root == "." || root == "" {
		return p
	}
	if rel, ok := strings.CutPrefix(p, root); ok && strings.HasPrefix(rel, "/") {
		return rel
	}
	return p
}

// prefixArgs makes the tree-relative arguments of HelperDefs absolute.
func prefixArgs(args []string, dir string) []string {
	out := slices.Clone(args)
	for i, a := range out {
		if !strings.HasPrefix(a, "-") {
			out[i] = filepath.Join(dir, a)
		}
	}
	return out
}

// clangLabel names a clang by its major when the path says it.
func clangLabel(p string) string {
	if m := host.LLVMMajor(p); m > 0 {
		return fmt.Sprintf("clang %d (%s)", m, p)
	}
	if m := host.LLVMMajor(resolve(p)); m > 0 {
		return fmt.Sprintf("clang %d (%s)", m, p)
	}
	return "clang (" + p + ")"
}

func checkSelftestsLLD(_ context.Context, e *Env) finding.Finding {
	s, f := e.needSuite()
	if f != nil {
		return *f
	}
	ld, from := s.suite.Linker()
	if ld == "" {
		return finding.Result(finding.Pass, "the Makefile links with the system linker on %s", s.suite.Arch).WithSource(s.src(from))
	}
	clang := e.selftestsClang()
	if _, err := e.Host.LookPath(clang); err != nil {
		return finding.Result(finding.Skip, "%s is not on PATH to link with -fuse-ld=%s (see selftests.clang)", clang, ld).WithSource(s.src(from))
	}
	dir, err := probeDir()
	if err != nil {
		return finding.Result(finding.Error, "%v", err)
	}
	defer os.RemoveAll(dir)
	src := filepath.Join(dir, "main.c")
	if err := os.WriteFile(src, []byte("int main(void) { return 0; }\n"), 0o644); err != nil {
		return finding.Result(finding.Error, "write %s: %v", src, err)
	}
	o, err := e.run(clang, "-fuse-ld="+ld, src, "-o", filepath.Join(dir, "main"))
	if err == nil {
		return finding.Result(finding.Pass, "%s links with -fuse-ld=%s, as %s asks", clang, ld, from).WithSource(s.src(from))
	}
	line := firstErrorLine(string(o.Stderr))
	if line == "" {
		line = err.Error()
	}
	out := finding.Result(finding.Fail, "%s: the Makefile links urandom_read with -fuse-ld=%s (%s)", line, ld, from).WithSource(s.src(from))
	if ld != "lld" {
		return out.WithFix("Install the linker the Makefile names.")
	}
	// clang finds ld.lld beside itself, then on PATH; Debian's lld-N puts
	// only ld.lld-N on PATH and ld.lld in /usr/lib/llvm-N/bin.
	lds := e.Host.LookLLVM("ld.lld")
	slices.SortStableFunc(lds, func(a, b host.LLVMTool) int { return b.Major - a.Major })
	for _, t := range lds {
		if strings.HasSuffix(t.Path, "/ld.lld") {
			return out.WithFix(fmt.Sprintf("%s is installed but not where clang looks: put its directory first on PATH for the build.", t.Path),
				"export PATH="+shell.Quote(filepath.Dir(t.Path))+":$PATH", s.makeCmd())
		}
	}
	fix := e.install("Install LLVM's linker.", distro.LLD)
	return out.WithFix(fix.Text, fix.Commands...)
}

// hasTool reports whether a tool is there: on PATH by name, or at its
// absolute path (`#!/usr/bin/python3`).
func (e *Env) hasTool(t string) bool {
	if filepath.IsAbs(t) {
		return e.Host.IsExecutable(t)
	}
	_, err := e.Host.LookPath(t)
	return err == nil
}

func checkSelftestsTools(_ context.Context, e *Env) finding.Finding {
	s, f := e.needSuite()
	if f != nil {
		return *f
	}
	type need struct {
		tool string
		why  string
		pkg  distro.Package
	}
	needs := []need{{"pkg-config", "the Makefile's PKG_CONFIG", distro.PkgConfig}}
	if t, from, ok := s.suite.Interpreter(); ok {
		needs = append(needs, need{t, from.File + " (bpf_helper_defs.h, vmlinux.h's helpers)", distro.Python3})
	}
	if t, from, ok := s.suite.Docs(); ok {
		needs = append(needs, need{t, "the docs target of `all` (" + from.String() + ")", distro.Rst2man})
	}
	var have, missing []string
	var pkgs []distro.Package
	for _, n := range needs {
		if !e.hasTool(n.tool) {
			missing = append(missing, fmt.Sprintf("%s, for %s", n.tool, n.why))
			pkgs = append(pkgs, n.pkg)
			continue
		}
		have = append(have, n.tool)
	}
	if len(missing) == 0 {
		return finding.Result(finding.Pass, "found %s", strings.Join(have, ", "))
	}
	out := finding.Result(finding.Fail, "not on PATH: %s", strings.Join(missing, "; "))
	fix := e.install("Install them.", pkgs...)
	return out.WithFix(fix.Text, fix.Commands...)
}

// libPackages maps pkg-config names to packages.
var libPackages = map[string]distro.Package{
	"libelf": distro.Libelf, "zlib": distro.Zlib, "libcrypto": distro.Libcrypto,
	"libcap": distro.Libcap, "libpcap": distro.Libpcap,
}

// pkgConfigHas reports whether pkg-config knows a library.
func (e *Env) pkgConfigHas(name string) bool {
	_, err := e.run("pkg-config", "--exists", name)
	return err == nil
}

func checkSelftestsLibs(_ context.Context, e *Env) finding.Finding {
	s, f := e.needSuite()
	if f != nil {
		return *f
	}
	if _, err := e.Host.LookPath("pkg-config"); err != nil {
		return finding.Result(finding.Skip, "pkg-config is not on PATH, so the libraries cannot be looked up (see selftests.tools)")
	}
	var have, missing []string
	var pkgs []distro.Package
	for _, l := range s.suite.Libraries() {
		if l.Optional {
			continue
		}
		if e.pkgConfigHas(l.Name) {
			have = append(have, l.Name)
			continue
		}
		missing = append(missing, fmt.Sprintf("%s (%s)", l.Name, l.From))
		if p, ok := libPackages[l.Name]; ok {
			pkgs = append(pkgs, p)
		}
	}
	if len(missing) == 0 {
		return finding.Result(finding.Pass, "pkg-config finds %s", strings.Join(have, ", "))
	}
	out := finding.Result(finding.Fail, "pkg-config does not find %s: the user-space parts do not compile or link", strings.Join(missing, ", "))
	if len(pkgs) == 0 {
		return out.WithFix("Install their development packages.")
	}
	fix := e.install("Install their development packages.", pkgs...)
	return out.WithFix(fix.Text, fix.Commands...)
}

func checkSelftestsOptional(_ context.Context, e *Env) finding.Finding {
	s, f := e.needSuite()
	if f != nil {
		return *f
	}
	var with, without []string
	var pkgs []distro.Package
	for _, l := range s.suite.Libraries() {
		if !l.Optional {
			continue
		}
		adds := l.Adds
		if l.Name == "libpcap" {
			adds = "test_progs' traffic monitor (" + l.Adds + ", the -m option prints the packets of network tests)"
		}
		if e.pkgConfigHas(l.Name) {
			with = append(with, l.Name)
		} else {
			without = append(without, fmt.Sprintf("%s: %s", l.Name, adds))
			if p, ok := libPackages[l.Name]; ok {
				pkgs = append(pkgs, p)
			}
		}
	}
	for _, o := range s.suite.Optionals() {
		ok := false
		switch o.Name {
		case "bpf-gcc":
			_, err := e.Host.LookPath("bpf-gcc")
			ok = err == nil
		case "cpuv4":
			out, err := e.run(e.selftestsClang(), "--target=bpf", "-mcpu=help")
			ok = err == nil && strings.Contains(string(out.Stdout)+string(out.Stderr), "v4")
		case "llvm":
			ok = e.hasLLVMDev()
		}
		if ok {
			with = append(with, o.Name)
		} else {
			without = append(without, fmt.Sprintf("%s: %s", o.Name, o.Adds))
		}
	}
	if len(without) == 0 {
		if len(with) == 0 {
			return finding.Result(finding.Pass, "the Makefile builds nothing optional")
		}
		return finding.Result(finding.Pass, "all built: %s", strings.Join(with, ", "))
	}
	msg := "left out: " + strings.Join(without, "; ")
	if len(with) > 0 {
		msg = "built: " + strings.Join(with, ", ") + "; " + msg
	}
	// Optional parts never fail the build: a skip, so the area stays green.
	out := finding.Result(finding.Skip, "%s", msg)
	if len(pkgs) > 0 {
		fix := e.install("Optional: install them for the parts they add.", pkgs...)
		out = out.WithFix(fix.Text, fix.Commands...)
	}
	return out
}

// hasLLVMDev reports whether llvm-config and LLVM's C disassembler header
// are there, which tools/build's feature-llvm test builds against.
func (e *Env) hasLLVMDev() bool {
	out, err := e.run("llvm-config", "--includedir")
	if err != nil {
		return false
	}
	_, err = e.Host.Stat(filepath.Join(strings.TrimSpace(string(out.Stdout)), "llvm-c", "Disassembler.h"))
	return err == nil
}

func checkSelftestsBTF(_ context.Context, e *Env) finding.Finding {
	s, f := e.needSuite()
	if f != nil {
		return *f
	}
	rel, _ := e.Release()
	paths, from, ok := s.suite.BTFPaths(selftests.Vars{
		O: e.Host.Getenv("O"), KbuildOutput: e.Host.Getenv("KBUILD_OUTPUT"), VmlinuxBTF: e.Host.Getenv("VMLINUX_BTF"),
		Release: rel, TreeAbs: s.abs,
	})
	if !ok {
		return finding.Result(finding.Skip, "the Makefile sets no VMLINUX_BTF_PATHS")
	}
	var tried []string
	for _, p := range paths {
		if p.Path == "" {
			continue
		}
		if !e.btfExists(s, p) {
			tried = append(tried, p.Path)
			continue
		}
		out := finding.Result(finding.Pass, "%s", "").WithSource(s.src(from)).WithFact("vmlinux_btf", p.Path)
		switch p.Source {
		case selftests.TreeBuild, selftests.Given:
			out.Message = fmt.Sprintf("vmlinux.h comes from %s, the tree's own build", p.Path)
			if p.Source == selftests.Given {
				out.Message = fmt.Sprintf("vmlinux.h comes from %s (%s)", p.Path, p.Written)
			}
			if err := hasBTFSection(p.Path); err != nil {
				out.Status = finding.Fail
				out.Message = fmt.Sprintf("vmlinux.h would come from %s, but %v: bpftool cannot dump its types", p.Path, err)
				out = out.WithFix("Build the tree's kernel with CONFIG_DEBUG_INFO_BTF=y (in the selftests fragments; it needs pahole, see the pahole area).")
			}
		case selftests.RunningKernel:
			v, ok := kver.Parse(rel)
			if !ok {
				out.Status, out.Message = finding.Warn, fmt.Sprintf("vmlinux.h comes from %s, the running kernel's (%s), whose version is unknown", p.Path, rel)
				break
			}
			if v.Major == s.tree.Version.Major && v.Minor == s.tree.Version.Minor {
				out.Message = fmt.Sprintf("vmlinux.h comes from %s, the running Linux %s, the tree's version", p.Path, v)
				break
			}
			out.Status = finding.Fail
			out.Message = fmt.Sprintf("vmlinux.h would come from %s, the running Linux %s, not the %s tree: its programs meet another kernel's types and fail to compile (conflicting types, missing members)", p.Path, v, s.tree.Version)
			out = out.WithDetails(fmt.Sprintf("%s tries, in order: %s", from, strings.Join(writtenPaths(paths), " ")))
			if len(tried) > 0 {
				out = out.WithDetails("not there: " + strings.Join(tried, ", "))
			}
			out = out.WithFix(fmt.Sprintf("Build the tree's kernel (selftests.kernel): its vmlinux comes first. Or name a %s vmlinux with BTF.", s.tree.Version.Series()),
				s.makeCmd()+" VMLINUX_BTF=/path/to/linux-"+s.tree.Version.Series()+"/vmlinux")
		}
		return out
	}
	if v := e.Host.Getenv("VMLINUX_BTF"); v != "" {
		return finding.Result(finding.Fail, "VMLINUX_BTF=%s does not exist: the Makefile stops with \"Cannot find a vmlinux for VMLINUX_BTF\"", v).
			WithSource(s.src(from)).WithFix("Point VMLINUX_BTF at the tree's vmlinux, or unset it to use VMLINUX_BTF_PATHS.")
	}
	return finding.Result(finding.Fail, "none of VMLINUX_BTF_PATHS exists (%s): the Makefile stops with \"Cannot find a vmlinux for VMLINUX_BTF\"", strings.Join(tried, ", ")).
		WithSource(from.String()).WithFix("Build the tree's kernel (selftests.kernel), or pass VMLINUX_BTF=/path/to/vmlinux.")
}

// hasBTFSection checks that a vmlinux has the .BTF section bpftool dumps
// vmlinux.h from; only the section headers are read.
func hasBTFSection(p string) error {
	f, err := host.OpenRegular(p)
	if err != nil {
		return err
	}
	defer f.Close()
	ef, err := elf.NewFile(f)
	if err != nil {
		return fmt.Errorf("read %s: %w", p, err)
	}
	if ef.Section(".BTF") == nil {
		return fmt.Errorf("%s has no .BTF section", p)
	}
	return nil
}

func writtenPaths(ps []selftests.BTFPath) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Written)
	}
	return out
}

// btfExists stats a candidate: the tree's paths as they are, the machine's
// under the host's root.
func (e *Env) btfExists(s selftestsSuite, p selftests.BTFPath) bool {
	if p.Source == selftests.RunningKernel {
		fi, err := e.Host.Stat(p.Path)
		return err == nil && !fi.IsDir()
	}
	fi, err := os.Stat(p.Path)
	return err == nil && !fi.IsDir()
}

func checkSelftestsVersion(_ context.Context, e *Env) finding.Finding {
	s, f := e.needSuite()
	if f != nil {
		return *f
	}
	rel, err := e.Release()
	if err != nil {
		return finding.Result(finding.Error, "%v", err)
	}
	v, ok := kver.Parse(rel)
	if !ok {
		return finding.Result(finding.Skip, "the running kernel's version (%s) is unknown", rel)
	}
	if v.Major == s.tree.Version.Major && v.Minor == s.tree.Version.Minor {
		return finding.Result(finding.Pass, "the running kernel (%s) is the tree's version, %s", rel, s.tree.Version.Series())
	}
	return finding.Result(finding.Warn, "the running kernel is Linux %s, the tree %s: its selftests test features of %s, so on this kernel some fail or are skipped for that alone", v, s.tree.Version, s.tree.Version.Series()).
		WithFix("Run the selftests of the kernel under test (bpf_devel_QA.rst): boot the tree's kernel once built, or let the tree's vmtest.sh boot it in QEMU (selftests.vmtest).",
			shell.Quote(filepath.Join(s.dir(), "vmtest.sh"))+" -- ./test_progs")
}

func checkSelftestsKernel(_ context.Context, e *Env) finding.Finding {
	s, f := e.needSuite()
	if f != nil {
		return *f
	}
	mods := s.suite.Modules()
	if len(mods) == 0 {
		return finding.Result(finding.Pass, "the Makefile builds no test modules, so the tree's kernel need not be built for it")
	}
	objDir := s.abs
	for _, v := range []string{"KBUILD_OUTPUT", "O"} {
		if d := e.Host.Getenv(v); d != "" {
			objDir = d
		}
	}
	exists := func(p string) bool { _, err := os.Stat(filepath.Join(objDir, p)); return err == nil }
	arch := s.uname
	frag := []string{selftests.Dir + "/config", selftests.Dir + "/config.vm", selftests.Dir + "/config." + arch}
	frag = slices.DeleteFunc(frag, func(p string) bool { _, err := fs.Stat(s.tree.FS, p); return err != nil })
	cd := "cd " + shell.Quote(s.suite.Tree)
	var merge []string
	if len(frag) > 0 {
		merge = []string{"scripts/kconfig/merge_config.sh -m .config " + strings.Join(frag, " ")}
	}
	build := []string{"make olddefconfig", "make -j\"$(nproc)\""}
	needs := fmt.Sprintf("the test modules (%s) build against the tree's own kernel", strings.Join(mods, ", "))
	if !exists(".config") {
		return finding.Result(finding.Fail, "the tree's kernel is not configured (no %s): %s, so they fail (\"Kernel configuration is invalid\")", filepath.Join(objDir, ".config"), needs).
			WithFix("Configure the tree's kernel with the selftests fragments and build it (its vmlinux is then also VMLINUX_BTF).",
				slices.Concat([]string{cd, "make defconfig"}, merge, build)...)
	}
	cfg, err := kconfig.Load(filepath.Join(objDir, ".config"))
	if err != nil {
		return finding.Result(finding.Error, "%v", err)
	}
	var problems []string
	if en, ok := cfg.Lookup("MODULES"); !ok || en.Value != "y" {
		problems = append(problems, "CONFIG_MODULES is not set: \"You cannot build or install external modules\"")
	}
	// Options of the fragments that are missing do not stop the modules'
	// build, only tests; and 6.12's own fragments want two members of one
	// choice (config: DEBUG_INFO_DWARF4, config.x86_64:
	// DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT), so even a faithful merge leaves
	// one missing. kconfig diff says which the Kconfig refuses.
	var advice, diffCmd string
	if a, err := kconfig.LookupArch(arch); err == nil {
		if set, err := s.tree.Fragments(&a, false); err == nil {
			if miss := kconfig.Compare(cfg, set).Missing(); len(miss) > 0 {
				diffCmd = fmt.Sprintf("bpfdoctor kconfig diff --config %s --kernel-src %s", shell.Quote(filepath.Join(objDir, ".config")), shell.Quote(s.suite.Tree))
				what := fmt.Sprintf("%d options of the selftests fragments are missing or differ", len(miss))
				if len(miss) == 1 {
					what = "1 option of the selftests fragments is missing or differs"
				}
				advice = fmt.Sprintf("%s, so some tests fail or skip (%s names them, and which the Kconfig refuses)", what, diffCmd)
			}
		}
	}
	var unprepared []string
	for _, p := range []string{"include/generated/autoconf.h", "include/config/auto.conf"} {
		if !exists(p) {
			unprepared = append(unprepared, p)
		}
	}
	if len(unprepared) > 0 {
		problems = append(problems, fmt.Sprintf("the configuration is not prepared (no %s): \"Kernel configuration is invalid\"", strings.Join(unprepared, " nor ")))
	} else if gen := "arch/" + s.suite.Arch + "/include/generated"; !exists(gen) {
		// olddefconfig writes autoconf.h and auto.conf, not the
		// architecture's generated headers: the modules then stop at
		// "asm/types.h: No such file or directory" (seen in CI).
		problems = append(problems, fmt.Sprintf("the kernel is not prepared (no %s): \"asm/types.h: No such file or directory\"", gen))
	}
	for _, p := range []string{"vmlinux", "Module.symvers"} {
		if !exists(p) {
			problems = append(problems, "not built: no "+p)
			break
		}
	}
	switch {
	case len(problems) == 0 && advice == "":
		return finding.Result(finding.Pass, "configured with the selftests fragments, CONFIG_MODULES=y, built (%s)", objDir)
	case len(problems) == 0:
		return finding.Result(finding.Warn, "CONFIG_MODULES=y and built (%s), but %s", objDir, advice).
			WithFix("Compare the tree's .config with its fragments.", diffCmd)
	}
	if advice != "" {
		problems = append(problems, advice)
	}
	return finding.Result(finding.Fail, "the tree's kernel cannot take the test modules: %s; %s", strings.Join(problems, "; "), needs).
		WithFix("Merge the selftests fragments into the tree's .config and build the kernel.", slices.Concat([]string{cd}, merge, build)...)
}

func checkSelftestsRun(_ context.Context, e *Env) finding.Finding {
	if _, f := e.needSuite(); f != nil {
		return *f
	}
	mounts, err := e.Host.ReadFile("/proc/self/mounts")
	if err != nil {
		return finding.Result(finding.Error, "read /proc/self/mounts: %v", err)
	}
	has := func(fstype string, dirs ...string) bool {
		for line := range strings.Lines(string(mounts)) {
			w := strings.Fields(line)
			if len(w) >= 3 && w[2] == fstype && slices.Contains(dirs, w[1]) {
				return true
			}
		}
		return false
	}
	var problems, fixes []string
	if e.Host.UID != 0 {
		problems = append(problems, "not root: test_progs loads programs and test modules")
		fixes = append(fixes, "sudo ./test_progs")
	}
	if !has("bpf", "/sys/fs/bpf") {
		problems = append(problems, "no bpffs on /sys/fs/bpf: tests that pin objects fail")
		fixes = append(fixes, "mount -t bpf bpf /sys/fs/bpf")
	}
	if !has("tracefs", "/sys/kernel/tracing", "/sys/kernel/debug/tracing") {
		problems = append(problems, "no tracefs: kprobe and tracepoint tests fail")
		fixes = append(fixes, "mount -t tracefs tracefs /sys/kernel/tracing")
	}
	if len(problems) == 0 {
		return finding.Result(finding.Pass, "root, bpffs on /sys/fs/bpf, tracefs mounted")
	}
	if e.Host.UID != 0 {
		for i := 1; i < len(fixes); i++ {
			fixes[i] = "sudo " + fixes[i]
		}
	}
	return finding.Result(finding.Warn, "%s", strings.Join(problems, "; ")).WithFix("Run test_progs as root with bpffs and tracefs mounted.", fixes...)
}

func checkSelftestsVmtest(_ context.Context, e *Env) finding.Finding {
	s, f := e.needSuite()
	if f != nil {
		return *f
	}
	qemu, tools, ok := s.suite.QEMU(s.uname)
	if !ok {
		return finding.Result(finding.Skip, "the tree has no %s/vmtest.sh", selftests.Dir)
	}
	if qemu == "" {
		return finding.Result(finding.Skip, "vmtest.sh has no QEMU for %s", s.uname)
	}
	need := slices.Concat([]string{qemu}, tools, []string{"curl"})
	if e.Host.UID != 0 {
		need = append(need, "sudo")
	}
	var missing []string
	var pkgs []distro.Package
	for _, t := range need {
		if _, err := e.Host.LookPath(t); err == nil {
			continue
		}
		missing = append(missing, t)
		switch t {
		case qemu:
			if p, ok := distro.QEMU(s.uname); ok {
				pkgs = append(pkgs, p)
			}
		case "zstd":
			pkgs = append(pkgs, distro.Zstd)
		case "curl":
			pkgs = append(pkgs, distro.Curl)
		}
	}
	if len(missing) == 0 {
		return finding.Result(finding.Pass, "%s and %s on PATH", qemu, strings.Join(need[1:], ", "))
	}
	// vmtest.sh is the other way to run the selftests; without it the host
	// can still run them, so this is not a failure.
	out := finding.Result(finding.Skip, "vmtest.sh cannot run: %s not on PATH", strings.Join(missing, ", "))
	if len(pkgs) > 0 {
		fix := e.install("To run the selftests in a VM as the BPF CI does, install them.", pkgs...)
		out = out.WithFix(fix.Text, fix.Commands...)
	}
	return out
}
