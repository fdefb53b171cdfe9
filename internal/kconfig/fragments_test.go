package kconfig

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/bpfdoctor/bpfdoctor/internal/kver"
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
		{"mainline-v6.17/config", 123, []want{
			{"BPF_SYSCALL", Tristate, "y", 11},
			{"BPF_UNPRIV_DEFAULT_OFF", NotSet, "n", 12},
			{"DEBUG_INFO_BTF", Tristate, "y", 23},
			{"NETKIT", Tristate, "y", 88},
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
	if got := strings.Join(names, " "); got != "v6.1 v6.12 mainline-v6.17" {
		t.Fatalf("EmbeddedSets() = %s", got)
	}
}

func TestChooseEmbedded(t *testing.T) {
	tests := []struct {
		kernel string
		want   string
		why    string
	}{
		{"6.18.44", "mainline-v6.17", "newest built-in set not newer than Linux 6.18.44"},
		{"7.0", "mainline-v6.17", "not newer"},
		{"6.17.2", "mainline-v6.17", "the set of Linux 6.17 itself"},
		{"6.16", "v6.12", "not newer than Linux 6.16"},
		{"6.12.117", "v6.12", "the set of Linux 6.12 itself"},
		{"6.11.4", "v6.1", "not newer"},
		{"6.1.0", "v6.1", "itself"},
		{"5.15.0", "v6.1", "older than every built-in set"},
		{"", "mainline-v6.17", "kernel version is unknown"},
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
	for in, want := range map[string]string{"6.12": "v6.12", "v6.12": "v6.12", "6.12.117": "v6.12", "mainline": "mainline-v6.17",
		"mainline-v6.17": "mainline-v6.17", "6.17": "mainline-v6.17", "6.1": "v6.1"} {
		e, err := LookupEmbedded(in)
		if err != nil || e.Name != want {
			t.Errorf("LookupEmbedded(%q) = %s, %v; want %s", in, e.Name, err, want)
		}
	}
	if _, err := LookupEmbedded("5.4"); err == nil || !strings.Contains(err.Error(), "built in: 6.1, 6.12, mainline-v6.17") {
		t.Errorf("LookupEmbedded(5.4) err = %v", err)
	}
}

func TestEmbeddedLoad(t *testing.T) {
	x86, _ := LookupArch("x86_64")
	arm, _ := LookupArch("aarch64")
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
		{"mainline", &x86, false, "config", "config.x86_64", 123},
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
