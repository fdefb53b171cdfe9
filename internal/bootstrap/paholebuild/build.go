package paholebuild

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"

	"github.com/bpfdoctor/bpfdoctor/internal/bootstrap"
	"github.com/bpfdoctor/bpfdoctor/internal/cmake"
	"github.com/bpfdoctor/bpfdoctor/internal/distro"
	"github.com/bpfdoctor/bpfdoctor/internal/fetch"
	"github.com/bpfdoctor/bpfdoctor/internal/host"
	"github.com/bpfdoctor/bpfdoctor/internal/pahole"
	"github.com/bpfdoctor/bpfdoctor/internal/unpack"
)

// Need is a build dependency that is missing.
type Need struct {
	What string
	Pkg  distro.Package
}

// includeDirs are where the compiler finds system headers; the multiarch
// directories (/usr/include/x86_64-linux-gnu) are globbed.
var includeDirs = []string{"/usr/local/include", "/usr/include"}

// BuildPreflight lists what a dwarves build needs and h lacks: cmake, ninja
// or make, a C compiler, and the elfutils and zlib headers.
func BuildPreflight(h *host.Host) []Need {
	var needs []Need
	if _, err := h.LookPath("cmake"); err != nil {
		needs = append(needs, Need{"cmake", distro.CMake})
	}
	if !anyTool(h, "ninja", "make") {
		needs = append(needs, Need{"ninja (or make)", distro.Ninja})
	}
	if !anyTool(h, "cc", "gcc", "clang") {
		needs = append(needs, Need{"a C compiler (cc)", distro.CCompiler})
	}
	if !hasHeader(h, "elfutils/libdw.h") || !hasHeader(h, "libelf.h") {
		needs = append(needs, Need{"the libdw and libelf headers (elfutils/libdw.h, libelf.h)", distro.Libelf})
	}
	if !hasHeader(h, "zlib.h") {
		needs = append(needs, Need{"the zlib headers (zlib.h)", distro.Zlib})
	}
	return needs
}

func anyTool(h *host.Host, names ...string) bool {
	for _, n := range names {
		if _, err := h.LookPath(n); err == nil {
			return true
		}
	}
	return false
}

func hasHeader(h *host.Host, name string) bool {
	dirs := append([]string(nil), includeDirs...)
	multi, _ := h.Glob("/usr/include/*-linux-*")
	dirs = append(dirs, multi...)
	for _, d := range dirs {
		if fi, err := h.Stat(filepath.Join(d, name)); err == nil && fi.Mode().IsRegular() {
			return true
		}
	}
	return false
}

// NeedsError lists the missing build dependencies and the command that
// installs them.
type NeedsError struct {
	Needs   []Need
	Command string
}

func (e *NeedsError) Error() string {
	var what []string
	for _, n := range e.Needs {
		what = append(what, n.What)
	}
	s := "missing " + strings.Join(what, ", ")
	if e.Command != "" {
		s += "; install with: " + e.Command
	}
	return s
}

// Layout is where one release is built, under the cache.
type Layout struct {
	Downloads, Sources, Builds, Logs string
}

// NewLayout places the directories under dir (".../bpfdoctor/pahole").
func NewLayout(dir string) Layout {
	return Layout{
		Downloads: filepath.Join(dir, "downloads"),
		Sources:   filepath.Join(dir, "src"),
		Builds:    filepath.Join(dir, "build"),
		Logs:      filepath.Join(dir, "logs"),
	}
}

// Options are everything `bootstrap pahole` needs.
type Options struct {
	Source Source
	// Dir is this command's cache directory; see NewLayout.
	Dir    string
	Prefix string
	// NoBuild stops after the verified tree is unpacked.
	NoBuild  bool
	Insecure bool
	// Keyring replaces the embedded maintainer key (tests).
	Keyring openpgp.EntityList
	// Limits cap the unpacked tree; zero means DefaultLimits.
	Limits unpack.Limits
	// Jobs is make's -j; 0 lets ninja choose and gives make 1.
	Jobs  int
	Fetch fetch.Options
	// Log gets one line per step; build output goes to the log file.
	Log io.Writer
	// BuildProgress gets the build's [done/total] (make's percentage as
	// n/100).
	BuildProgress func(done, total int64)
}

// Result is what Bootstrap did.
type Result struct {
	Version pahole.Version
	// Tree is the unpacked, verified source tree.
	Tree string
	// Verified says what vouched for the tarball; "" when nothing was
	// fetched because the release is installed already.
	Verified string
	// Pahole is the installed binary ("" with NoBuild).
	Pahole string
	// AlreadyInstalled: Pahole printed the wanted version before any work.
	AlreadyInstalled bool
	// PathLine is the shell line that puts Pahole first on PATH, "" when
	// PATH finds it already.
	PathLine string
}

