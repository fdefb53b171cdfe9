package kconfig

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bpfdoctor/bpfdoctor/internal/kver"
	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
)

// The fragments (embedded, see fragments.go) are copies of
// tools/testing/selftests/bpf/config* from the kernel; counts were taken
// with grep -c '^CONFIG_\|^# CONFIG_.* is not set'.
func TestParseFragments(t *testing.T) {
	type want struct {
		symbol string
		kind   Kind
		value  string
		line   int
	}
	tests := []struct {
		file  string
		count int
		wants []want
	}{
		{"v6.1/config", 75, []want{
			{"BPF_SYSCALL", Tristate, "y", 8},
			{"IMA_READ_POLICY", Tristate, "y", 22},
		}},
		{"v6.1/config.x86_64", 246, []want{
			{"9P_FS", Tristate, "y", 1},
			{"LSM", String, "selinux,bpf,integrity", 141},
			{"NR_CPUS", Int, "128", 171},
			{"PHYSICAL_ALIGN", Hex, "0x1000000", 183},
		}},
		{"v6.1/config.s390x", 147, []want{{"NR_CPUS", Int, "256", 102}}},
		{"v6.12/config", 114, []want{
			{"BPF_SYSCALL", Tristate, "y", 11},
			{"BPF_UNPRIV_DEFAULT_OFF", NotSet, "n", 12},
			{"NETKIT", Tristate, "y", 83},
			{"TEST_BPF", Tristate, "m", 107},
		}},
		{"v6.12/config.aarch64", 167, []want{
			{"BRIDGE", Tristate, "m", 18},
			{"DEBUG_INFO_REDUCED", NotSet, "n", 38}, // the one "=n" seen in the wild
		}},
		{"v6.12/config.riscv64", 84, []want{{"RCU_CPU_STALL_TIMEOUT", Int, "60", 60}}},
		{"v6.12/config.s390x", 137, []want{{"DEBUG_INFO_BTF", Tristate, "y", 27}}},
		{"v6.12/config.vm", 12, []want{{"9P_FS_SECURITY", Tristate, "y", 3}}},
		{"v6.12/config.x86_64", 233, []want{{"NLS_DEFAULT", String, "utf8", 159}}},
		{"v7.2/config", 138, []want{
			{"BOOTPARAM_SOFTLOCKUP_PANIC", Int, "1", 3}, // "=y" until the option took a count
			{"BPF_SYSCALL", Tristate, "y", 11},
			{"BPF_UNPRIV_DEFAULT_OFF", NotSet, "n", 12},
			{"DEBUG_INFO_BTF", Tristate, "y", 23},
			{"NETKIT", Tristate, "y", 94},
			{"SMC_HS_CTRL_BPF", Tristate, "y", 135},
		}},
		{"v7.2/config.aarch64", 154, []want{{"NR_CPUS", Int, "256", 102}}},
		{"v7.2/config.ppc64el", 92, []want{{"NR_CPUS", Int, "256", 56}}},
		{"v7.2/config.riscv64", 83, []want{{"NR_CPUS", Int, "256", 50}}},
		{"v7.2/config.s390x", 125, []want{{"NR_CPUS", Int, "256", 87}}},
		{"v7.2/config.vm", 15, []want{{"9P_FS_SECURITY", Tristate, "y", 2}}},
		{"v7.2/config.x86_64", 227, []want{
			{"LSM", String, "selinux,bpf,integrity", 129},
			{"NLS_DEFAULT", String, "utf8", 155},
			{"NR_CPUS", Int, "128", 157},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("fragments", filepath.FromSlash(tt.file))
			cfg, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Len() != tt.count {
				t.Errorf("Len() = %d, want %d", cfg.Len(), tt.count)
			}
			if len(cfg.Duplicates) != 0 {
				t.Errorf("Duplicates = %v, want none", cfg.Duplicates)
			}
			for _, w := range tt.wants {
				e, ok := cfg.Lookup(w.symbol)
				if !ok {
					t.Errorf("Lookup(%q) missing", w.symbol)
					continue
				}
				if e.Kind != w.kind || e.Value != w.value || e.Line != w.line {
					t.Errorf("Lookup(%q) = %v %q line %d, want %v %q line %d",
						w.symbol, e.Kind, e.Value, e.Line, w.kind, w.value, w.line)
				}
			}
		})
	}
}

