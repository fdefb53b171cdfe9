/* Self-contained: the corpus builds with no kernel or libbpf headers, so
 * every compiler and target (-m32 included) sees the same source. */
#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) __typeof__(val) *name
#define __ksym __attribute__((section(".ksyms")))

typedef unsigned int __u32;
typedef unsigned long long __u64;

static long (*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static __u64 (*bpf_ktime_get_ns)(void) = (void *)5;
static __u32 (*bpf_get_prandom_u32)(void) = (void *)7;

char LICENSE[] SEC("license") = "GPL";
