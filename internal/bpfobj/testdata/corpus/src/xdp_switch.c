/* An XDP program with a big switch: the native target turns it into a
 * lookup table in .rodata, LLVM 22 at -mcpu=v4 into .jumptables (BPF's
 * jump tables need 13 or more cases; this has 24). */
#include "common.h"

struct xdp_md {
	__u32 data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex;
};

SEC("xdp") int xdp_switch(struct xdp_md *ctx)
{
	unsigned char *d = (unsigned char *)(long)ctx->data;
	unsigned char *end = (unsigned char *)(long)ctx->data_end;
	unsigned int x;

	if (d + 2 > end)
		return 2;
	x = d[1];
	switch (d[0]) {
	case 0: x = x * 3 + bpf_get_prandom_u32() + 0; break;
	case 1: x = x * 4 + bpf_get_prandom_u32() + 7; break;
	case 2: x = x * 5 + bpf_get_prandom_u32() + 14; break;
	case 3: x = x * 6 + bpf_get_prandom_u32() + 21; break;
	case 4: x = x * 7 + bpf_get_prandom_u32() + 28; break;
	case 5: x = x * 8 + bpf_get_prandom_u32() + 35; break;
	case 6: x = x * 9 + bpf_get_prandom_u32() + 42; break;
	case 7: x = x * 10 + bpf_get_prandom_u32() + 49; break;
	case 8: x = x * 11 + bpf_get_prandom_u32() + 56; break;
	case 9: x = x * 12 + bpf_get_prandom_u32() + 63; break;
	case 10: x = x * 13 + bpf_get_prandom_u32() + 70; break;
	case 11: x = x * 14 + bpf_get_prandom_u32() + 77; break;
	case 12: x = x * 15 + bpf_get_prandom_u32() + 84; break;
	case 13: x = x * 16 + bpf_get_prandom_u32() + 91; break;
	case 14: x = x * 17 + bpf_get_prandom_u32() + 98; break;
	case 15: x = x * 18 + bpf_get_prandom_u32() + 105; break;
	case 16: x = x * 19 + bpf_get_prandom_u32() + 112; break;
	case 17: x = x * 20 + bpf_get_prandom_u32() + 119; break;
	case 18: x = x * 21 + bpf_get_prandom_u32() + 126; break;
	case 19: x = x * 22 + bpf_get_prandom_u32() + 133; break;
	case 20: x = x * 23 + bpf_get_prandom_u32() + 140; break;
	case 21: x = x * 24 + bpf_get_prandom_u32() + 147; break;
	case 22: x = x * 25 + bpf_get_prandom_u32() + 154; break;
	case 23: x = x * 26 + bpf_get_prandom_u32() + 161; break;
	default: return 1;
	}
	return x & 3;
}

/* A switch that only picks a value: the native target makes it a lookup
 * table of constants (@switch.table) in .rodata. */
SEC("xdp") int xdp_lookup(struct xdp_md *ctx)
{
	unsigned char *d = (unsigned char *)(long)ctx->data;
	unsigned char *end = (unsigned char *)(long)ctx->data_end;

	if (d + 1 > end)
		return 2;
	switch (d[0]) {
	case 0: return 2;
	case 1: return 1;
	case 2: return 3;
	case 3: return 2;
	case 4: return 1;
	case 5: return 3;
	case 6: return 2;
	case 7: return 3;
	default: return 1;
	}
}
