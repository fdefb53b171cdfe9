package checks

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/cilium/ebpf"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"
	"github.com/bpfdoctor/bpfdoctor/internal/host"
	"github.com/bpfdoctor/bpfdoctor/internal/kver"
	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
)

// fakeKernel answers the probes as a mainline kernel of release rel
// would: what came later is ebpf.ErrNotSupported. With refuse, every
// probe fails as an unprivileged load does.
func fakeKernel(t *testing.T, rel string, refuse error) prober {
	t.Helper()
	v, ok := kver.Parse(rel)
	if !ok {
		t.Fatalf("bad release %q", rel)
	}
	by := func(since string) error {
		if refuse != nil {
			return fmt.Errorf("load program: %w", refuse)
		}
		s, _ := kver.Parse(since)
		if !v.AtLeast(s.Major, s.Minor) {
			return fmt.Errorf("fake %s: %w", since, ebpf.ErrNotSupported)
		}
		return nil
	}
	return prober{
		program: func(pt ebpf.ProgramType) error {
			for _, w := range wantPrograms {
				if w.t == pt {
					return by(w.since)
				}
			}
			return fmt.Errorf("no fake for %v", pt)
		},
		mapType: func(mt ebpf.MapType) error {
			for _, w := range wantMaps {
				if w.t == mt {
					return by(w.since)
				}
			}
			return fmt.Errorf("no fake for %v", mt)
		},
		btf:        func() error { return by("4.18") },
		globalData: func() error { return by("5.2") },
		loops:      func() error { return by("5.3") },
		isa:        func(level int) error { return by(isaSince[level]) },
	}
}

const (
	rootCaps = "Name:\tx\nCapEff:\t000001ffffffffff\n"
	noCaps   = "Name:\tx\nCapEff:\t0000000000000000\n"
)

// fakeClang is a clang of the given version on the fake PATH.
func fakeClang(version string) map[string]string {
	return map[string]string{"clang": fmt.Sprintf("echo 'clang version %s'; echo 'Target: x86_64-pc-linux-gnu'\n", version)}
}

