package paholebuild

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"

	"github.com/bpfdoctor/bpfdoctor/internal/bootstrap"
	"github.com/bpfdoctor/bpfdoctor/internal/cmake"
	"github.com/bpfdoctor/bpfdoctor/internal/fetch"
	"github.com/bpfdoctor/bpfdoctor/internal/host"
	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
	"github.com/bpfdoctor/bpfdoctor/internal/unpack"
)

// fakeHost has a root with os-release and the build headers, and a PATH
// of tools that fail loudly if run: preflight passes, and any attempt to
// build shows up.
func fakeHost(t *testing.T, headers bool, tools ...string) *host.Host {
	t.Helper()
	f := testkit.Fake{Files: map[string]string{"/etc/os-release": "ID=debian\nVERSION_ID=12\n"}, Tools: map[string]string{}}
	if headers {
		for _, h := range []string{"elfutils/libdw.h", "libelf.h", "x86_64-linux-gnu/zlib.h"} {
			f.Files["/usr/include/"+h] = ""
		}
	}
	for _, tool := range tools {
		f.Tools[tool] = "echo \"fake $0 must not run\" >&2\nexit 99\n"
	}
	return f.Host(t)
}

func TestBuildPreflight(t *testing.T) {
	h := fakeHost(t, false)
	needs := BuildPreflight(h)
	var what []string
	for _, n := range needs {
		what = append(what, n.What)
	}
	want := "cmake|ninja (or make)|a C compiler (cc)|the libdw and libelf headers (elfutils/libdw.h, libelf.h)|the zlib headers (zlib.h)"
	if strings.Join(what, "|") != want {
		t.Errorf("needs = %q", what)
	}
	e := &NeedsError{Needs: needs, Command: bootstrap.InstallCommand(h, pkgsOf(needs)...)}
	if !strings.HasSuffix(e.Error(), "; install with: apt-get install -y cmake ninja-build gcc libc6-dev libelf-dev libdw-dev zlib1g-dev") {
		t.Errorf("error = %q", e)
	}
	h.UID = 1000
	if c := bootstrap.InstallCommand(h, pkgsOf(needs)...); !strings.HasPrefix(c, "sudo apt-get install -y cmake") {
		t.Errorf("non-root command = %q", c)
	}

	// make and gcc stand in for ninja and cc; headers in a multiarch dir.
	h = fakeHost(t, true, "cmake", "make", "gcc")
	if needs := BuildPreflight(h); len(needs) != 0 {
		t.Errorf("needs = %+v", needs)
	}
}

// Bootstrap stops before downloading anything when the build cannot work.
func TestBootstrapPreflightFirst(t *testing.T) {
	m := newMirror(t, false)
	src, _ := NewSource("", m.url("1.31"), "")
	h := fakeHost(t, true, "make", "cc") // no cmake
	_, err := Bootstrap(context.Background(), h, Options{Source: src, Dir: t.TempDir(), Prefix: filepath.Join(t.TempDir(), "prefix")})
	if err == nil || err.Error() != "build pahole 1.31: missing cmake; install with: apt-get install -y cmake" {
		t.Errorf("err = %v", err)
	}
	if m.total() != 0 {
		t.Errorf("%d requests before the preflight failed", m.total())
	}
}