// Bootstrap fetches, verifies, unpacks, builds and installs a pahole
// release. Each step reuses what an earlier run left complete: an
// installed pahole of the wanted version ends it at once, a cached tarball
// that verifies is not downloaded again, an unpacked tree is reused, and
// the build directory is incremental.
func Bootstrap(ctx context.Context, h *host.Host, o Options) (*Result, error) {
	if o.Log == nil {
		o.Log = io.Discard
	}
	v := o.Source.Version
	res := &Result{Version: v}
	bin := filepath.Join(o.Prefix, "bin", "pahole")
	if !o.NoBuild {
		if got, err := installedVersion(ctx, h, bin); err == nil && got == v {
			res.Pahole, res.AlreadyInstalled = bin, true
			res.PathLine = pathLine(h, bin)
			return res, nil
		}
		// Before any download: a missing compiler is found in a second,
		// not after the fetch.
		if needs := BuildPreflight(h); len(needs) > 0 {
			e := &NeedsError{Needs: needs, Command: bootstrap.InstallCommand(h, pkgsOf(needs)...)}
			return nil, fmt.Errorf("build pahole %s: %w", v, e)
		}
		// And an unwritable prefix before the download and the build,
		// not after them.
		if err := prefixWritable(o.Prefix); err != nil {
			return nil, fmt.Errorf("install pahole %s: %w", v, err)
		}
	}
	lay := NewLayout(o.Dir)
	ver, err := Obtain(ctx, o.Source, FetchOptions{Dir: lay.Downloads, Keyring: o.Keyring, Insecure: o.Insecure, Fetch: o.Fetch, Log: o.Log})
	if err != nil {
		return nil, err
	}
	defer ver.Close()
	res.Verified = ver.How
	if strings.HasPrefix(ver.How, "NOT VERIFIED") {
		fmt.Fprintf(o.Log, "WARNING: %s is NOT VERIFIED (--insecure): nothing shows it is the maintainer's release; you build and install it at your own risk\n", filepath.Base(ver.Path))
	} else {
		fmt.Fprintf(o.Log, "verified %s: %s\n", filepath.Base(ver.Path), ver.How)
	}
	tree, reused, err := Unpack(ctx, ver, lay.Sources, o.Limits)
	if err != nil {
		if ver.Path != o.Source.Path {
			// A tarball that cannot be unpacked has no use in the cache.
			os.Remove(ver.Path)
			if ver.Sig != "" {
				os.Remove(ver.Sig)
			}
		}
		if IsNoLibbpf(err) {
			return nil, fmt.Errorf("%w; %s", err, NoLibbpfHint(v))
		}
		return nil, err
	}
	res.Tree = tree
	if reused {
		fmt.Fprintf(o.Log, "using the unpacked tree %s\n", tree)
	} else {
		fmt.Fprintf(o.Log, "unpacked %s\n", tree)
	}
	if o.NoBuild {
		return res, nil
	}
	build := filepath.Join(lay.Builds, filepath.Base(filepath.Dir(tree)))
	logPath := filepath.Join(lay.Logs, filepath.Base(filepath.Dir(tree))+".log")
	if err := Build(ctx, h, BuildOptions{
		Version: v, Src: tree, BuildDir: build, Prefix: o.Prefix, LogPath: logPath,
		StageParent: o.Dir, Jobs: o.Jobs, Log: o.Log, Progress: o.BuildProgress,
	}); err != nil {
		return nil, err
	}
	res.Pahole = bin
	res.PathLine = pathLine(h, bin)
	return res, nil
}

