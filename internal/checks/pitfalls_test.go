package checks

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"
	"github.com/bpfdoctor/bpfdoctor/internal/testkit"

	"github.com/Masterminds/semver/v3"

	"github.com/bpfdoctor/bpfdoctor/internal/bpfobj"
	"github.com/bpfdoctor/bpfdoctor/internal/host"
	"github.com/bpfdoctor/bpfdoctor/internal/kver"
)

// TestPitfallDocs: every pitfall bpfobj can report has a title, and every
// one that can warn or fail says how to fix it.
func TestPitfallDocs(t *testing.T) {
	for _, p := range bpfobj.Pitfalls {
		d, ok := pitfallDocs[p]
		if !ok || d.title == "" {
			t.Errorf("pitfall %s has no title", p)
		}
		if p != bpfobj.Kfuncs && d.fix == "" {
			t.Errorf("pitfall %s has no fix", p)
		}
	}
	if len(pitfallDocs) != len(bpfobj.Pitfalls) {
		t.Errorf("%d docs for %d pitfalls", len(pitfallDocs), len(bpfobj.Pitfalls))
	}
}

// TestPitfallsReal runs clang.pitfalls with this machine's clang and llc:
// the recommended build is clean, the native one has the switch table and
// .eh_frame that -g does not remove.
func TestPitfallsReal(t *testing.T) {
	testkit.Tools(t, "clang", "llc")
	start := time.Now()
	f := runOnly(t, NewEnv(host.Real()), "clang.pitfalls")
	t.Logf("%s in %s: %s\n%s", f.Status, time.Since(start).Round(time.Millisecond), f.Message, strings.Join(f.Details, "\n"))
	if f.Status != finding.Pass || !strings.HasPrefix(f.Message, "--target=bpf -O2 -g is clean; native -O2 -g | llc -march=bpf: ") {
		t.Errorf("got %s %q", f.Status, f.Message)
	}
	if !slices.Contains(f.Details, "--target=bpf -O2 -g → clean") {
		t.Errorf("details %q lack the clean recommended build", f.Details)
	}
	// clang 14 to 19 all turn the 8-case switch into a table for x86-64
	// and add .eh_frame; a host that does not is worth a look, not a
	// failure of bpfdoctor.
	if got := f.Facts["native"]; got != "jump-table,eh-frame" {
		t.Logf("native build gave %q (clang 14 on x86-64 gives jump-table,eh-frame)", got)
	}
	if f.Facts["bpf"] != "none" {
		t.Errorf("facts %v: the recommended build is not clean", f.Facts)
	}
}