func TestFeatureChecksFaked(t *testing.T) {
	tests := []struct {
		name   string
		rel    string
		caps   string
		refuse error
		clang  map[string]string
		want   map[string]finding.Status
		msgs   map[string]string
	}{
		{name: "6.6 root", rel: "6.6.0", caps: rootCaps, clang: fakeClang("20.1.2"),
			want: map[string]finding.Status{"features.programs": finding.Pass, "features.maps": finding.Pass, "features.btf": finding.Pass,
				"features.global-data": finding.Pass, "features.loops": finding.Pass, "features.isa": finding.Pass},
			msgs: map[string]string{"features.isa": "this kernel takes -mcpu=v4; clang 20's default, -mcpu=v3, fits",
				"features.programs": "loads socket filter, kprobe, tc (sched_cls), tracepoint, XDP, fentry (tracing), LSM programs"}},
		{name: "5.4 no ringbuf, no LSM", rel: "5.4.0", caps: rootCaps, clang: fakeClang("14.0.6"),
			want: map[string]finding.Status{"features.programs": finding.Warn, "features.maps": finding.Warn, "features.btf": finding.Pass,
				"features.global-data": finding.Pass, "features.loops": finding.Pass, "features.isa": finding.Pass},
			msgs: map[string]string{"features.programs": "this kernel lacks fentry (tracing) (5.5), LSM (5.7)",
				"features.maps": "lacks ringbuf (5.8): objects using BPF_MAP_TYPE_RINGBUF will not load",
				"features.isa":  "this kernel takes -mcpu=v3; clang 14's default, -mcpu=v1, fits"}},
		// The old kernel of the issue: clang 20 builds v3 by default, and
		// 4.19 rejects JMP32.
		{name: "4.19 and clang 20", rel: "4.19.0", caps: rootCaps, clang: fakeClang("20.1.2"),
			want: map[string]finding.Status{"features.programs": finding.Warn, "features.maps": finding.Warn, "features.btf": finding.Pass,
				"features.global-data": finding.Fail, "features.loops": finding.Warn, "features.isa": finding.Warn},
			msgs: map[string]string{"features.global-data": "lacks global data (5.2): programs with global or static variables",
				"features.loops": "lacks bounded loops (5.3)",
				"features.isa":   "clang 20 compiles for -mcpu=v3 by default, and this kernel takes only up to v2: objects built without -mcpu fail to load"}},
		{name: "4.19 and clang 14", rel: "4.19.0", caps: rootCaps, clang: fakeClang("14.0.6"),
			want: map[string]finding.Status{"features.isa": finding.Pass},
			msgs: map[string]string{"features.isa": "takes -mcpu=v2; clang 14's default, -mcpu=v1, fits"}},
		{name: "4.9 no BTF", rel: "4.9.0", caps: rootCaps,
			want: map[string]finding.Status{"features.btf": finding.Fail, "features.isa": finding.Pass, "features.maps": finding.Warn},
			msgs: map[string]string{"features.btf": "lacks BTF (4.18): objects carrying .BTF", "features.isa": "this kernel takes -mcpu=v1"}},
		{name: "4.1 no tracepoint, XDP", rel: "4.1.0", caps: rootCaps,
			want: map[string]finding.Status{"features.programs": finding.Fail, "features.maps": finding.Fail},
			msgs: map[string]string{"features.programs": "lacks tracepoint (4.7), XDP (4.8): programs of these types will not load",
				"features.maps": "lacks per-CPU hash (4.6), per-CPU array (4.6)"}},
		// Unprivileged, nothing is asked: a refusal is no answer.
		{name: "no caps", rel: "6.6.0", caps: noCaps,
			want: map[string]finding.Status{"features.programs": finding.Skip, "features.maps": finding.Skip, "features.btf": finding.Skip,
				"features.global-data": finding.Skip, "features.loops": finding.Skip, "features.isa": finding.Skip},
			msgs: map[string]string{"features.programs": "neither CAP_BPF nor CAP_SYS_ADMIN", "features.isa": "neither CAP_BPF nor CAP_SYS_ADMIN"}},
		// Privileged but refused (a seccomp filter, an LSM): EPERM is a
		// skip, not "unsupported".
		{name: "EPERM", rel: "6.6.0", caps: rootCaps, refuse: syscall.EPERM,
			want: map[string]finding.Status{"features.programs": finding.Skip, "features.maps": finding.Skip, "features.btf": finding.Skip,
				"features.global-data": finding.Skip, "features.loops": finding.Skip, "features.isa": finding.Skip},
			msgs: map[string]string{"features.global-data": "the kernel refused to probe global data (load program: operation not permitted)",
				"features.isa": "the kernel refused to probe ISA v2, v3, v4"}},
		{name: "inconclusive", rel: "6.6.0", caps: rootCaps, refuse: syscall.EBADF,
			want: map[string]finding.Status{"features.loops": finding.Error},
			msgs: map[string]string{"features.loops": "could not probe bounded loops: load program: bad file descriptor"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewEnv(testkit.Fake{Files: map[string]string{"/proc/self/status": tt.caps}, Tools: tt.clang}.Host(t))
			// The memo is seeded with the fake kernel's answers, so the
			// checks read them as they would the real ones.
			p := fakeKernel(t, tt.rel, tt.refuse)
			_, _ = memo(e, featuresFact, func() (*kernelProbes, error) { return e.probeKernel(p), nil })
			for id, want := range tt.want {
				f := runOnly(t, e, id)
				if f.Status != want {
					t.Errorf("%s: %s, want %s: %s %v", id, f.Status, want, f.Message, f.Details)
				}
				if m := tt.msgs[id]; m != "" && !strings.Contains(f.Message, m) {
					t.Errorf("%s: message %q lacks %q", id, f.Message, m)
				}
			}
		})
	}
}

// TestFeaturesStandIn: a stand-in root has no kernel to probe, so the real
// probes are not run against this machine's kernel in its name.
func TestFeaturesStandIn(t *testing.T) {
	e := NewEnv(testkit.Fake{Files: map[string]string{"/proc/self/status": rootCaps}}.Host(t))
	if f := runOnly(t, e, "features.maps"); f.Status != finding.Skip || !strings.Contains(f.Message, "stand-in root") {
		t.Errorf("features.maps on a stand-in root: %s %s", f.Status, f.Message)
	}
}

// TestFeaturesReal probes this machine's kernel. CI runs as root on a 6.x
// kernel: the common types load and v3 is there. fentry and LSM may be
// refused by a sandbox, which must then be a skip, never "lacks".
func TestFeaturesReal(t *testing.T) {
	if os.Geteuid() != 0 {
		testkit.Missing(t, "the feature probes need root")
		return
	}
	testkit.Tool(t, "clang")
	e := NewEnv(host.Real())
	for _, id := range []string{"features.maps", "features.btf", "features.global-data", "features.loops", "features.isa"} {
		if f := runOnly(t, e, id); f.Status != finding.Pass {
			t.Errorf("%s: %s: %s", id, f.Status, f.Message)
		}
	}
	if f := runOnly(t, e, "features.isa"); f.Facts["mcpu"] < "v3" {
		t.Errorf("features.isa: mcpu = %q, want v3 or v4 on a 6.x kernel", f.Facts["mcpu"])
	}
	f := runOnly(t, e, "features.programs")
	if f.Status != finding.Pass && f.Status != finding.Skip || strings.Contains(f.Message, "lacks") {
		t.Errorf("features.programs: %s: %s", f.Status, f.Message)
	}
	if !strings.Contains(f.Message, "loads socket filter, kprobe, tc (sched_cls), tracepoint, XDP") {
		t.Errorf("features.programs: %q does not load the common types", f.Message)
	}
}