// Hostile and wrong tarballs, correctly signed so that the unpacker is what
// must refuse them, go through the whole command: each is refused with its
// reason, nothing is written outside the temporary directory, nothing is
// left in the cache, and nothing is installed.
func TestBootstrapRefusesHostileTarballs(t *testing.T) {
	key := testKey(t, "Test Maintainer")
	outside := t.TempDir()
	top := "dwarves-1.31/"
	tests := []struct {
		name   string
		ents   []testkit.TarEntry
		limits unpack.Limits
		want   string
	}{
		{name: "dot-dot", ents: upstreamTree("1.31", reg("../escape", "x")),
			want: `unpack dwarves-1.31.tar.xz: entry "../escape": path leaves the tree (..)`},
		{name: "absolute", ents: upstreamTree("1.31", reg(filepath.Join(outside, "abs"), "x")),
			want: `: absolute path`},
		{name: "symlink escape", ents: upstreamTree("1.31",
			testkit.TarEntry{Name: top + "lib/out", Typeflag: tar.TypeSymlink, Link: "../../../../../../../../../../../.." + outside, Mode: 0o777},
			reg(top+"lib/out/pwned", "x")),
			want: `points outside the tree`},
		{name: "hard link", ents: upstreamTree("1.31", testkit.TarEntry{Name: top + "passwd", Typeflag: tar.TypeLink, Link: "/etc/passwd", Mode: 0o644}),
			want: `entry "dwarves-1.31/passwd": hard link to "/etc/passwd": hard links are not unpacked`},
		{name: "device", ents: upstreamTree("1.31", testkit.TarEntry{Name: top + "sda", Typeflag: tar.TypeBlock, Mode: 0o660}),
			want: `entry "dwarves-1.31/sda": block device: devices are not unpacked`},
		{name: "fifo", ents: upstreamTree("1.31", testkit.TarEntry{Name: top + "fifo", Typeflag: tar.TypeFifo, Mode: 0o644}),
			want: `FIFO`},
		{name: "file over the cap", ents: upstreamTree("1.31", reg(top+"huge.c", strings.Repeat("x", 4096))), limits: unpack.Limits{MaxFileSize: 1024},
			want: `entry "dwarves-1.31/huge.c": 4096 bytes, more than the 1024-byte limit for one file`},
		{name: "duplicate", ents: upstreamTree("1.31", reg(top+"README", "second copy")),
			want: `entry "dwarves-1.31/README": duplicate entry`},
		{name: "without lib/bpf", ents: []testkit.TarEntry{reg(top+"CMakeLists.txt", "project(pahole C)\n"), reg(top+"pahole.c", "")},
			want: "unpack dwarves-1.31.tar.xz: it has no lib/bpf/src/libbpf.h: this is a git snapshot or a GitHub release tarball, which leave out the libbpf submodule; use the release tarball from https://fedorapeople.org/~acme/dwarves/dwarves-1.31.tar.xz, which includes it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMirror(t, false)
			m.put("1.31", newRelease(t, key, tt.ents))
			src, err := NewSource("", m.url("1.31"), "")
			if err != nil {
				t.Fatal(err)
			}
			cache := t.TempDir()
			prefix := filepath.Join(t.TempDir(), "prefix")
			var log bytes.Buffer
			_, err = Bootstrap(context.Background(), fakeHost(t, true, "cmake", "ninja", "cc"), Options{
				Source: src, Dir: cache, Prefix: prefix, Keyring: openpgp.EntityList{key}, Limits: tt.limits, Log: &log,
			})
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v\nwant %q", err, tt.want)
			}
			if !strings.Contains(log.String(), "verified dwarves-1.31.tar.xz: good signature") {
				t.Errorf("the refusal should come after a good signature: %q", log.String())
			}
			lay := NewLayout(cache)
			testkit.AssertDir(t, lay.Sources)   // no tree, no temporary directory
			testkit.AssertDir(t, lay.Downloads) // the refused tarball is gone
			testkit.AssertDir(t, outside)       // nothing escaped
			testkit.AssertDir(t, filepath.Dir(lay.Sources), "downloads", "src")
			if _, err := os.Stat(prefix); !os.IsNotExist(err) {
				t.Errorf("prefix touched: %v", err)
			}
		})
	}
}

// requireBuild requires the real tools and everything a dwarves build
// needs on this machine.
func requireBuild(t *testing.T, names ...string) {
	t.Helper()
	testkit.Tools(t, names...)
	if needs := BuildPreflight(host.Real()); len(needs) > 0 {
		testkit.Missing(t, "build dependencies missing: %v", needs)
	}
}

