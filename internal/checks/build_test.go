package checks

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"
	"github.com/bpfdoctor/bpfdoctor/internal/host"
	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
)

var buildIDs = []string{"build.bpf", "build.skeleton", "build.loader", "build.load"}

// runArea runs one area's checks on e with TMPDIR set to a directory of
// the test's, and requires that nothing is left in it.
func runArea(t *testing.T, e *Env, area string) map[string]finding.Finding {
	t.Helper()
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	var cs []Check
	for _, c := range All() {
		if c.Area == area {
			cs = append(cs, c)
		}
	}
	byID := map[string]finding.Finding{}
	for _, f := range Run(context.Background(), e, cs) {
		byID[f.ID] = f
		t.Logf("%-22s %-5s %s", f.ID, f.Status, f.Message)
		if f.Fix != nil {
			t.Logf("  fix: %s %q", f.Fix.Text, f.Fix.Commands)
		}
	}
	testkit.AssertDir(t, tmp)
	return byID
}

// runBuild runs the build checks on h.
func runBuild(t *testing.T, h *host.Host) map[string]finding.Finding {
	t.Helper()
	return runArea(t, NewEnv(h), "build")
}

func realBuildHost(t *testing.T) *host.Host {
	t.Helper()
	t.Setenv("PATH", os.Getenv("PATH")+":/usr/sbin")
	testkit.Tools(t, "clang", "bpftool", "cc", "pkg-config", "ldd")
	if _, err := os.Stat("/usr/include/bpf/bpf_helpers.h"); err != nil {
		testkit.Missing(t, "no libbpf headers (libbpf-dev)")
	}
	h := host.Real()
	return h
}

func sysIncludeFlags(t *testing.T, clang string) []string {
	t.Helper()
	cmd := exec.Command(clang, "-v", "-E", "-")
	out, _ := cmd.CombinedOutput()
	return idirafter(parseSysDirs(string(out)))
}

// TestBuildRealPlainAndFixed is the new user's machine: Debian's clang
// does not search /usr/include/x86_64-linux-gnu, so without gcc-multilib
// the plain build of a program including <linux/bpf.h> fails on
// asm/types.h. The finding must say so with the -idirafter fix, and a
// clang that applies exactly that fix must make the probe pass.
func TestBuildRealPlainAndFixed(t *testing.T) {
	h := realBuildHost(t)
	clang, _ := exec.LookPath("clang")
	byID := runBuild(t, h)
	f := byID["build.bpf"]
	_, asmErr := os.Stat("/usr/include/asm/types.h")
	if asmErr == nil {
		// gcc-multilib (or a distribution that has asm/ there): the plain build works.
		if f.Status != finding.Pass {
			t.Fatalf("build.bpf with /usr/include/asm: %s: %s", f.Status, f.Message)
		}
		return
	}
	if f.Status != finding.Warn || !strings.Contains(f.Message, "'asm/types.h' file not found") || !strings.Contains(f.Message, "compile step") {
		t.Fatalf("build.bpf = %s: %s; want the plain build's asm/types.h failure", f.Status, f.Message)
	}
	flags := strings.Join(sysIncludeFlags(t, clang), " ")
	if f.Fix == nil || !strings.Contains(f.Fix.Text, flags) || !strings.Contains(f.Fix.Text, "$(CLANG_BPF_SYS_INCLUDES)") {
		t.Fatalf("fix %+v lacks the flags %q", f.Fix, flags)
	}
	if !strings.Contains(strings.Join(f.Fix.Commands, "\n"), "apt-get install -y gcc-multilib") {
		t.Errorf("fix commands %q lack gcc-multilib", f.Fix.Commands)
	}
	// Apply the fix: a clang that always passes the prescribed flags, as a
	// Makefile with $(CLANG_BPF_SYS_INCLUDES) does. The plain build then passes.
	bin := t.TempDir()
	testkit.WriteFile(t, filepath.Join(bin, "clang"), "#!/bin/sh\nexec "+clang+" \"$@\" "+flags+"\n", 0o755)
	h2 := host.Real()
	h2.Path = append([]string{bin}, h2.Path...)
	fixed := runBuild(t, h2)
	if g := fixed["build.bpf"]; g.Status != finding.Pass {
		t.Fatalf("with the fix applied build.bpf = %s: %s", g.Status, g.Message)
	}
	// The fix's command line itself compiles the probe.
	dir := t.TempDir()
	testkit.WriteFile(t, filepath.Join(dir, "prog.bpf.c"), buildProbeSrc, 0o644)
	words := strings.Fields(f.Fix.Commands[0])
	cmd := exec.Command(clang, words[1:]...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the fix's command %q fails: %v\n%s", f.Fix.Commands[0], err, out)
	}
}

