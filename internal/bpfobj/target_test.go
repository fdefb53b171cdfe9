package bpfobj

import (
	"maps"
	"path/filepath"
	"strings"
	"testing"

	"github.com/Masterminds/semver/v3"

	"github.com/bpfdoctor/bpfdoctor/internal/kver"
)

func corpus(t *testing.T, name string) *Object {
	t.Helper()
	o, err := Open(filepath.Join("testdata", "corpus", name+".o"))
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// TestProblemsForTarget judges the corpus (scripts/build-lint-corpus.sh)
// for machines old and new: the verdicts that depend on the kernel and
// libbpf change with them, and each message says where the object loads.
func TestProblemsForTarget(t *testing.T) {
	le := func(k string, lib string) Target {
		kv, _ := kver.Parse(k)
		tg := Target{Kernel: kv, LittleEndian: true}
		if lib != "" {
			tg.Libbpf = semver.MustParse(lib)
		}
		return tg
	}
	this := le("6.18", "1.1.0") // this CI machine: Debian 12's libbpf on 6.18
	tests := []struct {
		obj    string
		target Target
		want   map[Pitfall]Level
		in     map[Pitfall]string
	}{
		// Byte order: libbpf refuses the other one outright.
		{"plain-llvm19-bpfeb", this, map[Pitfall]Level{ByteOrder: Fail}, map[Pitfall]string{ByteOrder: "endianness mismatch"}},
		{"plain-llvm19-bpfeb", Target{Kernel: this.Kernel, Libbpf: this.Libbpf, LittleEndian: false}, map[Pitfall]Level{}, nil},
		{"plain-llvm19-bpf-g", Target{LittleEndian: false}, map[Pitfall]Level{ByteOrder: Fail}, map[Pitfall]string{ByteOrder: "big-endian machine"}},
		// No BTF: a warning unless the object has what needs BTF.
		{"plain-llvm19-bpf-nog", this, map[Pitfall]Level{NoBTF: Warn}, nil},
		{"xdp_switch-llvm14-bpf-nog", this, map[Pitfall]Level{NoBTF: Warn}, nil},
		{"maps-llvm19-bpf-nog", this, map[Pitfall]Level{NoBTF: Fail}, map[Pitfall]string{NoBTF: "BTF-defined maps (.maps)"}},
		{"ksym-llvm22-bpf-nog", this, map[Pitfall]Level{NoBTF: Fail}, map[Pitfall]string{NoBTF: "extern functions (kfuncs)"}},
		// BPF jump tables: libbpf >= 1.7 and kernel >= 6.19.
		{"xdp_switch-llvm22-bpf-v4", this, map[Pitfall]Level{BPFJumpTables: Fail}, map[Pitfall]string{BPFJumpTables: "refused by libbpf < 1.7"}},
		{"xdp_switch-llvm22-bpf-v4", le("6.19", "1.1.0"), map[Pitfall]Level{BPFJumpTables: Fail}, map[Pitfall]string{BPFJumpTables: "refused by libbpf < 1.7"}},
		{"xdp_switch-llvm22-bpf-v4", le("6.18", "1.7.0"), map[Pitfall]Level{BPFJumpTables: Fail}, map[Pitfall]string{BPFJumpTables: "before Linux 6.19 has no gotox"}},
		{"xdp_switch-llvm22-bpf-v4", le("6.19", "1.7.0"), map[Pitfall]Level{BPFJumpTables: Info}, map[Pitfall]string{BPFJumpTables: "kernel >= 6.19, libbpf >= 1.7"}},
		{"xdp_switch-llvm22-bpf-v4", le("6.19", ""), map[Pitfall]Level{BPFJumpTables: Warn}, map[Pitfall]string{BPFJumpTables: "does not say"}},
		{"xdp_switch-llvm19-bpf-v4", this, map[Pitfall]Level{}, nil}, // LLVM 19 has no .jumptables
		// Switch lookup tables: global data, kernel >= 5.2.
		{"xdp_switch-llvm19-native", this, map[Pitfall]Level{JumpTable: Info, EHFrame: Warn}, map[Pitfall]string{JumpTable: "loads on kernels >= 5.2"}},
		{"xdp_switch-llvm19-native", le("5.2", "0.0.3"), map[Pitfall]Level{JumpTable: Info, EHFrame: Warn}, nil},
		{"xdp_switch-llvm19-native", le("4.19", "1.1.0"), map[Pitfall]Level{JumpTable: Fail, EHFrame: Warn}, map[Pitfall]string{JumpTable: "global data needs kernel >= 5.2"}},
		{"xdp_switch-llvm14-native", le("5.10", "0.0.2"), map[Pitfall]Level{JumpTable: Fail, EHFrame: Warn}, map[Pitfall]string{JumpTable: "refused on kernel 5.10"}},
		{"xdp_switch-llvm22-native", Target{LittleEndian: true}, map[Pitfall]Level{JumpTable: Warn, EHFrame: Warn}, map[Pitfall]string{JumpTable: "does not say"}},
		{"xdp_switch-llvm22-native-nojt", le("4.19", "0.0.2"), map[Pitfall]Level{EHFrame: Warn}, nil},
		// 32-bit: a .maps definition's pointers do not count; long does.
		{"kprobe-llvm19-m32", this, map[Pitfall]Level{Bits32: Fail, EHFrame: Warn}, map[Pitfall]string{Bits32: "long is 4 bytes"}},
		{"maps-llvm19-m32", this, map[Pitfall]Level{Bits32: Fail, EHFrame: Warn}, nil},
		{"kprobe-llvm22-bpf-g", le("4.19", "0.0.2"), map[Pitfall]Level{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.obj+" for "+tt.target.String(), func(t *testing.T) {
			ps := corpus(t, tt.obj).ProblemsFor(tt.target)
			for _, p := range ps {
				t.Logf("%s %s: %s", p.Level, p.Pitfall, p.Message)
			}
			if got := levels(ps); !maps.Equal(got, tt.want) {
				t.Errorf("problems = %v, want %v", got, tt.want)
			}
			for pf, s := range tt.in {
				if m := problem(ps, pf).Message; !strings.Contains(m, s) {
					t.Errorf("%s says %q, want it to say %q", pf, m, s)
				}
			}
		})
	}
}

// TestMapDefinitionPointers: the 4-byte pointers of a -m32 .maps
// definition are a note, not the 32-bit evidence; long still is.
func TestMapDefinitionPointers(t *testing.T) {
	o := corpus(t, "maps-llvm22-m32")
	p := problem(o.Problems(), Bits32)
	if strings.Contains(p.Message, "pointers are 4 bytes") {
		t.Errorf("32-bit says %q: the only 4-byte pointers are the .maps definition's", p.Message)
	}
	if !strings.Contains(p.Message, "long is 4 bytes") {
		t.Errorf("32-bit says %q, want long is 4 bytes", p.Message)
	}
	if !strings.Contains(strings.Join(o.Notes, "\n"), "in a .maps definition") {
		t.Errorf("notes %q do not mention the .maps definition", o.Notes)
	}
}
