/* Plain: no maps, no externs, nothing that needs BTF. */
#include "common.h"

SEC("xdp") int xdp_plain(void *ctx)
{
	return bpf_ktime_get_ns() & 1 ? 2 : 1;
}
