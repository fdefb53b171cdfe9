package bpfobj

import (
	"debug/elf"
	"fmt"
)

// SwitchProbe is a BPF program that shows every build pitfall there is to
// see: an 8-case switch, which clang's native target turns into a lookup
// table in .rodata.cst32, and a struct whose layout shows 32-bit long and
// pointers. It has no includes, so it builds without kernel or libc
// headers. clang.pitfalls compiles it with the user's clang, and the tests
// with the real one.
const SwitchProbe = `/* bpfdoctor pitfall probe */
struct bpfdoctor_ctx { unsigned int data; unsigned int data_end; };
struct bpfdoctor_layout { long l; void *p; int i; };

char _license[] __attribute__((section("license"), used)) = "GPL";

__attribute__((section("xdp"), used))
int bpfdoctor_pitfalls(struct bpfdoctor_ctx *ctx)
{
	struct bpfdoctor_layout v = { ctx->data_end, ctx, 2 };

	switch (ctx->data) {
	case 0: return 13;
	case 1: return 2;
	case 2: return 41;
	case 3: return 7;
	case 4: return 97;
	case 5: return 5;
	case 6: return 61;
	case 7: return 29;
	}
	return v.i + (int)v.l + (v.p != 0);
}
`

// ProbeArgs returns the clang arguments that compile srcPath to the BPF
// object outPath, as the selftests do: --target=bpf (not the native target,
// which can add jump tables and .eh_frame), -O2 (the verifier rejects -O0
// code) and -g (which makes clang emit .BTF and .BTF.ext).
func ProbeArgs(srcPath, outPath string) []string {
	return []string{"--target=bpf", "-O2", "-g", "-c", srcPath, "-o", outPath}
}

// ProbeProblems lists, as lines for a human, what an object built with
// ProbeArgs lacks: it is empty when the object is what the kernel loads
// (IsBPF) and carries .BTF and .BTF.ext. Unlike Problems, it names each
// half of IsBPF that fails and both BTF sections, so one line tells a user
// everything clang got wrong.
func (o *Object) ProbeProblems() []string {
	var p []string
	if o.Machine != elf.EM_BPF {
		p = append(p, fmt.Sprintf("machine is %s, not EM_BPF: clang did not compile for --target=bpf", o.Machine))
	}
	if o.Class != elf.ELFCLASS64 {
		p = append(p, fmt.Sprintf("class is %s, not ELFCLASS64: BPF objects are 64-bit", o.Class))
	}
	if !o.HasSection(".BTF") {
		p = append(p, "no .BTF section: clang emitted no BTF (needs -g); libbpf cannot use BTF-defined maps or CO-RE")
	}
	if !o.HasSection(".BTF.ext") {
		p = append(p, "no .BTF.ext section: no func/line info or CO-RE relocations (needs -g)")
	}
	return p
}