// TestFragmentsDiffer guards against a mix-up of the copied versions: the
// 6.1 fragment predates NETKIT and DEBUG_INFO_BTF in the generic config.
func TestFragmentsDiffer(t *testing.T) {
	cfg, err := Load(filepath.Join("fragments", "v6.1", "config"))
	if err != nil {
		t.Fatal(err)
	}
	for _, sym := range []string{"NETKIT", "DEBUG_INFO_BTF", "BPF_UNPRIV_DEFAULT_OFF"} {
		if _, ok := cfg.Lookup(sym); ok {
			t.Errorf("v6.1/config has %s, want it absent", sym)
		}
	}
}

func TestEmbeddedSets(t *testing.T) {
	var names []string
	for _, e := range EmbeddedSets() {
		names = append(names, e.Name)
	}
	if got := strings.Join(names, " "); got != "v6.1 v6.12 v7.2" {
		t.Fatalf("EmbeddedSets() = %s", got)
	}
}

func TestChooseEmbedded(t *testing.T) {
	tests := []struct {
		kernel string
		want   string
		why    string
	}{
		// Between two sets: the older, and the message says why not the newer.
		{"6.18.44", "v6.12", "the newest built-in set not newer than Linux 6.18.44, since none is of 6.18 and the newer 7.2 may want options 6.18 lacks (built in: 6.1, 6.12, 7.2); pass --kernel-src with a 6.18 tree"},
		{"7.0", "v6.12", "none is of 7.0 and the newer 7.2"},
		{"7.2.13", "v7.2", "the set of Linux 7.2 itself (built in: 6.1, 6.12, 7.2)"},
		{"7.3.1", "v7.2", "Linux 7.3.1 is newer than every built-in set, so the newest, 7.2 (built in: 6.1, 6.12, 7.2); its own selftests may want more: pass --kernel-src with a 7.3 tree"},
		{"8.0", "v7.2", "newer than every built-in set"},
		{"6.16", "v6.12", "not newer than Linux 6.16, since none is of 6.16"},
		{"6.12.117", "v6.12", "the set of Linux 6.12 itself"},
		{"6.11.4", "v6.1", "not newer than Linux 6.11.4, since none is of 6.11 and the newer 6.12"},
		{"6.1.0", "v6.1", "itself"},
		{"5.15.0", "v6.1", "Linux 5.15 is older than every built-in set (6.1, 6.12, 7.2), so the oldest, 6.1"},
		{"", "v7.2", "the kernel version is unknown, so the newest built-in set, 7.2"},
	}
	for _, tt := range tests {
		v, _ := kver.Parse(tt.kernel)
		e, why := ChooseEmbedded(v)
		if e.Name != tt.want || !strings.Contains(why, tt.why) {
			t.Errorf("ChooseEmbedded(%q) = %s, %q; want %s, %q", tt.kernel, e.Name, why, tt.want, tt.why)
		}
	}
}

func TestLookupEmbedded(t *testing.T) {
	for in, want := range map[string]string{"6.12": "v6.12", "v6.12": "v6.12", "6.12.117": "v6.12",
		"7.2": "v7.2", "v7.2": "v7.2", "7.2.13": "v7.2", "6.1": "v6.1"} {
		e, err := LookupEmbedded(in)
		if err != nil || e.Name != want {
			t.Errorf("LookupEmbedded(%q) = %s, %v; want %s", in, e.Name, err, want)
		}
	}
	// No set is taken between releases now: "mainline" names none.
	for _, name := range []string{"5.4", "6.17", "mainline", "mainline-v6.17"} {
		if _, err := LookupEmbedded(name); err == nil || !strings.Contains(err.Error(), "built in: 6.1, 6.12, 7.2") {
			t.Errorf("LookupEmbedded(%s) err = %v", name, err)
		}
	}
}

