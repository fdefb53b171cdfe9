package bpfobj

import (
	"debug/elf"
	"fmt"

	"github.com/Masterminds/semver/v3"

	"github.com/bpfdoctor/bpfdoctor/internal/kver"
)

// Target is the machine a verdict is judged for: its kernel and the libbpf
// that loads the object there. Some pitfalls depend on it: an object with
// a switch table loads where the kernel and loader have global data, and
// BPF jump tables load only with a new enough libbpf and kernel.
type Target struct {
	// Name labels the target in a report: "this host", "kernel 5.4".
	Name string
	// Kernel is the kernel release; zero when unknown.
	Kernel kver.Version
	// Libbpf is the loader's libbpf; nil when unknown.
	Libbpf *semver.Version
	// LittleEndian is the machine's byte order.
	LittleEndian bool
	// BTF is the kernel's BTF kfuncs are looked up in for this target;
	// nil: the BTF the caller names for every target.
	BTF *Kernel
}

// Thresholds of the target-dependent verdicts.
var (
	// Global data (.data, .rodata, .bss as array maps, read through
	// BPF_PSEUDO_MAP_VALUE) is Linux 5.2's, commit d8eca5bbb2be ("bpf:
	// implement lookup-free direct value access for maps"); libbpf's
	// support came in the same cycle, commit d859900c4c56 ("bpf, libbpf:
	// support global data/bss/rodata sections"), first in libbpf v0.0.3.
	globalDataKernel = kver.Version{Major: 5, Minor: 2}
	globalDataLibbpf = semver.MustParse("0.0.3")
	// gotox, the indirect jump LLVM 22 emits at -mcpu=v4 for .jumptables,
	// is Linux 6.19's (the "BPF indirect jumps" series, merged for 6.19).
	gotoxKernel = kver.Version{Major: 6, Minor: 19}
	// libbpf reads .jumptables from the same series ("libbpf: support
	// llvm-generated indirect jumps"), which shipped in libbpf v1.7: the
	// release is from memory of libbpf's history, not confirmed against
	// its release notes. libbpf 1.1 here refuses such an object with
	// "bad map relo against 'BPF.JT.0.0'" (seen in the corpus test).
	jumpTablesLibbpf = semver.MustParse("1.7.0")
)

// HostTarget is the target of a machine with this kernel and libbpf and
// the byte order bpfdoctor runs on.
func HostTarget(name string, kernel kver.Version, libbpf *semver.Version) Target {
	return Target{Name: name, Kernel: kernel, Libbpf: libbpf, LittleEndian: hostData() == elf.ELFDATA2LSB}
}

// String names the target with its kernel and libbpf.
func (t Target) String() string {
	k, l := "kernel ?", "libbpf ?"
	if !t.Kernel.IsZero() {
		k = "kernel " + t.Kernel.String()
	}
	if t.Libbpf != nil {
		l = fmt.Sprintf("libbpf %d.%d", t.Libbpf.Major(), t.Libbpf.Minor())
	}
	if t.Name == "" {
		return k + ", " + l
	}
	return fmt.Sprintf("%s (%s, %s)", t.Name, k, l)
}

// tristate is a target's support of a feature: known yes, known no, or
// unknown (a kernel or libbpf version not given).
type tristate int

const (
	unknown tristate = iota
	yes
	no
)

func (t Target) kernelAtLeast(v kver.Version) tristate {
	switch {
	case t.Kernel.IsZero():
		return unknown
	case t.Kernel.Compare(v) >= 0:
		return yes
	}
	return no
}

func (t Target) libbpfAtLeast(v *semver.Version) tristate {
	switch {
	case t.Libbpf == nil:
		return unknown
	case !t.Libbpf.LessThan(v):
		return yes
	}
	return no
}

func and(a, b tristate) tristate {
	switch {
	case a == no || b == no:
		return no
	case a == yes && b == yes:
		return yes
	}
	return unknown
}

// GlobalData reports whether the target's kernel and libbpf both load
// global data; unknown counts as no.
func (t Target) GlobalData() bool {
	return and(t.kernelAtLeast(globalDataKernel), t.libbpfAtLeast(globalDataLibbpf)) == yes
}

// ProblemsFor returns Problems judged for t: the byte order against t's,
// switch tables against its global data, BPF jump tables against its
// libbpf and kernel. Each message says where the object loads.
func (o *Object) ProblemsFor(t Target) []Problem {
	if !o.IsBPF() || len(o.problems) > 0 && o.problems[0].Pitfall == NotBPF {
		return o.Problems()
	}
	var out []Problem
	// The byte order is judged here whole: the object's against the
	// target's, not the host's.
	if (o.Data == elf.ELFDATA2LSB) != t.LittleEndian {
		out = append(out, Problem{Pitfall: ByteOrder, Level: Fail,
			Message: fmt.Sprintf("%s object for a %s machine: libbpf refuses it (\"elf: endianness mismatch\"), as does every loader", endian(o.Data), endianOf(t.LittleEndian))})
	}
	for _, p := range o.problems {
		switch {
		case p.Pitfall == ByteOrder:
			continue
		case p.Pitfall == JumpTable && p.kind == lookupTable:
			switch and(t.kernelAtLeast(globalDataKernel), t.libbpfAtLeast(globalDataLibbpf)) {
			case yes:
				p.Level = Info
				p.Message += "; it loads on kernels >= 5.2 with libbpf's global data, as " + t.String() + " has"
			case no:
				p.Level = Fail
				p.Message += "; refused on " + t.String() + ": global data needs kernel >= 5.2 and libbpf >= 0.0.3"
			default:
				p.Level = Warn
				p.Message += "; it loads only on kernels >= 5.2 with libbpf >= 0.0.3 (global data), and " + t.String() + " does not say"
			}
		case p.Pitfall == BPFJumpTables:
			lib, kern := t.libbpfAtLeast(jumpTablesLibbpf), t.kernelAtLeast(gotoxKernel)
			switch and(lib, kern) {
			case yes:
				p.Level = Info
				p.Message = "BPF jump tables (.jumptables, gotox): LLVM's indirect jumps for cpu v4, which " + t.String() + " loads (kernel >= 6.19, libbpf >= 1.7)"
			case no:
				p.Level = Fail
				var why []string
				if lib == no {
					why = append(why, "refused by libbpf < 1.7 (\"bad map relo against 'BPF.JT.0.0'\")")
				}
				if kern == no {
					why = append(why, "the verifier before Linux 6.19 has no gotox")
				}
				p.Message = fmt.Sprintf("BPF jump tables (.jumptables, gotox) on %s: %s; they load only with libbpf >= 1.7 on kernels >= 6.19 (x86-64 and arm64)", t, joinAnd(why))
			default:
				p.Level = Warn
				p.Message = "BPF jump tables (.jumptables, gotox): they load only with libbpf >= 1.7 on kernels >= 6.19 (x86-64 and arm64), and " + t.String() + " does not say which it has"
			}
		}
		out = append(out, p)
	}
	return out
}

func endianOf(little bool) string {
	if little {
		return "little-endian"
	}
	return "big-endian"
}

func joinAnd(s []string) string {
	if len(s) == 2 {
		return s[0] + ", and " + s[1]
	}
	if len(s) == 1 {
		return s[0]
	}
	return ""
}
