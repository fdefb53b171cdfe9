package bpfobj

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