// TestBuildRealIntegration builds, skeletons, links and (as root, which
// CI is) loads the probe with this machine's tools and kernel.
func TestBuildRealIntegration(t *testing.T) {
	h := realBuildHost(t)
	byID := runBuild(t, h)
	if f := byID["build.bpf"]; f.Status != finding.Pass && !(f.Status == finding.Warn && f.Facts["sys_includes"] != "") {
		t.Errorf("build.bpf: %s: %s", f.Status, f.Message)
	}
	for _, id := range []string{"build.skeleton", "build.loader"} {
		if f := byID[id]; f.Status != finding.Pass {
			t.Errorf("%s: %s: %s", id, f.Status, f.Message)
		}
	}
	lf := byID["build.loader"]
	if lf.Facts["headers_version"] == "" || lf.Facts["runtime"] == "" {
		t.Errorf("build.loader facts %v lack the header and runtime libbpf", lf.Facts)
	}
	load := byID["build.load"]
	if os.Geteuid() == 0 {
		if load.Status != finding.Pass {
			t.Errorf("build.load as root: %s: %s", load.Status, load.Message)
		}
	} else if load.Status != finding.Skip || !strings.Contains(load.Message, "CAP_") {
		t.Errorf("build.load without root: %s: %s", load.Status, load.Message)
	}
}

// fakeBuild is a machine whose build tools are scripts: clang writes a
// placeholder object, bpftool a skeleton, cc an object, a dependency
// file naming libbpf 1.1's header and a binary, ldd resolves libbpf 1.1.
func fakeBuild() testkit.Fake {
	return testkit.Fake{
		Files: map[string]string{
			"/etc/os-release":                           "ID=debian\nVERSION_ID=12\n",
			"/usr/include/bpf/libbpf_version.h":         "#define LIBBPF_MAJOR_VERSION 1\n#define LIBBPF_MINOR_VERSION 1\n",
			"/usr/lib/x86_64-linux-gnu/libbpf.so.1.1.0": "not an ELF: the name says the version",
			"/proc/self/status":                         "Name:\tbpfdoctor\nCapEff:\t0000000000000000\n",
		},
		Tools: map[string]string{
			"clang": `while [ $# -gt 0 ]; do case $1 in -o) shift; out=$1;; esac; shift; done; printf 'placeholder' > "$out"`,
			"bpftool": `case "$1" in
version) echo '{"version":"7.1.0","libbpf_version":"1.1","features":{}}';;
gen) echo '/* skeleton */';;
esac`,
			"pkg-config": `echo -lbpf`,
			"cc": `c=; deps=; out=
while [ $# -gt 0 ]; do case $1 in -c) c=1;; -MF) shift; deps=$1;; -o) shift; out=$1;; esac; shift; done
if [ -n "$c" ]; then printf 'loader.o: loader.c /usr/include/bpf/libbpf_version.h\n' > "$deps"; fi
: > "$out"`,
			"ldd": `echo '	libbpf.so.1 => /usr/lib/x86_64-linux-gnu/libbpf.so.1.1.0 (0x00007f0000000000)'`,
		},
	}
}