// realObject compiles src with the real tools for the fake-tool tests.
func realObject(t *testing.T, native bool, flags ...string) string {
	t.Helper()
	testkit.Tools(t, "clang", "llc")
	dir := t.TempDir()
	src, obj := filepath.Join(dir, "p.c"), filepath.Join(dir, "p.o")
	testkit.WriteFile(t, src, bpfobj.SwitchProbe, 0o644)
	var cmds [][]string
	if native {
		cmds = [][]string{slices.Concat([]string{"clang"}, flags, []string{"-emit-llvm", "-c", src, "-o", obj + ".bc"}),
			{"llc", "-march=bpf", "-filetype=obj", obj + ".bc", "-o", obj}}
	} else {
		cmds = [][]string{slices.Concat([]string{"clang"}, flags, []string{"-c", src, "-o", obj})}
	}
	for _, c := range cmds {
		if out, err := exec.Command(c[0], c[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%q: %v\n%s", c, err, out)
		}
	}
	return obj
}

// copyTo is a fake tool body that answers --version and otherwise copies
// file to the path after -o: a compiler that "builds" a given object.
func copyTo(version, file string) string {
	return `[ "$1" = --version ] && { ` + version + `; exit 0; }
prev=; for a; do [ "$prev" = -o ] && /bin/cp ` + file + ` "$a"; prev=$a; done; exit 0`
}

// testdataTool is a fake tool body that prints testdata/name, a real
// tool's output, when its first argument is --version and otherwise runs
// rest.
func testdataTool(t *testing.T, name, rest string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	testkit.ReadTestdata(t, name)
	return `[ "$1" = --version ] && { /bin/cat ` + p + `; exit 0; }
` + rest
}

// llc14ReadingLLVM19 is llc 14 given clang 19's bitcode: it prints what the
// real one prints (testdata) with its own path and the input's, and fails.
func llc14ReadingLLVM19(t *testing.T) string {
	p, err := filepath.Abs("testdata/llc-14.read-llvm-19-bitcode.stderr.txt")
	if err != nil {
		t.Fatal(err)
	}
	return testdataTool(t, "llc-14.version.txt", `for a; do case "$a" in *.bc) bc=$a;; esac; done
/bin/sed "s|@LLC@|$0|g; s|@BC@|$bc|g" `+p+` >&2; exit 1`)
}

func TestPitfallsFake(t *testing.T) {
	clang19 := strings.ReplaceAll(clangOut("19.1.7"), "\n", ";")
	tests := []struct {
		name    string
		tools   func(t *testing.T) map[string]string
		timeout time.Duration
		status  finding.Status
		msg     string
		detail  string
		fix     string
		facts   map[string]string
	}{
		{name: "no clang", tools: func(*testing.T) map[string]string { return nil },
			status: finding.Skip, msg: "no usable clang (see clang.version)"},
		{name: "clang that cannot run", tools: func(*testing.T) map[string]string {
			return map[string]string{"clang": `echo "clang: error: cannot load libLLVM.so.19" >&2; exit 3`}
		}, status: finding.Skip, msg: "no usable clang"},
		{name: "clang without the BPF target", tools: func(*testing.T) map[string]string {
			return map[string]string{"clang": `[ "$1" = --version ] && { ` + clang19 + `; exit 0; }
echo "error: unknown target triple 'bpf'" >&2; exit 1`}
		}, status: finding.Fail, msg: "clang cannot build the pitfall probe with --target=bpf -O2 -g: `clang --target=bpf -O2 -g -c", fix: "bpfdoctor bootstrap llvm"},
		{name: "clang that writes garbage", tools: func(t *testing.T) map[string]string {
			junk := filepath.Join(t.TempDir(), "junk")
			testkit.WriteFile(t, junk, "not an object", 0o644)
			return map[string]string{"clang": copyTo(clang19, junk)}
		}, status: finding.Fail, msg: "clang's output for --target=bpf -O2 -g is unusable: read object: not an ELF file", fix: "bpfdoctor bootstrap llvm"},
		{name: "recommended way gives a switch table", tools: func(t *testing.T) map[string]string {
			// A clang whose --target=bpf output is what the native target
			// makes: the recommended way itself is broken.
			return map[string]string{"clang": copyTo(clang19, realObject(t, true, "-O2", "-g"))}
		}, status: finding.Fail, msg: "--target=bpf -O2 -g gives switch table, .eh_frame", fix: "bpfdoctor bootstrap llvm"},
		{name: "recommended way without BTF", tools: func(t *testing.T) map[string]string {
			return map[string]string{"clang": copyTo(clang19, realObject(t, false, "--target=bpf", "-O2"))}
		}, status: finding.Warn, msg: "--target=bpf -O2 -g gives BTF"},
		{name: "no llc: native not built", tools: func(t *testing.T) map[string]string {
			return map[string]string{"clang": copyTo(clang19, realObject(t, false, "--target=bpf", "-O2", "-g"))}
		}, status: finding.Pass, msg: "--target=bpf -O2 -g is clean; native -O2 -g | llc -march=bpf: not built: no llc",
			detail: "native -O2 -g | llc -march=bpf → not built: no llc"},
		{name: "llc without BPF: native not built", tools: func(t *testing.T) map[string]string {
			return map[string]string{"clang": copyTo(clang19, realObject(t, false, "--target=bpf", "-O2", "-g")), "llc": llcOut("19.1.7", false)}
		}, status: finding.Pass, msg: "native -O2 -g | llc -march=bpf: not built: llc has no BPF back end"},
		// clang 19 and llc 14 side by side: llc 14 cannot read clang 19's
		// bitcode, so the native builds give nothing to judge.
		{name: "llc that cannot read clang's bitcode", tools: func(t *testing.T) map[string]string {
			return map[string]string{"clang": copyTo(clang19, realObject(t, false, "--target=bpf", "-O2", "-g")), "llc": llc14ReadingLLVM19(t)}
		}, status: finding.Warn,
			msg: "native -O2 -g | llc -march=bpf failed at llc: llc: error: llc: native.bc: error: Opaque pointers are only supported in -opaque-pointers mode (Producer: 'LLVM19.1.7' Reader: 'LLVM 14.0.6'); " +
				"so did native -O2 -g -fno-jump-tables | llc -march=bpf; --target=bpf -O2 -g is clean",
			detail: "native -O2 -g -fno-jump-tables | llc -march=bpf → failed at llc: llc: error: llc: native_no_jump_tables.bc: error: Opaque pointers are only supported in -opaque-pointers mode (Producer: 'LLVM19.1.7' Reader: 'LLVM 14.0.6')",
			facts:  map[string]string{"bpf": "none", "native": "failed", "native_no_jump_tables": "failed"}},
		{name: "clang that cannot emit IR", tools: func(t *testing.T) map[string]string {
			obj := realObject(t, false, "--target=bpf", "-O2", "-g")
			return map[string]string{"clang": `case "$*" in *-emit-llvm*) echo "clang: warning: argument unused" >&2; echo "clang: error: unknown argument: '-emit-llvm'" >&2; exit 1;; esac
` + copyTo(clang19, obj), "llc": llcOut("19.1.7", true)}
		}, status: finding.Warn, msg: "native -O2 -g | llc -march=bpf failed at clang: clang: error: unknown argument: '-emit-llvm'",
			facts: map[string]string{"bpf": "none", "native": "failed"}},
		{name: "llc killed at the deadline: could not tell", timeout: time.Second, tools: func(t *testing.T) map[string]string {
			return map[string]string{"clang": copyTo(clang19, realObject(t, false, "--target=bpf", "-O2", "-g")),
				"llc": "[ \"$1\" = --version ] && { " + strings.ReplaceAll(llcOut("19.1.7", true), "\n", ";") + "; exit 0; }\nexec /bin/sleep 10"}
		}, status: finding.Error, msg: "native -O2 -g | llc -march=bpf failed at llc: `llc -march=bpf -filetype=obj",
			facts: map[string]string{"native": "failed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := fakeHost(t, tt.tools(t))
			if tt.timeout != 0 {
				h.Timeout = tt.timeout
			}
			f := runOnly(t, NewEnv(h), "clang.pitfalls")
			if f.Status != tt.status || !strings.Contains(f.Message, tt.msg) {
				t.Errorf("got %s %q, want %s containing %q", f.Status, f.Message, tt.status, tt.msg)
			}
			if tt.detail != "" && !slices.Contains(f.Details, tt.detail) {
				t.Errorf("details %q lack %q", f.Details, tt.detail)
			}
			if tt.fix != "" && (f.Fix == nil || !strings.Contains(fmt.Sprint(f.Fix.Commands), tt.fix)) {
				t.Errorf("fix = %+v, want a command containing %q", f.Fix, tt.fix)
			}
			if (f.Status == finding.Fail || f.Status == finding.Warn) && f.Fix == nil {
				t.Errorf("%s without a fix: %q", f.Status, f.Message)
			}
			for k, v := range tt.facts {
				if f.Facts[k] != v {
					t.Errorf("fact %s = %q, want %q (facts %v)", k, f.Facts[k], v, f.Facts)
				}
			}
		})
	}
}

// TestLintObject checks the mapping from bpfobj's problems to lint's
// findings: lint.object first, one finding per pitfall, the path in the
// message and in Source, a fix on every warning and failure.
func TestLintObject(t *testing.T) {
	native := realObject(t, true, "-O2")
	o, err := bpfobj.Open(native)
	if err != nil {
		t.Fatal(err)
	}
	fs := LintObject(native, o, nil, nil)
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.ID+":"+f.Status.String())
		if f.Area != "lint" || f.Source != native || !strings.HasPrefix(f.Message, native+": ") || f.Title == "" {
			t.Errorf("finding %+v", f)
		}
		if (f.Status == finding.Warn || f.Status == finding.Fail) && (f.Fix == nil || f.Fix.Text == "") {
			t.Errorf("%s without a fix", f.ID)
		}
	}
	want := []string{"lint.object:pass", "lint.jump-table:fail", "lint.eh-frame:warn", "lint.btf:warn"}
	if !slices.Equal(ids, want) {
		t.Errorf("findings %q, want %q", ids, want)
	}
	if f := fs[1]; !strings.Contains(f.Fix.Text, "-fno-jump-tables") || !strings.Contains(f.Fix.Text, "--target=bpf") {
		t.Errorf("jump-table fix %q names neither flag", f.Fix.Text)
	}

	// A host object is one failing finding; kfuncs without a kernel are a
	// skipped one that says why.
	dir := t.TempDir()
	hostObj, kf := filepath.Join(dir, "host.o"), filepath.Join(dir, "kf.o")
	src := filepath.Join(dir, "kf.c")
	testkit.WriteFile(t, src, `extern void bpf_rcu_read_lock(void) __attribute__((section(".ksyms")));
__attribute__((section("tc"), used)) int prog(void *ctx) { bpf_rcu_read_lock(); return 0; }`, 0o644)
	for _, c := range [][]string{{"clang", "-O2", "-c", src, "-o", hostObj}, {"clang", "--target=bpf", "-O2", "-g", "-c", src, "-o", kf}} {
		if out, err := exec.Command(c[0], c[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%q: %v\n%s", c, err, out)
		}
	}
	o, err = bpfobj.Open(hostObj)
	if err != nil {
		t.Fatal(err)
	}
	if fs := LintObject(hostObj, o, nil, nil); len(fs) != 1 || fs[0].ID != "lint.object" || fs[0].Status != finding.Fail || !strings.Contains(fs[0].Message, "not EM_BPF") {
		t.Errorf("host object: %+v", fs)
	}
	o, err = bpfobj.Open(kf)
	if err != nil {
		t.Fatal(err)
	}
	fs = LintObject(kf, o, nil, fmt.Errorf("load kernel BTF: no such file"))
	if len(fs) != 2 || fs[1].ID != "lint.kfuncs" || fs[1].Status != finding.Skip || !strings.Contains(fs[1].Message, "1 kfuncs not checked: load kernel BTF: no such file (name a kernel's BTF with --btf FILE)") {
		t.Errorf("kfuncs without a kernel: %+v", fs)
	}
}