func TestEmbeddedLoad(t *testing.T) {
	x86, _ := LookupArch("x86_64")
	arm, _ := LookupArch("aarch64")
	ppc, _ := LookupArch("ppc64le")
	tests := []struct {
		set   string
		arch  *Arch
		vm    bool
		files string
		lacks string
		count int
	}{
		{"6.12", &x86, true, "config config.vm config.x86_64", "", 355},
		{"6.12", &arm, false, "config config.aarch64", "", 271},
		{"6.1", &arm, true, "config", "config.vm config.aarch64", 75},
		{"7.2", &x86, false, "config config.x86_64", "", 364},
		{"7.2", &x86, true, "config config.vm config.x86_64", "", 379},
		{"7.2", &ppc, true, "config config.vm config.ppc64el", "", 244},
		{"6.12", &ppc, false, "config", "config.ppc64el", 114},
		{"6.1", nil, false, "config", "", 75},
	}
	for _, tt := range tests {
		e, err := LookupEmbedded(tt.set)
		if err != nil {
			t.Fatal(err)
		}
		s, err := e.Load(tt.arch, tt.vm)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, f := range s.Files {
			names = append(names, f.Name)
		}
		if strings.Join(names, " ") != tt.files || strings.Join(s.Lacks, " ") != tt.lacks || len(s.Wanted()) != tt.count {
			t.Errorf("%s %v vm=%v: files %v, lacks %v, %d options; want %q, %q, %d", tt.set, tt.arch, tt.vm, names, s.Lacks, len(s.Wanted()), tt.files, tt.lacks, tt.count)
		}
	}
	// A later fragment wins, and the option stays where it first came.
	e, _ := LookupEmbedded("6.12")
	s, _ := e.Load(&x86, false)
	for i, w := range s.Wanted() {
		if w.Symbol == "DEBUG_INFO_BTF" && (w.File != "config.x86_64" || i != 22) {
			t.Errorf("DEBUG_INFO_BTF from %s at %d; want config.x86_64 at 22", w.File, i)
		}
	}
}

// TestEmbeddedSetsParse loads every built-in set for every architecture,
// with and without config.vm: a refreshed set must still parse.
func TestEmbeddedSetsParse(t *testing.T) {
	for _, e := range EmbeddedSets() {
		for _, a := range Arches {
			for _, vm := range []bool{false, true} {
				s, err := e.Load(&a, vm)
				if err != nil {
					t.Errorf("%s %s vm=%v: %v", e.Name, a.Uname, vm, err)
					continue
				}
				if len(s.Wanted()) < 50 || s.Files[0].Name != "config" {
					t.Errorf("%s %s: %d options from %v", e.Name, a.Uname, len(s.Wanted()), s.Files)
				}
				for _, f := range s.Files {
					if len(f.Config.Duplicates) > 0 {
						t.Errorf("%s: duplicates %v", f.Path, f.Config.Duplicates)
					}
				}
			}
		}
	}
}

// TestEmbeddedSetsSource: every built-in set says where it came from, in
// the SOURCE file scripts/update-fragments.sh writes beside it, and holds
// every fragment that tree had.
func TestEmbeddedSetsSource(t *testing.T) {
	known := map[string]bool{"config": true, "config.vm": true}
	for _, a := range Arches {
		known["config."+a.Suffix] = true
	}
	for _, e := range EmbeddedSets() {
		dir := path.Join("fragments", e.Name)
		data, err := fs.ReadFile(embedded, path.Join(dir, "SOURCE"))
		if err != nil {
			t.Errorf("%s: %v", e.Name, err)
			continue
		}
		src := map[string]string{}
		for _, l := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(l, ": "); ok && !strings.HasPrefix(l, "#") {
				src[k] = v
			}
		}
		for _, k := range []string{"source", "makefile", "date", "files", "command"} {
			if src[k] == "" {
				t.Errorf("%s/SOURCE has no %s:\n%s", e.Name, k, data)
			}
		}
		if v, ok := kver.Parse(src["makefile"]); !ok || v.Series() != e.Version.Series() {
			t.Errorf("%s/SOURCE: the tree's Makefile says %q, want Linux %s", e.Name, src["makefile"], e.Version.Series())
		}
		ents, _ := fs.ReadDir(embedded, dir)
		var have []string
		for _, f := range ents {
			if f.Name() == "SOURCE" {
				continue
			}
			have = append(have, f.Name())
			if !known[f.Name()] {
				t.Errorf("%s/%s: a fragment bpfdoctor never reads (a new arch? add it to Arches)", e.Name, f.Name())
			}
		}
		if got := strings.Join(have, " "); got != src["files"] {
			t.Errorf("%s holds %s; the tree had %s", e.Name, got, src["files"])
		}
		// config.x86_64 is in every tree since 6.1 (Debian's
		// linux-source-6.1 6.1.192 has it), config.vm since a release in
		// 6.2..6.12 (6.1.192 lacks it, linux-source-6.12 6.12.117 has it).
		if !slices.Contains(have, "config.x86_64") {
			t.Errorf("%s has no config.x86_64", e.Name)
		}
		if e.Version.AtLeast(6, 12) && !slices.Contains(have, "config.vm") {
			t.Errorf("%s has no config.vm", e.Name)
		}
	}
}