// miniDwarves is a C project in the shape of a dwarves release: cmake,
// upstream's Debug-with--Werror default, the submodule check, a library
// and a pahole that prints its version. body replaces pahole.c.
func miniDwarves(printed string, body string) []testkit.TarEntry {
	top := "dwarves-1.31/"
	if body == "" {
		body = `#include <stdio.h>
#include <string.h>
#include "dwarves.h"

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("v%s\n", dwarves_version());
		return 0;
	}
	return 1;
}
`
	}
	return upstreamTree("1.31",
		reg(top+"CMakeLists.txt", `cmake_minimum_required(VERSION 3.5)
project(pahole C)
if (NOT CMAKE_BUILD_TYPE)
	set (CMAKE_BUILD_TYPE Debug CACHE STRING "build type" FORCE)
endif (NOT CMAKE_BUILD_TYPE)
set(CMAKE_C_FLAGS_DEBUG "-Wall -Werror -ggdb -O0")
set(CMAKE_C_FLAGS_RELEASE "-Wall -O2")
if (NOT DEFINED BUILD_SHARED_LIBS)
	set (BUILD_SHARED_LIBS ON)
endif ()
if(NOT EXISTS "${PROJECT_SOURCE_DIR}/lib/bpf/src/btf.h")
	message(FATAL_ERROR "The submodules were not downloaded!")
endif()
include(GNUInstallDirs)
add_library(dwarves dwarves.c)
add_executable(pahole pahole.c)
target_link_libraries(pahole dwarves)
install(TARGETS pahole RUNTIME DESTINATION ${CMAKE_INSTALL_PREFIX}/bin)
install(TARGETS dwarves LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES dwarves.h DESTINATION ${CMAKE_INSTALL_PREFIX}/include/dwarves/)
`),
		reg(top+"dwarves.h", "const char *dwarves_version(void);\n"),
		reg(top+"dwarves.c", "#include \"dwarves.h\"\nconst char *dwarves_version(void) { return \""+printed+"\"; }\n"),
		reg(top+"pahole.c", body),
	)
}

type progressLog struct {
	mu    sync.Mutex
	calls [][2]int64
}

func (p *progressLog) add(d, t int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, [2]int64{d, t})
}

