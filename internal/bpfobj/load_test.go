package bpfobj

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cilium/ebpf"

	"github.com/bpfdoctor/bpfdoctor/internal/host"
	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
)

const loadHeader = `
char _license[] __attribute__((section("license"), used)) = "GPL";
struct xdp_md { unsigned int data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex; };
#define SEC(s) __attribute__((section(s), used))
`

// xdpPass is a valid XDP program.
const xdpPass = loadHeader + `
SEC("xdp") int pass(struct xdp_md *c) { return 2; }
`

// xdpOOB reads the packet without a bounds check: the verifier refuses it.
const xdpOOB = loadHeader + `
SEC("xdp") int oob(struct xdp_md *c)
{
	unsigned char *p = (unsigned char *)(long)c->data;
	return p[0] == 1 ? 1 : 2;
}
`

// xdpMap uses a BTF-defined map, as libbpf's bpf_helpers.h declares them.
const xdpMap = loadHeader + `
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
struct {
	__uint(type, 2); /* BPF_MAP_TYPE_ARRAY */
	__uint(max_entries, 4);
	__type(key, int);
	__type(value, long);
} counts SEC(".maps");
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;

SEC("xdp") int count(struct xdp_md *c)
{
	int k = 0;
	long *v = bpf_map_lookup_elem(&counts, &k);
	if (v)
		__sync_fetch_and_add(v, 1);
	return 2;
}
`

// fentryMissing traces a function no kernel has.
const fentryMissing = loadHeader + `
SEC("fentry/bpfdoctor_no_such_function") int trace(void *ctx) { return 0; }
`

// kprobeSrc is a tracing program: it needs CAP_PERFMON.
const kprobeSrc = loadHeader + `
SEC("kprobe/do_unlinkat") int probe(void *ctx) { return 0; }
`

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		testkit.Missing(t, "loading BPF programs needs root")
	}
}

// rootCaps is CapEff of the test process, read the way lint --load reads it.
func rootCaps(t *testing.T) uint64 {
	t.Helper()
	caps, err := host.Real().EffectiveCaps()
	if err != nil {
		t.Fatal(err)
	}
	return caps
}

func loadOne(t *testing.T, l *Loader, path string) LoadResult {
	t.Helper()
	obj, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	rs := l.Load(context.Background(), path, obj)
	if len(rs) != 1 {
		t.Fatalf("Load(%s) = %+v, want one result", path, rs)
	}
	return rs[0]
}

func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

func TestLoadReal(t *testing.T) {
	requireRoot(t)
	l := NewLoader(rootCaps(t))
	flags := []string{"--target=bpf", "-O2", "-g"}

	t.Run("valid", func(t *testing.T) {
		r := loadOne(t, l, build(t, xdpPass, false, flags...))
		if r.Verdict != Loaded || r.Program != "pass" || r.Type != ebpf.XDP.String() {
			t.Fatalf("valid XDP: %+v", r)
		}
	})
	t.Run("verifier", func(t *testing.T) {
		r := loadOne(t, l, build(t, xdpOOB, false, flags...))
		if r.Verdict != Refused || !strings.Contains(r.Reason, "outside of the packet") {
			t.Fatalf("out-of-bounds read: %+v", r)
		}
		if len(r.Log) == 0 {
			t.Fatalf("no verifier log: %+v", r)
		}
	})
	t.Run("btf map", func(t *testing.T) {
		obj := build(t, xdpMap, false, flags...)
		before := openFDs(t)
		for range 3 {
			if r := loadOne(t, l, obj); r.Verdict != Loaded {
				t.Fatalf("BTF map: %+v", r)
			}
		}
		if after := openFDs(t); after != before {
			t.Fatalf("open fds: %d before, %d after: maps or programs leaked", before, after)
		}
	})
	t.Run("big-endian", func(t *testing.T) {
		r := loadOne(t, l, build(t, xdpPass, false, "--target=bpfeb", "-O2", "-g"))
		if r.Verdict != Refused || r.Pitfall != ByteOrder || r.Reason == "" {
			t.Fatalf("big-endian: %+v", r)
		}
	})
	t.Run("fentry target", func(t *testing.T) {
		r := loadOne(t, l, build(t, fentryMissing, false, flags...))
		if r.Verdict != Refused || !strings.Contains(r.Reason, "bpfdoctor_no_such_function") {
			t.Fatalf("fentry without a target: %+v", r)
		}
	})
	t.Run("no file", func(t *testing.T) {
		r := l.Load(context.Background(), "x", nil)
		if len(r) != 1 || r[0].Verdict != Refused || r[0].Program != "" {
			t.Fatalf("no such file: %+v", r)
		}
	})
}