// TestUpdateFragmentsScript runs scripts/update-fragments.sh on a small
// tree (DEST= keeps it away from the built-in sets): it copies every
// config* the tree has, an arch it never heard of too, writes SOURCE with
// the Makefile's version, and refuses a set nobody can trace.
func TestUpdateFragmentsScript(t *testing.T) {
	bash := testkit.Tool(t, "bash")
	script, err := filepath.Abs(filepath.Join("..", "..", "scripts", "update-fragments.sh"))
	if err != nil {
		t.Fatal(err)
	}
	tree, out := t.TempDir(), filepath.Join(t.TempDir(), "set")
	sel := filepath.Join(tree, "tools", "testing", "selftests", "bpf")
	testkit.WriteFile(t, filepath.Join(tree, "Makefile"), "VERSION = 7\nPATCHLEVEL = 3\nSUBLEVEL = 0\nEXTRAVERSION = -rc2\nNAME = x\n", 0o644)
	for _, f := range []string{"config", "config.vm", "config.x86_64", "config.loongarch64", "config.x86_64.orig"} {
		testkit.WriteFile(t, filepath.Join(sel, f), "CONFIG_BPF=y\n", 0o644)
	}
	run := func(source string, args ...string) (string, int) {
		cmd := exec.Command(bash, append([]string{script, tree}, args...)...)
		cmd.Env = append(os.Environ(), "DEST="+out, "SOURCE="+source)
		b, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatal(err)
		}
		return string(b), cmd.ProcessState.ExitCode()
	}
	if o, code := run(""); code != 2 || !strings.Contains(o, "SOURCE is not set") {
		t.Errorf("without SOURCE: exit %d, %q; want 2 and the reason", code, o)
	}
	if o, code := run("x", "v7.2"); code != 2 || !strings.Contains(o, "its set is v7.3 or mainline-v7.3, not v7.2") {
		t.Errorf("another version's name: exit %d, %q", code, o)
	}
	if o, code := run("torvalds/linux 0123456789ab", "mainline-v7.3"); code != 0 {
		t.Fatalf("exit %d: %s", code, o)
	}
	testkit.AssertDir(t, out, "SOURCE", "config", "config.loongarch64", "config.vm", "config.x86_64")
	src, err := os.ReadFile(filepath.Join(out, "SOURCE"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\nsource: torvalds/linux 0123456789ab\n", "\nmakefile: 7.3.0-rc2\n", "\ndate: 20",
		"\nfiles: config config.loongarch64 config.vm config.x86_64\n",
		"\ncommand: SOURCE='torvalds/linux 0123456789ab' scripts/update-fragments.sh " + tree + " mainline-v7.3\n"} {
		if !strings.Contains(string(src), want) {
			t.Errorf("SOURCE lacks %q:\n%s", want, src)
		}
	}
	if o, code := run("torvalds/linux 0123456789ab", "mainline-v7.3"); code != 0 || !strings.Contains(o, "is already the set of") {
		t.Errorf("the same tree again: exit %d, %q", code, o)
	}
}