// TestLintObjectForTargets: one finding per pitfall at its worst level
// over the targets, the verdict on each in its details, and lint.object's
// row of the matrix.
func TestLintObjectForTargets(t *testing.T) {
	path := "../bpfobj/testdata/corpus/xdp_switch-llvm19-native.o"
	o, err := bpfobj.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	old := bpfobj.HostTarget("", kver.Version{Major: 4, Minor: 19}, semver.MustParse("1.1.0"))
	cur := bpfobj.HostTarget("", kver.Version{Major: 6, Minor: 1}, semver.MustParse("1.1.0"))
	byID := func(fs []finding.Finding) map[string]finding.Finding {
		m := map[string]finding.Finding{}
		for _, f := range fs {
			m[f.ID] = f
		}
		return m
	}
	if f := byID(LintObjectFor(path, o, []bpfobj.Target{cur}, nil, nil))["lint.jump-table"]; f.Status != finding.Pass || !strings.Contains(f.Message, "loads on kernels >= 5.2") {
		t.Errorf("on 6.1 alone: %s %q, want pass, loads on kernels >= 5.2", f.Status, f.Message)
	}
	fs := byID(LintObjectFor(path, o, []bpfobj.Target{old, cur}, nil, nil))
	jt := fs["lint.jump-table"]
	if jt.Status != finding.Fail || !strings.Contains(strings.Join(jt.Details, "\n"), "by target: kernel 4.19, libbpf 1.1: fail; kernel 6.1, libbpf 1.1: info") {
		t.Errorf("on 4.19 and 6.1: %s %q, want fail with the verdict on each", jt.Status, jt.Details)
	}
	details := strings.Join(fs["lint.object"].Details, "\n")
	for _, want := range []string{"on kernel 4.19, libbpf 1.1: fails: jump-table", "on kernel 6.1, libbpf 1.1: loads"} {
		if !strings.Contains(details, want) {
			t.Errorf("lint.object details %q lack %q", details, want)
		}
	}
}