// prefixWritable creates and removes a file in prefix, or in its nearest
// existing ancestor when the install is to make it: permission bits, a
// read-only mount or a file in the way all show up here, root included.
func prefixWritable(prefix string) error {
	d := prefix
	for {
		fi, err := os.Stat(d)
		if err == nil {
			if !fi.IsDir() {
				return fmt.Errorf("cannot install into %s: %s is not a directory", prefix, d)
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) && !host.IsNotDir(err) {
			return fmt.Errorf("cannot install into %s: %w", prefix, err)
		}
		if filepath.Dir(d) == d {
			break
		}
		d = filepath.Dir(d)
	}
	f, err := os.CreateTemp(d, ".bpfdoctor-write-test-")
	if err != nil {
		return fmt.Errorf("cannot install into %s: %w", prefix, err)
	}
	f.Close()
	return os.Remove(f.Name())
}

func pkgsOf(needs []Need) []distro.Package {
	var pkgs []distro.Package
	for _, n := range needs {
		pkgs = append(pkgs, n.Pkg)
	}
	return pkgs
}

// pathLine says how to put bin's directory first on PATH when PATH finds
// another pahole (Debian's /usr/bin/pahole) or none.
func pathLine(h *host.Host, bin string) string {
	if p, err := h.LookPath("pahole"); err == nil && sameFile(p, bin) {
		return ""
	}
	return bootstrap.PathLine(filepath.Dir(bin))
}

func sameFile(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

func installedVersion(ctx context.Context, h *host.Host, bin string) (pahole.Version, error) {
	if fi, err := os.Stat(bin); err != nil || !fi.Mode().IsRegular() {
		return pahole.Version{}, fs.ErrNotExist
	}
	out, err := h.Run(ctx, bin, "--version")
	if err != nil {
		return pahole.Version{}, err
	}
	return pahole.ParseVersion(string(out.Stdout))
}

// BuildOptions place one build.
type BuildOptions struct {
	Version pahole.Version
	Src     string // the source tree (with lib/bpf)
	// BuildDir is reused between runs: the build is incremental.
	BuildDir string
	Prefix   string
	LogPath  string
	// StageParent holds the temporary DESTDIR.
	StageParent string
	Jobs        int
	Log         io.Writer
	Progress    func(done, total int64)
}

// Build configures, builds and installs one tree. The install goes into a
// staging directory first (DESTDIR); only when the staged pahole prints
// the expected version are its files moved into the prefix, pahole itself
// last. On failure the log's tail is written to Log and the error names
// the log.
func Build(ctx context.Context, h *host.Host, o BuildOptions) (err error) {
	if o.Log == nil {
		o.Log = io.Discard
	}
	v := o.Version
	for _, d := range []string{filepath.Dir(o.LogPath), o.BuildDir, o.StageParent} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("build pahole %s: %w", v, err)
		}
	}
	logf, err := os.Create(o.LogPath)
	if err != nil {
		return fmt.Errorf("build pahole %s: %w", v, err)
	}
	defer logf.Close()
	defer func() {
		if err != nil {
			logf.Sync()
			host.WriteTail(o.Log, o.LogPath, 25)
			err = fmt.Errorf("%w; full log: %s", err, o.LogPath)
		}
	}()

	gen, tool := "Unix Makefiles", "make"
	if _, err := h.LookPath("ninja"); err == nil {
		gen, tool = "Ninja", "ninja"
	}
	if err := resetStaleBuild(o.BuildDir, o.Src, gen); err != nil {
		return fmt.Errorf("build pahole %s: %w", v, err)
	}
	args := ConfigureArgs(v, o.Src, o.BuildDir, o.Prefix, gen)
	fmt.Fprintf(o.Log, "configuring: cmake %s\n", strings.Join(args, " "))
	fmt.Fprintf(logf, "$ cmake %s\n", strings.Join(args, " "))
	if err := h.Stream(ctx, host.StreamOptions{Out: logf}, "cmake", args...); err != nil {
		return fmt.Errorf("configure pahole %s: %w", v, err)
	}

	buildArgs := []string{"-C", o.BuildDir}
	if tool == "make" {
		buildArgs = append(buildArgs, "-j"+strconv.Itoa(max(o.Jobs, 1)))
	} else if o.Jobs > 0 {
		buildArgs = append(buildArgs, "-j"+strconv.Itoa(o.Jobs))
	}
	fmt.Fprintf(o.Log, "building with %s (log: %s)\n", tool, o.LogPath)
	fmt.Fprintf(logf, "$ %s %s\n", tool, strings.Join(buildArgs, " "))
	if err := h.Stream(ctx, host.StreamOptions{Out: logf, Env: []string{"NINJA_STATUS=" + cmake.NinjaStatusFormat}, OnLine: progressLine(o.Progress)}, tool, buildArgs...); err != nil {
		return fmt.Errorf("build pahole %s: %w", v, err)
	}

	stage, err := os.MkdirTemp(o.StageParent, "stage-")
	if err != nil {
		return fmt.Errorf("install pahole %s: %w", v, err)
	}
	defer os.RemoveAll(stage)
	installArgs := []string{"-C", o.BuildDir, "install"}
	fmt.Fprintf(logf, "$ DESTDIR=%s %s %s\n", stage, tool, strings.Join(installArgs, " "))
	if err := h.Stream(ctx, host.StreamOptions{Out: logf, Env: []string{"DESTDIR=" + stage}}, tool, installArgs...); err != nil {
		return fmt.Errorf("install pahole %s into a staging directory: %w", v, err)
	}
	staged := filepath.Join(stage, o.Prefix)
	if err := onlyUnder(stage, staged); err != nil {
		return fmt.Errorf("install pahole %s: %w; nothing installed", v, err)
	}
	got, err := installedVersion(ctx, h, filepath.Join(staged, "bin", "pahole"))
	if err != nil {
		return fmt.Errorf("run the built pahole: %w; nothing installed", err)
	}
	if got != v {
		return fmt.Errorf("the built pahole says it is %s, not %s; nothing installed", got, v)
	}
	fmt.Fprintf(o.Log, "installing into %s\n", o.Prefix)
	if err := moveTree(staged, o.Prefix, filepath.Join("bin", "pahole")); err != nil {
		return fmt.Errorf("install pahole %s into %s: %w", v, o.Prefix, err)
	}
	bin := filepath.Join(o.Prefix, "bin", "pahole")
	if got, err := installedVersion(ctx, h, bin); err != nil || got != v {
		return fmt.Errorf("the installed %s does not print version %s (%v, %v)", bin, v, got, err)
	}
	return nil
}

