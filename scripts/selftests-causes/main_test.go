package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
)

// A log with two causes (lld, the tree's kernel), real lines of a Debian 12
// build.
const twoCauses = `  LIB      liburandom_read.so
clang: error: invalid linker name in argument '-fuse-ld=lld'
make: *** [Makefile:275: /k/tools/testing/selftests/bpf/liburandom_read.so] Error 1
  MOD      bpf_testmod.ko

  ERROR: Kernel configuration is invalid.
make[2]: *** [Makefile:810: include/config/auto.conf] Error 1
make[1]: *** [Makefile:16: all] Error 2
make: *** [Makefile:299: /k/tools/testing/selftests/bpf/bpf_testmod.ko] Error 2
make: Target 'all' not remade because of errors.
`

func TestRun(t *testing.T) {
	for _, tc := range []struct {
		name, log, findings string
		code                int
		want, notWant       []string
	}{
		{"every cause named", twoCauses, `{"findings":[
			{"id":"selftests.lld","status":"fail","message":"-fuse-ld=lld but no ld.lld"},
			{"id":"selftests.kernel","status":"warn","message":"the tree is not configured"},
			{"id":"selftests.tools","status":"warn","message":"no rst2man"},
			{"id":"selftests.clang","status":"pass","message":"clang 19 builds the progs"}]}`,
			0, []string{"lld", "selftests.lld", "fail", "liburandom_read.so", "tree-kernel", "bpf_testmod.ko",
				"the doctor warned, the build did not hit it:\n  selftests.tools warn: no rst2man",
				"all 2 causes named"}, []string{"FAIL", "selftests.clang pass"}},
		{"a cause the doctor passed, one it does not report", twoCauses, `{"findings":[
			{"id":"selftests.lld","status":"pass","message":"ld.lld found"}]}`,
			1, []string{"FAIL lld: finding selftests.lld says pass: ld.lld found",
				"FAIL tree-kernel: finding selftests.kernel is not in the findings", "2 of 2 causes"}, nil},
		{"info and skip do not name a cause", twoCauses, `{"findings":[
			{"id":"selftests.lld","status":"info","message":"x"},
			{"id":"selftests.kernel","status":"skip","message":"y"}]}`,
			1, []string{"selftests.lld says info", "selftests.kernel says skip"}, nil},
		{"an unclassified error fails whatever the findings", "make: *** [Makefile:1: /k/tools/testing/selftests/bpf/test_progs] Error 139\n",
			`{"findings":[]}`, 1, []string{"unclassified", "test_progs", "FAIL unclassified: no rule knows it"}, nil},
		{"a clean build", "make: Leaving directory '/k'\n", `{"findings":[{"id":"selftests.lld","status":"pass","message":"x"}]}`,
			0, []string{"(none: the build hit no error)", "all 0 causes named"}, []string{"did not hit"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			logPath, findingsPath := filepath.Join(dir, "make.log"), filepath.Join(dir, "findings.json")
			testkit.WriteFile(t, logPath, tc.log, 0o644)
			testkit.WriteFile(t, findingsPath, tc.findings, 0o644)
			var out, errOut bytes.Buffer
			code := run([]string{"-log", logPath, "-findings", findingsPath}, &out, &errOut)
			if code != tc.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tc.code, out.String(), errOut.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(out.String(), w) {
					t.Errorf("output has %q:\n%s", w, out.String())
				}
			}
		})
	}
}

func TestRunUsage(t *testing.T) {
	dir := t.TempDir()
	logPath := filepath.Join(dir, "make.log")
	testkit.WriteFile(t, logPath, twoCauses, 0o644)
	bad := filepath.Join(dir, "bad.json")
	testkit.WriteFile(t, bad, "bpfdoctor: unknown flag --kernel-src\n", 0o644)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no flags", nil, "usage: selftests-causes -log LOG -findings FINDINGS.json\n"},
		{"an argument", []string{"-log", logPath, "-findings", bad, "x"}, "usage: selftests-causes -log LOG -findings FINDINGS.json\n"},
		{"an unknown flag", []string{"-v"}, "usage: selftests-causes -log LOG -findings FINDINGS.json\n"},
		{"no log", []string{"-log", filepath.Join(dir, "none"), "-findings", bad}, "selftests-causes: read make log: open "},
		{"findings not JSON", []string{"-log", logPath, "-findings", bad}, "selftests-causes: read findings " + bad + ": invalid character"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := run(tc.args, &out, &errOut); code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if !strings.HasPrefix(errOut.String(), tc.want) || strings.Count(errOut.String(), "\n") != 1 {
				t.Errorf("stderr %q, want one line starting %q", errOut.String(), tc.want)
			}
			if out.Len() != 0 {
				t.Errorf("stdout %q", out.String())
			}
		})
	}
}