// The real thing: cmake configures, ninja builds, the install is staged,
// checked and moved into the prefix. A second run does nothing.
func TestBootstrapBuildsAndInstalls(t *testing.T) {
	requireBuild(t, "cmake", "ninja", "cc")
	key := testKey(t, "Test Maintainer")
	m := newMirror(t, true)
	m.put("1.31", newRelease(t, key, miniDwarves("1.31", "")))
	src, _ := NewSource("", m.url("1.31"), "")
	cache := t.TempDir()
	prefix := filepath.Join(t.TempDir(), "opt", "pahole")
	var log bytes.Buffer
	var prog progressLog
	o := Options{
		Source: src, Dir: cache, Prefix: prefix, Keyring: openpgp.EntityList{key},
		Fetch: fetchWith(m), Log: &log, BuildProgress: prog.add,
	}
	h := host.Real()
	start := time.Now()
	res, err := Bootstrap(context.Background(), h, o)
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	t.Logf("first run (download, verify, unpack, cmake, ninja, install): %s", time.Since(start))
	t.Logf("log:\n%s", log.String())
	bin := filepath.Join(prefix, "bin", "pahole")
	if res.Pahole != bin || res.AlreadyInstalled || res.Tree == "" || !strings.HasPrefix(res.Verified, "good signature") {
		t.Errorf("result = %+v", res)
	}
	out, err := h.Run(context.Background(), bin, "--version")
	if err != nil || string(out.Stdout) != "v1.31\n" {
		t.Errorf("installed pahole --version = %q, %v", out.Stdout, err)
	}
	if res.PathLine != "export PATH="+filepath.Join(prefix, "bin")+":$PATH" {
		t.Errorf("PathLine = %q", res.PathLine)
	}
	// Static: nothing in the prefix needs a shared libdwarves.
	if _, err := os.Stat(filepath.Join(prefix, "lib", "libdwarves.a")); err != nil {
		t.Errorf("libdwarves.a not installed into lib: %v", err)
	}
	lay := NewLayout(cache)
	build := filepath.Join(lay.Builds, filepath.Base(filepath.Dir(res.Tree)))
	cc, err := cmake.ReadCache(filepath.Join(build, "CMakeCache.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"CMAKE_BUILD_TYPE": "Release", "CMAKE_INSTALL_PREFIX": prefix, "BUILD_SHARED_LIBS": "OFF", "CMAKE_INSTALL_LIBDIR": "lib", "CMAKE_GENERATOR": "Ninja"} {
		if cc[k] != want {
			t.Errorf("CMakeCache %s = %q, want %q", k, cc[k], want)
		}
	}
	if len(prog.calls) == 0 || prog.calls[len(prog.calls)-1][0] != prog.calls[len(prog.calls)-1][1] {
		t.Errorf("progress = %v, want [n/N] ending at N", prog.calls)
	}
	logFile, _ := os.ReadFile(filepath.Join(lay.Logs, filepath.Base(build)+".log"))
	if !strings.Contains(string(logFile), "Linking C executable pahole") {
		t.Errorf("build log lacks ninja's output:\n%s", logFile)
	}
	// No staging directory or partial download is left.
	testkit.AssertDir(t, cache, "build", "downloads", "logs", "src")
	testkit.AssertDir(t, lay.Downloads, "dwarves-1.31.tar.sign", "dwarves-1.31.tar.xz")

	// Again: the installed pahole is the wanted one, so nothing happens.
	hits := m.total()
	start = time.Now()
	res2, err := Bootstrap(context.Background(), h, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("second run: %s", time.Since(start))
	if !res2.AlreadyInstalled || res2.Pahole != bin || res2.PathLine != res.PathLine || m.total() != hits {
		t.Errorf("second run = %+v, %d new requests", res2, m.total()-hits)
	}

	// With --no-build a rerun uses the cached tarball and the unpacked tree.
	o.NoBuild = true
	log.Reset()
	res3, err := Bootstrap(context.Background(), h, o)
	if err != nil {
		t.Fatal(err)
	}
	if res3.Tree != res.Tree || m.total() != hits || !strings.Contains(log.String(), "using the unpacked tree") {
		t.Errorf("no-build rerun = %+v, %d requests, log %q", res3, m.total()-hits, log.String())
	}
}

// Without ninja the build falls back to make, whose "[ NN%]" lines are the
// progress.
func TestBootstrapBuildsWithMake(t *testing.T) {
	requireBuild(t, "cmake", "make", "cc")
	key := testKey(t, "Test Maintainer")
	m := newMirror(t, false)
	m.put("1.31", newRelease(t, key, miniDwarves("1.31", "")))
	src, _ := NewSource("", m.url("1.31"), "")
	h := host.Real()
	bin := t.TempDir()
	for _, tool := range []string{"cmake", "make", "cc"} {
		os.Symlink(testkit.Tool(t, tool), filepath.Join(bin, tool))
	}
	h.Path = []string{bin} // bpfdoctor sees no ninja
	var prog progressLog
	prefix := filepath.Join(t.TempDir(), "prefix")
	start := time.Now()
	res, err := Bootstrap(context.Background(), h, Options{Source: src, Dir: t.TempDir(), Prefix: prefix, Keyring: openpgp.EntityList{key}, Jobs: 2, BuildProgress: prog.add})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("make build: %s", time.Since(start))
	if out, err := host.Real().Run(context.Background(), res.Pahole, "--version"); err != nil || string(out.Stdout) != "v1.31\n" {
		t.Errorf("pahole --version = %q, %v", out.Stdout, err)
	}
	if len(prog.calls) == 0 || prog.calls[len(prog.calls)-1] != [2]int64{100, 100} {
		t.Errorf("progress = %v, want make's percentages up to 100", prog.calls)
	}
}

// A build whose pahole prints another version is not installed.
func TestBootstrapWrongVersionInstallsNothing(t *testing.T) {
	requireBuild(t, "cmake", "ninja", "cc")
	key := testKey(t, "Test Maintainer")
	m := newMirror(t, false)
	m.put("1.31", newRelease(t, key, miniDwarves("1.30", "")))
	src, _ := NewSource("", m.url("1.31"), "")
	prefix := filepath.Join(t.TempDir(), "prefix")
	cache := t.TempDir()
	_, err := Bootstrap(context.Background(), host.Real(), Options{Source: src, Dir: cache, Prefix: prefix, Keyring: openpgp.EntityList{key}})
	if err == nil || !strings.Contains(err.Error(), "the built pahole says it is 1.30, not 1.31; nothing installed") {
		t.Errorf("err = %v", err)
	}
	if _, err := os.Stat(prefix); !os.IsNotExist(err) {
		t.Errorf("prefix created: %v", err)
	}
	testkit.AssertDir(t, cache, "build", "downloads", "logs", "src") // the stage is gone
}

// A failing build shows the log's tail and names the log.
func TestBootstrapBuildFailureShowsLog(t *testing.T) {
	requireBuild(t, "cmake", "ninja", "cc")
	key := testKey(t, "Test Maintainer")
	m := newMirror(t, false)
	m.put("1.31", newRelease(t, key, miniDwarves("1.31", "int main(void) { this is not C; }\n")))
	src, _ := NewSource("", m.url("1.31"), "")
	prefix := filepath.Join(t.TempDir(), "prefix")
	var log bytes.Buffer
	_, err := Bootstrap(context.Background(), host.Real(), Options{Source: src, Dir: t.TempDir(), Prefix: prefix, Keyring: openpgp.EntityList{key}, Log: &log})
	if err == nil || !strings.Contains(err.Error(), "build pahole 1.31: `ninja -C ") || !strings.Contains(err.Error(), "exited with status 1; full log: ") {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(log.String(), "the last lines of ") || !strings.Contains(log.String(), "pahole.c") || !strings.Contains(log.String(), "FAILED:") {
		t.Errorf("log tail missing:\n%s", log.String())
	}
	if _, err := os.Stat(prefix); !os.IsNotExist(err) {
		t.Errorf("prefix created: %v", err)
	}
}

func TestMoveTreeAndOnlyUnder(t *testing.T) {
	stage := t.TempDir()
	staged := filepath.Join(stage, "opt/x")
	os.MkdirAll(filepath.Join(staged, "bin"), 0o755)
	os.WriteFile(filepath.Join(staged, "bin/pahole"), []byte("new"), 0o755)
	os.MkdirAll(filepath.Join(staged, "share/man"), 0o755)
	os.WriteFile(filepath.Join(staged, "share/man/pahole.1"), []byte("man"), 0o644)
	if err := onlyUnder(stage, staged); err != nil {
		t.Fatal(err)
	}
	prefix := t.TempDir()
	os.MkdirAll(filepath.Join(prefix, "bin"), 0o755)
	os.WriteFile(filepath.Join(prefix, "bin/pahole"), []byte("old"), 0o755)
	os.WriteFile(filepath.Join(prefix, "bin/other"), []byte("kept"), 0o755)
	if err := moveTree(staged, prefix, "bin/pahole"); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]string{"bin/pahole": "new", "bin/other": "kept", "share/man/pahole.1": "man"} {
		if b, _ := os.ReadFile(filepath.Join(prefix, p)); string(b) != want {
			t.Errorf("%s = %q, want %q", p, b, want)
		}
	}
	os.MkdirAll(filepath.Join(stage, "etc"), 0o755)
	os.WriteFile(filepath.Join(stage, "etc/evil.conf"), nil, 0o644)
	if err := onlyUnder(stage, staged); err == nil || !strings.Contains(err.Error(), "installs outside the prefix: /etc") {
		t.Errorf("err = %v", err)
	}
}

func fetchWith(m *mirror) fetch.Options {
	if m.TLS != nil {
		return fetch.Options{Client: m.Client()}
	}
	return fetch.Options{}
}

// snapshot is every path under dir with its content ("/" for a directory).
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			m[rel] = "/"
			return nil
		}
		b, err := os.ReadFile(p)
		m[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// stagedInstall is a staged tree of n files like a dwarves install (bin,
// lib, include, share/man), and a prefix holding an older bin/pahole and
// one file of someone else's.
func stagedInstall(t *testing.T, n int) (staged, prefix string) {
	t.Helper()
	staged = filepath.Join(t.TempDir(), "usr/local")
	prefix = filepath.Join(t.TempDir(), "prefix")
	files := map[string]string{"bin/pahole": "new pahole"}
	for i := 1; len(files) < n; i++ {
		if i%2 == 0 {
			files[fmt.Sprintf("include/dwarves/h%02d.h", i)] = "header"
		} else {
			files[fmt.Sprintf("share/man/man1/t%02d.1", i)] = "man"
		}
	}
	for rel, s := range files {
		p := filepath.Join(staged, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for rel, s := range map[string]string{"bin/pahole": "old pahole", "bin/other": "kept", "share/man/man1/t01.1": "old man"} {
		p := filepath.Join(prefix, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return staged, prefix
}

// An install that fails part-way leaves the prefix as it was: the files it
// moved are gone again, the ones it replaced are back, the directories it
// made are removed.
func TestMoveTreeAllOrNothing(t *testing.T) {
	t.Run("fails at the 35th of 36 files", func(t *testing.T) {
		staged, prefix := stagedInstall(t, 36)
		before := snapshot(t, prefix)
		n := 0
		beforeCommit = func(rel string) error {
			if n++; n == 35 {
				return errors.New("injected fault")
			}
			return nil
		}
		t.Cleanup(func() { beforeCommit = nil })
		if err := moveTree(staged, prefix, "bin/pahole"); err == nil || err.Error() != "injected fault" {
			t.Fatalf("err = %v", err)
		}
		if after := snapshot(t, prefix); !maps.Equal(after, before) {
			t.Errorf("prefix after a failed install:\n%v\nwant as before:\n%v", after, before)
		}
	})
	t.Run("a directory where pahole goes", func(t *testing.T) {
		// The last file fails for real, after all the others are in.
		staged, prefix := stagedInstall(t, 36)
		os.Remove(filepath.Join(prefix, "bin/pahole"))
		os.MkdirAll(filepath.Join(prefix, "bin/pahole/x"), 0o755)
		before := snapshot(t, prefix)
		err := moveTree(staged, prefix, "bin/pahole")
		if err == nil || !strings.Contains(err.Error(), "a directory is in the way") {
			t.Fatalf("err = %v", err)
		}
		if after := snapshot(t, prefix); !maps.Equal(after, before) {
			t.Errorf("prefix after a failed install:\n%v\nwant as before:\n%v", after, before)
		}
	})
	t.Run("a file where a directory goes", func(t *testing.T) {
		staged, prefix := stagedInstall(t, 36)
		os.WriteFile(filepath.Join(prefix, "include"), []byte("a file"), 0o644)
		before := snapshot(t, prefix)
		err := moveTree(staged, prefix, "bin/pahole")
		if err == nil || !strings.Contains(err.Error(), "include is not a directory") {
			t.Fatalf("err = %v", err)
		}
		if after := snapshot(t, prefix); !maps.Equal(after, before) {
			t.Errorf("prefix after a failed install:\n%v\nwant as before:\n%v", after, before)
		}
	})
	t.Run("success", func(t *testing.T) {
		staged, prefix := stagedInstall(t, 36)
		if err := moveTree(staged, prefix, "bin/pahole"); err != nil {
			t.Fatal(err)
		}
		got := snapshot(t, prefix)
		if got["bin/pahole"] != "new pahole" || got["bin/other"] != "kept" || got["share/man/man1/t01.1"] != "man" {
			t.Errorf("installed: %v", got)
		}
		for rel := range got {
			if strings.Contains(rel, ".bpfdoctor-") {
				t.Errorf("left behind: %s", rel)
			}
		}
	})
}

// A prefix that cannot be written is found before anything is fetched or
// built. A prefix under a regular file stops root too, which permission
// bits would not.
func TestBootstrapUnwritablePrefixFirst(t *testing.T) {
	m := newMirror(t, false)
	src, _ := NewSource("", m.url("1.31"), "")
	h := fakeHost(t, true, "cmake", "ninja", "cc")
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	prefix := filepath.Join(file, "prefix")
	_, err := Bootstrap(context.Background(), h, Options{Source: src, Dir: t.TempDir(), Prefix: prefix})
	if want := "install pahole 1.31: cannot install into " + prefix + ": " + file + " is not a directory"; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
	if m.total() != 0 {
		t.Errorf("%d requests before the prefix was checked", m.total())
	}
}