// ConfigureArgs is the cmake command line. Release: upstream's default
// Debug build has -Werror -O0. Static libraries: the installed pahole then
// needs no libdwarves.so from the prefix, no ldconfig, and cannot load the
// distribution's libdwarves (or make the distribution's pahole load ours).
// The library directory is pinned to "lib": before 1.28 dwarves took it
// from __LIB (empty by default, which puts libraries in the prefix itself).
func ConfigureArgs(v pahole.Version, src, build, prefix, generator string) []string {
	args := []string{"-S", src, "-B", build, "-G", generator,
		"-DCMAKE_BUILD_TYPE=Release",
		"-DCMAKE_INSTALL_PREFIX=" + prefix,
		"-DBUILD_SHARED_LIBS=OFF",
	}
	if v.Less(pahole.Version{Major: 1, Minor: 28}) {
		args = append(args, "-D__LIB=lib")
	} else {
		args = append(args, "-DCMAKE_INSTALL_LIBDIR=lib")
	}
	return args
}

// resetStaleBuild removes a build directory configured for another source
// tree or generator: cmake refuses to switch either in place.
func resetStaleBuild(build, src, gen string) error {
	cache, err := cmake.ReadCache(filepath.Join(build, "CMakeCache.txt"))
	if err != nil {
		return nil
	}
	home, _ := filepath.EvalSymlinks(cache["CMAKE_HOME_DIRECTORY"])
	want, _ := filepath.EvalSymlinks(src)
	if cache["CMAKE_GENERATOR"] == gen && home == want {
		return nil
	}
	return os.RemoveAll(build)
}

// makeStatus is cmake's Makefile progress, "[ 45%] Building C object".
var makeStatus = regexp.MustCompile(`^\[\s*(\d+)%\] `)

// progressLine turns ninja's "[n/N]" and cmake's make "[ NN%]" lines into
// progress reports.
func progressLine(fn func(done, total int64)) func(string) {
	if fn == nil {
		return nil
	}
	return func(line string) {
		if s, ok := cmake.ParseNinjaStatus(line); ok {
			fn(s.Done, s.Total)
		} else if m := makeStatus.FindStringSubmatch(line); m != nil {
			d, _ := strconv.ParseInt(m[1], 10, 64)
			fn(d, 100)
		}
	}
}