// TestLoadHostile loads truncated and patched copies of real objects: each
// is refused or loaded, never a panic.
func TestLoadHostile(t *testing.T) {
	requireRoot(t)
	l := NewLoader(rootCaps(t))
	good, err := os.ReadFile(filepath.Join("testdata", "probe-clang14.bpf.o"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var cases [][]byte
	for _, n := range []int{0, 16, 64, len(good) / 3, len(good) / 2, len(good) - 1} {
		cases = append(cases, good[:n])
	}
	for off := 0; off < len(good); off += len(good) / 40 {
		b := append([]byte(nil), good...)
		for i := off; i < off+8 && i < len(b); i++ {
			b[i] ^= 0xff
		}
		cases = append(cases, b)
	}
	before := openFDs(t)
	for i, b := range cases {
		p := filepath.Join(dir, "bad.o")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		obj, _ := Read(strings.NewReader(string(b)))
		for _, r := range l.Load(context.Background(), p, obj) {
			if r.Verdict == Refused && r.Reason == "" {
				t.Fatalf("case %d: refused without a reason: %+v", i, r)
			}
		}
	}
	if after := openFDs(t); after != before {
		t.Fatalf("open fds: %d before, %d after", before, after)
	}
}

// TestLoadUnprivileged reads CapEff from a fake /proc/self/status: no load
// is tried, and the skip names the capability that is missing.
func TestLoadUnprivileged(t *testing.T) {
	xdp := filepath.Join("testdata", "probe-clang14.bpf.o")
	for _, c := range []struct {
		capEff string
		obj    string
		want   []string
	}{
		{"0000000000000000", xdp, []string{"CAP_BPF", "CAP_NET_ADMIN"}},
		{"0000008000001000", xdp, nil}, // CAP_BPF, CAP_NET_ADMIN
		{"0000008000000000", "kprobe", []string{"CAP_PERFMON"}},
		{"0000000000200000", "kprobe", nil}, // CAP_SYS_ADMIN
	} {
		h := testkit.Fake{Files: map[string]string{"/proc/self/status": "Name:\tbpfdoctor\nCapEff:\t" + c.capEff + "\n"}}.Host(t)
		caps, err := h.EffectiveCaps()
		if err != nil {
			t.Fatal(err)
		}
		if c.obj == "kprobe" {
			if got := MissingCaps(caps, ebpf.Kprobe); strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("CapEff %s, kprobe: missing %q, want %q", c.capEff, got, c.want)
			}
			continue
		}
		if c.want == nil {
			continue
		}
		obj, err := Open(c.obj)
		if err != nil {
			t.Fatal(err)
		}
		rs := NewLoader(caps).Load(context.Background(), c.obj, obj)
		if len(rs) == 0 {
			t.Fatalf("no results for %s", c.obj)
		}
		for _, r := range rs {
			if r.Verdict != Skipped || strings.Join(r.Missing, ",") != strings.Join(c.want, ",") || !strings.Contains(r.Reason, "CAP_BPF") {
				t.Errorf("CapEff %s: %+v, want a skip missing %q", c.capEff, r, c.want)
			}
		}
	}
}

// TestLoadKprobeNeedsPerfmon builds a kprobe program and loads it with
// CAP_BPF alone: skipped for CAP_PERFMON, no load tried.
func TestLoadKprobeNeedsPerfmon(t *testing.T) {
	obj := build(t, kprobeSrc, false, "--target=bpf", "-O2", "-g")
	r := loadOne(t, NewLoader(1<<CapBPF), obj)
	if r.Verdict != Skipped || strings.Join(r.Missing, ",") != "CAP_PERFMON" {
		t.Fatalf("kprobe with CAP_BPF only: %+v", r)
	}
}

func TestVerifierLine(t *testing.T) {
	log := []string{"0: R1=ctx() R10=fp0", "; return p[0]", "1: (71) r1 = *(u8 *)(r2 +0)", "invalid access to packet, off=0 size=1, R2(id=0,off=0,r=0)",
		"R2 offset is outside of the packet", "processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0", ""}
	if got := verifierLine(log); got != "R2 offset is outside of the packet" {
		t.Fatalf("verifierLine = %q", got)
	}
}

func BenchmarkOpen(b *testing.B) {
	p := filepath.Join("testdata", "probe-clang14.bpf.o")
	for b.Loop() {
		if _, err := Open(p); err != nil {
			b.Fatal(err)
		}
	}
}