func TestBuildFakes(t *testing.T) {
	tests := []struct {
		name   string
		change func(*testkit.Fake)
		id     string
		status finding.Status
		msg    []string
		fix    string
	}{
		{name: "all well but no privileges", id: "build.loader", status: finding.Pass,
			msg: []string{"headers and runtime are both libbpf 1.1"}},
		// With asm/ under /usr/include (gcc-multilib) the plain compile runs
		// alone, not beside the -idirafter one: the rest builds on it.
		{name: "gcc-multilib: the plain compile alone", id: "build.loader", status: finding.Pass,
			change: func(f *testkit.Fake) { f.Files["/usr/include/asm/types.h"] = "" },
			msg:    []string{"headers and runtime are both libbpf 1.1"}},
		{name: "no privileges", id: "build.load", status: finding.Skip,
			msg: []string{"needs root or CAP_BPF with CAP_PERFMON", "lacks CAP_BPF and CAP_PERFMON"}},
		{name: "CAP_BPF without CAP_PERFMON", id: "build.load", status: finding.Skip,
			change: func(f *testkit.Fake) { f.Files["/proc/self/status"] = "CapEff:\t0000008000000000\n" },
			msg:    []string{"lacks CAP_PERFMON (see kernel.caps)"}},
		{name: "clang without a CO-RE builtin", id: "build.bpf", status: finding.Fail,
			change: func(f *testkit.Fake) {
				f.Tools["clang"] = `echo "probe.bpf.c:37:6: error: use of unknown builtin '__builtin_preserve_type_info' [-Wimplicit-function-declaration]" >&2; echo '1 error generated.' >&2; exit 1`
			},
			msg: []string{"the compile step fails: probe.bpf.c:37:6: error: use of unknown builtin '__builtin_preserve_type_info'",
				"this clang lacks __builtin_preserve_type_info", "clang >= 12"},
			fix: "bpfdoctor bootstrap llvm"},
		{name: "no CO-RE builtin: the rest skips", id: "build.skeleton", status: finding.Skip,
			change: func(f *testkit.Fake) {
				f.Tools["clang"] = `echo "error: use of unknown builtin '__builtin_preserve_type_info'" >&2; exit 1`
			},
			msg: []string{"did not build (see build.bpf)"}},
		{name: "no libbpf headers", id: "build.bpf", status: finding.Fail,
			change: func(f *testkit.Fake) {
				f.Tools["clang"] = `echo "probe.bpf.c:2:10: fatal error: 'bpf/bpf_helpers.h' file not found" >&2; exit 1`
			},
			msg: []string{"'bpf/bpf_helpers.h' file not found", "libbpf's headers are not installed"},
			fix: "apt-get install -y libbpf-dev"},
		{name: "bpftool without gen skeleton", id: "build.skeleton", status: finding.Fail,
			change: func(f *testkit.Fake) {
				// bpftool 5.4 from the kernel tree: no gen at all, so it prints its usage.
				f.Tools["bpftool"] = `case "$1" in
version) echo '{"version":"5.4.0","features":{}}';;
*) echo 'Usage: bpftool [OPTIONS] OBJECT { COMMAND | help }' >&2
   echo '       OBJECT := { prog | map | cgroup | perf | net | feature | btf }' >&2; exit 255;;
esac`
			},
			msg: []string{"has no `gen skeleton`", "skeletons came in bpftool 5.6"},
			fix: "apt-get install -y bpftool"},
		{name: "no skeleton: the loader skips", id: "build.loader", status: finding.Skip,
			change: func(f *testkit.Fake) { f.Tools["bpftool"] = `echo 'Usage: bpftool gen' >&2; exit 255` },
			msg:    []string{"no skeleton to include (see build.skeleton)"}},
		{name: "ld cannot find -lbpf", id: "build.loader", status: finding.Fail,
			change: func(f *testkit.Fake) {
				f.Tools["cc"] = `c=; out=
while [ $# -gt 0 ]; do case $1 in -c) c=1;; -o) shift; out=$1;; esac; shift; done
if [ -n "$c" ]; then : > "$out"; exit 0; fi
echo '/usr/bin/ld: cannot find -lbpf: No such file or directory' >&2
echo 'collect2: error: ld returned 1 exit status' >&2; exit 1`
			},
			msg: []string{"the loader's link step fails: /usr/bin/ld: cannot find -lbpf: No such file or directory", "libbpf-dev's development files are not installed"},
			fix: "apt-get install -y libbpf-dev"},
		{name: "no libelf headers", id: "build.loader", status: finding.Fail,
			change: func(f *testkit.Fake) {
				f.Tools["cc"] = `echo 'In file included from loader.c:2:' >&2; echo 'loader.c:2:10: fatal error: libelf.h: No such file or directory' >&2; exit 1`
			},
			msg: []string{"the loader's compile step fails: loader.c:2:10: fatal error: libelf.h: No such file or directory"},
			fix: "apt-get install -y libelf-dev libdw-dev"},
		{name: "headers 1.4, runtime 1.1", id: "build.loader", status: finding.Fail,
			change: func(f *testkit.Fake) {
				f.Files["/usr/local/include/bpf/libbpf_version.h"] = "#define LIBBPF_MAJOR_VERSION 1\n#define LIBBPF_MINOR_VERSION 4\n"
				f.Tools["cc"] = strings.ReplaceAll(f.Tools["cc"], "/usr/include/bpf", "/usr/local/include/bpf")
			},
			msg: []string{"headers of libbpf 1.4 (/usr/local/include/bpf/libbpf_version.h) but the loader runs with libbpf 1.1.0 (/usr/lib/x86_64-linux-gnu/libbpf.so.1.1.0)"},
			fix: "PKG_CONFIG_PATH"},
		{name: "runtime libbpf not found", id: "build.loader", status: finding.Fail,
			change: func(f *testkit.Fake) { f.Tools["ldd"] = `echo '	libbpf.so.1 => not found'` },
			msg:    []string{"the dynamic loader does not find its libbpf"},
			fix:    "apt-get install -y libbpf-dev"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fk := fakeBuild()
			if tc.change != nil {
				tc.change(&fk)
			}
			f := runBuild(t, fk.Host(t))[tc.id]
			if f.Status != tc.status {
				t.Errorf("%s = %s: %s, want %s", tc.id, f.Status, f.Message, tc.status)
			}
			for _, m := range tc.msg {
				if !strings.Contains(f.Message, m) {
					t.Errorf("%s message %q lacks %q", tc.id, f.Message, m)
				}
			}
			if tc.fix != "" && (f.Fix == nil || !strings.Contains(f.Fix.Text+" "+strings.Join(f.Fix.Commands, " "), tc.fix)) {
				t.Errorf("%s fix %+v lacks %q", tc.id, f.Fix, tc.fix)
			}
		})
	}
}