// onlyUnder refuses an install that put files outside the prefix (under
// stage but not under staged): they would not be moved, or would land
// outside the prefix the user named.
func onlyUnder(stage, staged string) error {
	var outside []string
	err := filepath.WalkDir(stage, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == staged || strings.HasPrefix(p, staged+string(filepath.Separator)) {
			if p == staged {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasPrefix(staged, p+string(filepath.Separator)) {
			return nil // a parent of the staged prefix
		}
		outside = append(outside, strings.TrimPrefix(p, stage))
		if d.IsDir() {
			return filepath.SkipDir
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(outside) > 0 {
		return fmt.Errorf("the build installs outside the prefix: %s", strings.Join(outside, ", "))
	}
	if _, err := os.Stat(staged); err != nil {
		return fmt.Errorf("the build installed nothing under the prefix")
	}
	return nil
}

// Suffixes of the files an install keeps next to their destination while
// it runs: the new file before it goes in, the old one until the install
// is complete.
const (
	newSuffix = ".bpfdoctor-new"
	oldSuffix = ".bpfdoctor-old"
)

// beforeCommit, when set (tests), runs before each file is put in place
// and fails the install by returning an error: fault injection for a move
// that stops part-way.
var beforeCommit func(rel string) error

// moveTree installs every file under src at the same place under dst, with
// last put in place at the end, all or nothing. First each file is copied
// (or renamed, on one file system) next to its destination, making the
// directories it needs; then each is renamed over its destination, the
// file it replaces kept aside. A failure in either step undoes what this
// install did: its files removed, the replaced ones restored, the
// directories it made removed. A reader sees each file old or new, never
// half.
func moveTree(src, dst, last string) (err error) {
	var files, dirs []string
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			dirs = append(dirs, rel)
		} else {
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.SliceStable(files, func(i, j int) bool { return files[j] == last && files[i] != last })

	var made, placed []string // directories made; files placed as .new
	type swap struct {
		rel string
		old bool // the file it replaced is kept as .old
	}
	var done []swap
	defer func() {
		if err == nil {
			for _, s := range done {
				if s.old {
					os.Remove(filepath.Join(dst, s.rel) + oldSuffix)
				}
			}
			return
		}
		for i := len(done) - 1; i >= 0; i-- {
			p := filepath.Join(dst, done[i].rel)
			if done[i].old {
				os.Rename(p+oldSuffix, p)
			} else {
				os.Remove(p)
			}
		}
		for _, rel := range placed {
			os.Remove(filepath.Join(dst, rel) + newSuffix)
		}
		for i := len(made) - 1; i >= 0; i-- {
			os.Remove(made[i]) // only if empty: something else may be there now
		}
	}()
	for _, rel := range dirs {
		m, err := mkdirAll(filepath.Join(dst, rel))
		made = append(made, m...)
		if err != nil {
			return err
		}
	}
	for _, rel := range files {
		p := filepath.Join(dst, rel)
		os.Remove(p + newSuffix) // left by a run that was killed
		if err := moveFile(filepath.Join(src, rel), p+newSuffix); err != nil {
			return err
		}
		placed = append(placed, rel)
	}
	for _, rel := range files {
		if beforeCommit != nil {
			if err := beforeCommit(rel); err != nil {
				return err
			}
		}
		p := filepath.Join(dst, rel)
		s := swap{rel: rel}
		if fi, err := os.Lstat(p); err == nil {
			if fi.IsDir() {
				return fmt.Errorf("install %s: a directory is in the way", p)
			}
			os.Remove(p + oldSuffix)
			// A hard link keeps the old file in place until the rename
			// replaces it; where links are refused, rename it aside.
			if err := os.Link(p, p+oldSuffix); err != nil {
				if err := os.Rename(p, p+oldSuffix); err != nil {
					return err
				}
			}
			s.old = true
		}
		if err := os.Rename(p+newSuffix, p); err != nil {
			if s.old {
				os.Rename(p+oldSuffix, p)
			}
			return err
		}
		done = append(done, s)
		placed = slices.DeleteFunc(placed, func(r string) bool { return r == rel })
	}
	return nil
}

// mkdirAll is os.MkdirAll that returns the directories it made, parents
// first, so that a failed install can remove them again.
func mkdirAll(dir string) ([]string, error) {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err == nil {
			if !fi.IsDir() {
				return nil, fmt.Errorf("mkdir %s: %s is not a directory", dir, d)
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	var made []string
	for i := len(missing) - 1; i >= 0; i-- {
		err := os.Mkdir(missing[i], 0o755)
		if errors.Is(err, fs.ErrExist) {
			continue // made meanwhile, by someone else
		}
		if err != nil {
			return made, err
		}
		made = append(made, missing[i])
	}
	return made, nil
}

// moveFile moves src to dst, which does not exist: a rename, or on
// another file system a copy.
func moveFile(src, dst string) error {
	err := os.Rename(src, dst)
	if !host.IsCrossDevice(err) {
		return err
	}
	fi, err := os.Lstat(src)
	if err != nil {
		return err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		target, err := os.Readlink(src)
		if err != nil {
			return err
		}
		return os.Symlink(target, dst)
	}
	if err := copyFile(src, dst, fi.Mode().Perm()); err != nil {
		os.Remove(dst)
		return err
	}
	return nil
}

func copyFile(src, dst string, perm fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
