package checks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"
	"github.com/bpfdoctor/bpfdoctor/internal/ktree"
	"github.com/bpfdoctor/bpfdoctor/internal/kver"

	"github.com/bpfdoctor/bpfdoctor/internal/kconfig"
)

// fullConfig is a config that has every option of a built-in set as it
// wants it, with a version header; edit changes lines of it.
func fullConfig(t *testing.T, set, version string, edit map[string]string) string {
	t.Helper()
	e, err := kconfig.LookupEmbedded(set)
	if err != nil {
		t.Fatal(err)
	}
	x86, _ := kconfig.LookupArch("x86_64")
	s, err := e.Load(&x86, false)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("# Linux/x86 " + version + " Kernel Configuration\nCONFIG_X86_64=y\n")
	for _, w := range s.Wanted() {
		line := w.Entry.String()
		if l, ok := edit[w.Symbol]; ok {
			line = l
		}
		if line != "" {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

func TestKconfigSelftestsCheck(t *testing.T) {
	const rel = "/proc/sys/kernel/osrelease"
	tests := []struct {
		name    string
		files   map[string]string
		status  finding.Status
		msg     string
		details []string
		fix     string
	}{
		{"no config", map[string]string{rel: "6.12.3\n"}, finding.Skip, "no kernel config to judge (see kernel.config)", nil, ""},
		{"all set", map[string]string{rel: "6.12.3\n", "/boot/config-6.12.3": fullConfig(t, "6.12", "6.12.3", nil)},
			finding.Pass, "all 343 options of the 6.12 selftests config are set",
			[]string{"fragment set 6.12 (config, config.x86_64): the set of Linux 6.12 itself"}, ""},
		{"parents off", map[string]string{rel: "6.12.3\n", "/boot/config-6.12.3": fullConfig(t, "6.12", "6.12.3", map[string]string{
			"MODULES": "# CONFIG_MODULES is not set", "MODULE_SIG": "", "MODULE_UNLOAD": "", "NF_TABLES": "CONFIG_NF_TABLES=m", "NR_CPUS": "CONFIG_NR_CPUS=64"})},
			finding.Warn, "5 of 343 options of the 6.12 selftests config missing (3 root causes)",
			[]string{"CONFIG_MODULES is not set — probably hides MODULE_SIG, MODULE_UNLOAD (judged by name", "built as modules, the selftests want them built in: NF_TABLES", "other values: CONFIG_NR_CPUS=64 (want 128)"},
			"bpfdoctor kconfig fix -o bpf-selftests.config"},
		{"only unwanted", map[string]string{rel: "6.12.3\n", "/boot/config-6.12.3": fullConfig(t, "6.12", "6.12.3", map[string]string{
			"BPF_UNPRIV_DEFAULT_OFF": "CONFIG_BPF_UNPRIV_DEFAULT_OFF=y"})},
			finding.Warn, "all 342 wanted options are set, but BPF_UNPRIV_DEFAULT_OFF, which the 6.12 selftests config wants off",
			[]string{"set, the selftests want them off: BPF_UNPRIV_DEFAULT_OFF"}, "scripts/kconfig/merge_config.sh .config bpf-selftests.config"},
		{"kernel between two sets", map[string]string{rel: "6.18.2\n", "/boot/config-6.18.2": fullConfig(t, "6.12", "6.18.2", nil)},
			finding.Pass, "all 343 options of the 6.12 selftests config are set",
			[]string{"fragment set 6.12 (config, config.x86_64): the newest built-in set not newer than Linux 6.18.2, since none is of 6.18 and the newer 7.2 may want options 6.18 lacks"}, ""},
		{"set without arch file", map[string]string{rel: "6.1.90\n", "/proc/sys/kernel/arch": "aarch64\n", "/boot/config-6.1.90": "CONFIG_BPF=y\n"},
			finding.Warn, "of 75 options of the 6.1 selftests config missing",
			[]string{"the 6.1 set has no config.aarch64: those options were not checked"}, ""},
		{"version from uname when the config has none", map[string]string{rel: "6.1.90\n", "/boot/config-6.1.90": "CONFIG_X86_64=y\n"},
			finding.Warn, "of the 6.1 selftests config missing", []string{"kernel version from uname -r"}, ""},
		{"arch from uname when the config does not say", map[string]string{rel: "6.12.1\n", "/proc/sys/kernel/arch": "aarch64\n", "/boot/config-6.12.1": "CONFIG_BPF=y\n"},
			finding.Warn, "of 271 options of the 6.12 selftests config missing", []string{"6.12 (config, config.aarch64)"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewEnv(fakeHost(t, nil))
			withRoot(t, e, tt.files)
			f := runOnly(t, e, "kconfig.selftests")
			if f.Status != tt.status || !strings.Contains(f.Message, tt.msg) {
				t.Fatalf("got %s %q, want %s containing %q\n%s", f.Status, f.Message, tt.status, tt.msg, strings.Join(f.Details, "\n"))
			}
			joined := strings.Join(f.Details, "\n")
			for _, d := range tt.details {
				if !strings.Contains(joined, d) {
					t.Errorf("details lack %q:\n%s", d, joined)
				}
			}
			if tt.fix != "" && (f.Fix == nil || !strings.Contains(strings.Join(f.Fix.Commands, "\n"), tt.fix)) {
				t.Errorf("fix = %+v, want a command containing %q", f.Fix, tt.fix)
			}
			if (f.Status == finding.Fail || f.Status == finding.Warn) && f.Fix == nil {
				t.Errorf("%s without a fix", f.Status)
			}
			if f.Area != "kconfig" || f.ID != "kconfig.selftests" {
				t.Errorf("ID %q area %q", f.ID, f.Area)
			}
		})
	}
}

// TestKconfigSelftestsTree uses a --kernel-src tree: its fragments, its
// Kconfig, and its version against the kernel's.
func TestKconfigSelftestsTree(t *testing.T) {
	tree := t.TempDir()
	for p, s := range map[string]string{
		"Makefile":                           "VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 3\n",
		"Kconfig":                            "config MODULES\n\tbool \"modules\"\n\tmodules\nconfig MODULE_SIG\n\tbool \"sig\"\n\tdepends on MODULES\nconfig X86_64\n\tdef_bool y\n",
		"tools/testing/selftests/bpf/config": "CONFIG_MODULES=y\nCONFIG_MODULE_SIG=y\n",
		"tools/testing/selftests/bpf/config.x86_64": "CONFIG_X86_64=y\n",
	} {
		full := filepath.Join(tree, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name    string
		config  string
		status  finding.Status
		msg     string
		details string
	}{
		{"missing, another version", "# Linux/x86 6.18.1 Kernel Configuration\nCONFIG_X86_64=y\n# CONFIG_MODULES is not set\n",
			finding.Warn, "2 of 3 options of the Linux 6.12.3 selftests config missing (1 root cause)",
			"CONFIG_MODULES is not set — hides MODULE_SIG\nthe selftests tree is Linux 6.12.3 but the kernel under test is 6.18.1: run the selftests of the same kernel"},
		{"all set, another version", "# Linux/x86 6.18.1 Kernel Configuration\nCONFIG_X86_64=y\nCONFIG_MODULES=y\nCONFIG_MODULE_SIG=y\n",
			finding.Warn, "all 3 options of the Linux 6.12.3 selftests config are set; the selftests tree is Linux 6.12.3 but the kernel under test is 6.18.1: run the selftests of the same kernel", ""},
		{"all set, same version", "# Linux/x86 6.12.7 Kernel Configuration\nCONFIG_X86_64=y\nCONFIG_MODULES=y\nCONFIG_MODULE_SIG=y\n",
			finding.Pass, "all 3 options of the Linux 6.12.3 selftests config are set", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewEnv(fakeHost(t, nil))
			withRoot(t, e, map[string]string{"/proc/sys/kernel/osrelease": "6.18.1\n", "/boot/config-6.18.1": tt.config})
			e.KernelSrc = tree
			f := runOnly(t, e, "kconfig.selftests")
			if f.Status != tt.status || f.Message != tt.msg {
				t.Fatalf("got %s %q, want %s %q", f.Status, f.Message, tt.status, tt.msg)
			}
			if !strings.Contains(strings.Join(f.Details, "\n"), tt.details) {
				t.Errorf("details:\n%s\nwant %q", strings.Join(f.Details, "\n"), tt.details)
			}
			if strings.Contains(f.Message, "missing") && !strings.Contains(strings.Join(f.Fix.Commands, " "), "--kernel-src "+tree) {
				t.Errorf("fix commands %v do not repeat --kernel-src", f.Fix.Commands)
			}
		})
	}

	e := NewEnv(fakeHost(t, nil))
	withRoot(t, e, map[string]string{"/proc/sys/kernel/osrelease": "6.18.1\n", "/boot/config-6.18.1": "CONFIG_BPF=y\n"})
	e.KernelSrc = filepath.Join(tree, "tools")
	if f := runOnly(t, e, "kconfig.selftests"); f.Status != finding.Error || !strings.Contains(f.Message, "open kernel tree") {
		t.Errorf("not a tree: %s %q", f.Status, f.Message)
	}
}

// TestKconfigFindings checks the report of kconfig diff built from a
// judged config: the fixed findings first, then one per cause.
func TestKconfigFindings(t *testing.T) {
	cfg, err := kconfig.Parse(strings.NewReader("# Linux/x86 6.12.3 Kernel Configuration\n# CONFIG_MODULES is not set\nCONFIG_NF_TABLES=m\n"), "cfg")
	if err != nil {
		t.Fatal(err)
	}
	frag, _ := kconfig.Parse(strings.NewReader("CONFIG_MODULES=y\nCONFIG_MODULE_SIG=y\nCONFIG_NF_TABLES=y\n"), "frag")
	v, _ := kver.Parse(cfg.Version)
	req := ktree.Request{Config: cfg, Kernel: v, KernelFrom: "the config's header",
		Fragments: []kconfig.Fragment{{Name: "frag", Path: "frag", Config: frag}}}
	res, err := ktree.Judge(req)
	if err != nil {
		t.Fatal(err)
	}
	fs := KconfigFindings(req, res, "cfg", "bpfdoctor kconfig fix --config cfg -o bpf-selftests.config")
	var got []string
	for _, f := range fs {
		got = append(got, f.ID+" "+f.Status.String()+" "+f.Message)
	}
	want := []string{
		"kconfig.config pass cfg (2 options, Linux 6.12.3 from the config's header)",
		"kconfig.fragments pass --fragment (frag): given with --fragment",
		"kconfig.selftests fail 3 of 3 options missing (2 root causes)",
		"kconfig.parent.MODULES fail CONFIG_MODULES is not set — probably hides MODULE_SIG (judged by name)",
		"kconfig.module fail NF_TABLES",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, f := range fs {
		if f.Area != "kconfig" || f.Title == "" {
			t.Errorf("%s: area %q title %q", f.ID, f.Area, f.Title)
		}
	}
	if c := fs[3].Fix.Commands; len(c) != 1 || c[0] != "scripts/config --keep-case -e MODULES -e MODULE_SIG" {
		t.Errorf("parent fix = %v", c)
	}
}

// kconfig.essential on this machine's real config (6.18.44, from
// /proc/config.gz), as it is and with options unset as a distribution or a
// hand-made config leaves them.
func TestKconfigEssential(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "config-6.18.44"))
	if err != nil {
		t.Fatal(err)
	}
	real := string(b)
	unset := func(syms ...string) string {
		s := real
		for _, sym := range syms {
			if !strings.Contains(s, "\nCONFIG_"+sym+"=y\n") {
				t.Fatalf("the config has no CONFIG_%s=y", sym)
			}
			s = strings.Replace(s, "\nCONFIG_"+sym+"=y\n", "\n# CONFIG_"+sym+" is not set\n", 1)
		}
		return s
	}
	tests := []struct {
		name   string
		config string
		status finding.Status
		msg    string
		fix    string
	}{
		{"as built", real, finding.Pass, "CONFIG_BPF_SYSCALL, BPF, DEBUG_INFO_BTF and BPF_JIT are set", ""},
		{"no bpf syscall", unset("BPF_SYSCALL"), finding.Fail, "CONFIG_BPF_SYSCALL is not set: no bpf(2) system call: no program or map loads", "scripts/config --keep-case -e BPF_SYSCALL"},
		{"no BTF line at all", strings.Replace(real, "\nCONFIG_DEBUG_INFO_BTF=y\n", "\n", 1), finding.Fail, "CONFIG_DEBUG_INFO_BTF is absent: no kernel BTF (/sys/kernel/btf/vmlinux): no CO-RE", "-e DEBUG_INFO_BTF"},
		{"jit and syscall, syscall first", unset("BPF_JIT", "BPF_SYSCALL"), finding.Fail,
			"CONFIG_BPF_SYSCALL is not set: no bpf(2) system call: no program or map loads; CONFIG_BPF_JIT is not set: no JIT", "scripts/config --keep-case -e BPF_SYSCALL -e BPF_JIT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewEnv(fakeHost(t, nil))
			withRoot(t, e, map[string]string{"/proc/sys/kernel/osrelease": "6.18.44\n", "/boot/config-6.18.44": tt.config})
			f := runOnly(t, e, "kconfig.essential")
			if f.Status != tt.status || !strings.Contains(f.Message, tt.msg) {
				t.Errorf("got %s %q, want %s containing %q", f.Status, f.Message, tt.status, tt.msg)
			}
			if tt.fix != "" && (f.Fix == nil || len(f.Fix.Commands) != 1 || !strings.Contains(f.Fix.Commands[0], tt.fix)) {
				t.Errorf("fix = %+v, want a command containing %q", f.Fix, tt.fix)
			}
			if tt.status == finding.Fail && f.Fix != nil && strings.Contains(f.Message, "DEBUG_INFO_BTF") && !strings.Contains(f.Fix.Text, "pahole >= 1.16") {
				t.Errorf("fix text %q does not say what DEBUG_INFO_BTF needs", f.Fix.Text)
			}
		})
	}
	// The selftests' list still has BPF_SYSCALL, but after this finding.
	var ids []string
	for _, c := range All() {
		if c.Area == "kconfig" {
			ids = append(ids, c.ID)
		}
	}
	if len(ids) < 2 || ids[0] != "kconfig.essential" || ids[1] != "kconfig.selftests" {
		t.Errorf("kconfig checks = %v, want kconfig.essential first", ids)
	}
}
