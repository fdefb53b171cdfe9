package kconfig

import (
	"path/filepath"
	"testing"
)

// The fragments are copies of tools/testing/selftests/bpf/config* from the
// kernel; counts were taken with grep -c '^CONFIG_\|^# CONFIG_.* is not set'.
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
			path := filepath.Join("testdata", "selftests-config", filepath.FromSlash(tt.file))
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
	cfg, err := Load(filepath.Join("testdata", "selftests-config", "v6.1", "config"))
	if err != nil {
		t.Fatal(err)
	}
	for _, sym := range []string{"NETKIT", "DEBUG_INFO_BTF", "BPF_UNPRIV_DEFAULT_OFF"} {
		if _, ok := cfg.Lookup(sym); ok {
			t.Errorf("v6.1/config has %s, want it absent", sym)
		}
	}
}
