/* A kprobe reading pt_regs: with -m32 long is 4 bytes and the offsets are
 * the i386 ones, so it reads the wrong slots of the x86-64 pt_regs. */
#include "common.h"

struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	unsigned long ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
};

SEC("kprobe/do_sys_openat2") int kprobe_open(struct pt_regs *ctx)
{
	return ctx->di == ctx->si;
}
