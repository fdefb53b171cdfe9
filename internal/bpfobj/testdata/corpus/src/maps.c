/* A BTF-defined map in .maps: libbpf reads its definition from BTF. */
#include "common.h"

#define BPF_MAP_TYPE_ARRAY 2

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

SEC("xdp") int xdp_count(void *ctx)
{
	__u32 k = 0;
	__u64 *v = (__u64 *)bpf_map_lookup_elem(&counts, &k);

	if (v)
		*v += 1;
	return 2;
}