// TestBuildUnwritableTmpdir: a TMPDIR the probe cannot make its directory
// in is an error that names it, not a failed build.
func TestBuildUnwritableTmpdir(t *testing.T) {
	h := fakeBuild().Host(t)
	file := filepath.Join(t.TempDir(), "file")
	testkit.WriteFile(t, file, "", 0o644)
	t.Setenv("TMPDIR", filepath.Join(file, "tmp"))
	cs, _ := Select(All(), []string{"build"}, nil)
	for _, f := range Run(context.Background(), NewEnv(h), cs) {
		switch f.ID {
		case "build.bpf":
			if f.Status != finding.Error || !strings.Contains(f.Message, "under TMPDIR "+filepath.Join(file, "tmp")) {
				t.Errorf("build.bpf = %s: %s", f.Status, f.Message)
			}
		default:
			if f.Status != finding.Skip {
				t.Errorf("%s = %s: %s, want a skip", f.ID, f.Status, f.Message)
			}
		}
	}
}

func TestParseSysDirs(t *testing.T) {
	out := "clang version 14.0.6\n#include \"...\" search starts here:\n#include <...> search starts here:\n /usr/lib/llvm-14/lib/clang/14.0.6/include\n /usr/local/include\n /usr/include/x86_64-linux-gnu\n /usr/include\nEnd of search list.\n"
	got := strings.Join(idirafter(parseSysDirs(out)), " ")
	want := "-idirafter /usr/lib/llvm-14/lib/clang/14.0.6/include -idirafter /usr/local/include -idirafter /usr/include/x86_64-linux-gnu -idirafter /usr/include"
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}
