package checks

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/features"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"
)

// The features area asks the running kernel what it loads, through
// cilium/ebpf's feature probes, instead of guessing from the release:
// distribution kernels backport features and configs leave them out.
func init() {
	register([]Check{
		{ID: "features.programs", Area: "features", Title: "program types", Run: checkFeaturePrograms,
			Looks: "loads a minimal program of each common type (socket filter, kprobe, tracepoint, XDP, tc, fentry, LSM)"},
		{ID: "features.maps", Area: "features", Title: "map types", Run: checkFeatureMaps,
			Looks: "creates a hash, array, per-CPU hash and array, and ringbuf map"},
		{ID: "features.btf", Area: "features", Title: "BTF loading", Run: checkFeatureBTF,
			Looks: "loads a one-type BTF blob (BPF_BTF_LOAD)"},
		{ID: "features.global-data", Area: "features", Title: "global data", Run: checkFeatureGlobalData,
			Looks: "a BPF_F_RDONLY_PROG array map (.rodata) and a program reading a map value directly"},
		{ID: "features.loops", Area: "features", Title: "bounded loops", Run: checkFeatureLoops,
			Looks: "loads a program with a back-edge"},
		{ID: "features.isa", Area: "features", Title: "instruction set", Run: checkFeatureISA,
			Looks: "loads v2, v3 and v4 instructions: which `-mcpu` this kernel takes, against clang's default"},
	})
}

// prober asks the kernel one question per function; errors mean what
// cilium/ebpf's features package says: nil is there, ebpf.ErrNotSupported
// is not, anything else is an inconclusive probe. Tests give a kernel no
// machine has (old, refusing) through their own table.
type prober struct {
	program    func(ebpf.ProgramType) error
	mapType    func(ebpf.MapType) error
	btf        func() error
	globalData func() error
	loops      func() error
	isa        func(level int) error // 2, 3 or 4
}

// ciliumProber is the running kernel's, through cilium/ebpf.
var ciliumProber = prober{
	program: features.HaveProgramType,
	mapType: features.HaveMapType,
	btf:     probeBTFLoad,
	globalData: func() error {
		if err := features.HaveMapFlag(features.BPF_F_RDONLY_PROG); err != nil {
			return err
		}
		return probeMapValue()
	},
	loops: features.HaveBoundedLoops,
	isa: func(level int) error {
		switch level {
		case 2:
			return features.HaveV2ISA()
		case 3:
			return features.HaveV3ISA()
		case 4:
			return features.HaveV4ISA()
		}
		return fmt.Errorf("no probe for ISA v%d", level)
	},
}

// probeBTFLoad loads a blob of one int: what every BTF-carrying object
// needs first. The features package has no exported probe for it.
func probeBTFLoad() error {
	var b btf.Builder
	if _, err := b.Add(&btf.Int{Name: "int", Size: 4, Encoding: btf.Signed}); err != nil {
		return fmt.Errorf("build probe BTF: %w", err)
	}
	h, err := btf.NewHandle(&b)
	if err != nil {
		return err
	}
	return h.Close()
}

// probeMapValue loads `r0 = &map[0]; r0 = 0; exit`: an ld_imm64 of a map
// value's address is how global variables are read, d8eca5bbb2be ("bpf:
// implement lookup-free direct value access for maps"), v5.2. The
// features package has no probe for it, so this is the smallest one.
func probeMapValue() error {
	m, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.Array, KeySize: 4, ValueSize: 4, MaxEntries: 1})
	if err != nil {
		return fmt.Errorf("create probe map: %w", err)
	}
	defer m.Close()
	p, err := ebpf.NewProgramWithOptions(&ebpf.ProgramSpec{
		Type: ebpf.SocketFilter,
		Instructions: asm.Instructions{
			asm.LoadMapValue(asm.R0, m.FD(), 0),
			asm.Mov.Imm(asm.R0, 0),
			asm.Return(),
		},
		License: "GPL",
	}, ebpf.ProgramOptions{LogDisabled: true})
	var ve *ebpf.VerifierError
	switch {
	case err == nil:
		return p.Close()
	case errors.Is(err, fs.ErrPermission):
		return err
	case errors.As(err, &ve):
		// A kernel that loads plain socket filters but rejects this one
		// does not know the instruction.
		return fmt.Errorf("load direct map value: %w", ebpf.ErrNotSupported)
	}
	return err
}

// feature is one question with its answer.
type feature struct {
	name  string // as the report says it
	since string // the mainline release that brought it, for the message
	hard  bool   // without it common programs do not load at all
	err   error
}

// kernelProbes are the answers of one run.
type kernelProbes struct {
	skip       string // why nothing was asked, "" when probed
	programs   []feature
	maps       []feature
	btf        feature
	globalData feature
	loops      feature
	isa        []feature // v2, v3, v4
}

var featuresFact = &fact[*kernelProbes]{"kernel feature probes"}

// KernelFeatures probes the running kernel once per run. A stand-in root
// (tests' BPFDOCTOR_ROOT) has no kernel of its own to ask.
func (e *Env) KernelFeatures() *kernelProbes {
	v, _ := memo(e, featuresFact, func() (*kernelProbes, error) {
		if e.Host.Abs("/") != "/" {
			return &kernelProbes{skip: "the probes ask the running kernel, and this host is a stand-in root"}, nil
		}
		return e.probeKernel(ciliumProber), nil
	})
	return v
}

// The versions below are those of cilium/ebpf's own tables
// (features/prog.go haveProgramTypeMatrix, features/map.go
// haveMapTypeMatrix), which cite the commits; the report shows them, the
// verdict comes from the probe.
var (
	wantPrograms = []struct {
		t     ebpf.ProgramType
		name  string
		since string
		hard  bool
	}{
		{ebpf.SocketFilter, "socket filter", "3.19", true},
		{ebpf.Kprobe, "kprobe", "4.1", true},
		{ebpf.SchedCLS, "tc (sched_cls)", "4.1", true},
		{ebpf.TracePoint, "tracepoint", "4.7", true},
		{ebpf.XDP, "XDP", "4.8", true},
		{ebpf.Tracing, "fentry (tracing)", "5.5", false},
		{ebpf.LSM, "LSM", "5.7", false},
	}
	wantMaps = []struct {
		t     ebpf.MapType
		name  string
		since string
		hard  bool
	}{
		{ebpf.Hash, "hash", "3.19", true},
		{ebpf.Array, "array", "3.19", true},
		{ebpf.PerCPUHash, "per-CPU hash", "4.6", true},
		{ebpf.PerCPUArray, "per-CPU array", "4.6", true},
		{ebpf.RingBuf, "ringbuf", "5.8", false},
	}
)

// isaSince are the releases each -mcpu level needs: 92b31a9af73b ("bpf:
// add BPF_J{LT,LE,SLT,SLE} instructions"), v4.14; 092ed0968bb6 ("bpf:
// verifier support JMP32"), v5.1; 1f9a1ea821ff ("bpf: Support new
// sign-extension load insns"), v6.6.
var isaSince = map[int]string{2: "4.14", 3: "5.1", 4: "6.6"}

// probeKernel asks p everything at once: each probe is a system call or
// two, so together they take about as long as the slowest.
func (e *Env) probeKernel(p prober) *kernelProbes {
	caps, err := e.effectiveCaps()
	if err != nil {
		return &kernelProbes{skip: fmt.Sprintf("cannot tell this process's privileges: %v", err)}
	}
	// Unprivileged, the kernel refuses most loads (EPERM) and judges the
	// rest by stricter rules (no back-edges, say), and cilium/ebpf reads a
	// refused BTF load as "not supported": no answer would be the kernel's.
	if caps&(1<<capSysAdmin) == 0 && caps&(1<<capBPF) == 0 {
		return &kernelProbes{skip: "this process has neither CAP_BPF nor CAP_SYS_ADMIN, so the kernel refuses the probes (EPERM), which says nothing of what it supports; run as root"}
	}
	k := &kernelProbes{}
	var wg sync.WaitGroup
	ask := func(f *feature, probe func() error) {
		wg.Go(func() { f.err = probe() })
	}
	k.programs = make([]feature, len(wantPrograms))
	for i, w := range wantPrograms {
		k.programs[i] = feature{name: w.name, since: w.since, hard: w.hard}
		ask(&k.programs[i], func() error { return p.program(w.t) })
	}
	k.maps = make([]feature, len(wantMaps))
	for i, w := range wantMaps {
		k.maps[i] = feature{name: w.name, since: w.since, hard: w.hard}
		ask(&k.maps[i], func() error { return p.mapType(w.t) })
	}
	k.btf = feature{name: "BTF", since: "4.18", hard: true} // 69b693f0aefa ("bpf: btf: Introduce BPF Type Format (BTF)")
	ask(&k.btf, p.btf)
	k.globalData = feature{name: "global data", since: "5.2", hard: true}
	ask(&k.globalData, p.globalData)
	k.loops = feature{name: "bounded loops", since: "5.3"} // 2589726d12a1 ("bpf: introduce bounded loops")
	ask(&k.loops, p.loops)
	k.isa = make([]feature, 3)
	for i := range k.isa {
		level := i + 2
		k.isa[i] = feature{name: fmt.Sprintf("v%d", level), since: isaSince[level]}
		ask(&k.isa[i], func() error { return p.isa(level) })
	}
	wg.Wait()
	return k
}

// verdict sorts probe answers: what the kernel has, lacks, refused to be
// asked (a permission error is not "unsupported"), and could not tell.
type verdict struct {
	have, lack, denied, failed []feature
}

func judge(all ...feature) verdict {
	var v verdict
	for _, f := range all {
		switch {
		case f.err == nil:
			v.have = append(v.have, f)
		case errors.Is(f.err, fs.ErrPermission):
			v.denied = append(v.denied, f)
		case errors.Is(f.err, ebpf.ErrNotSupported):
			v.lack = append(v.lack, f)
		default:
			v.failed = append(v.failed, f)
		}
	}
	return v
}

func names(list []feature) string {
	var n []string
	for _, f := range list {
		n = append(n, f.name)
	}
	return strings.Join(n, ", ")
}

func namesSince(list []feature) string {
	var n []string
	for _, f := range list {
		n = append(n, fmt.Sprintf("%s (%s)", f.name, f.since))
	}
	return strings.Join(n, ", ")
}

// probed turns a group of answers into a finding: what is missing fails
// (hard) or warns (soft) with why it matters, a refused or broken probe
// is a skip or an error that names it, and only a full set passes.
func (e *Env) probed(pass string, hardWhy, softWhy func([]feature) string, asked ...feature) finding.Finding {
	k := e.KernelFeatures()
	if k.skip != "" {
		return finding.Result(finding.Skip, "%s", k.skip)
	}
	v := judge(asked...)
	var hard, soft []feature
	for _, f := range v.lack {
		if f.hard {
			hard = append(hard, f)
		} else {
			soft = append(soft, f)
		}
	}
	var f finding.Finding
	switch {
	case len(hard) > 0:
		f = finding.Result(finding.Fail, "this kernel lacks %s: %s", namesSince(hard), hardWhy(hard))
	case len(soft) > 0:
		f = finding.Result(finding.Warn, "this kernel lacks %s: %s", namesSince(soft), softWhy(soft))
	case len(v.failed) > 0:
		f = finding.Result(finding.Error, "could not probe %s: %v", v.failed[0].name, v.failed[0].err)
	case len(v.denied) > 0:
		f = finding.Result(finding.Skip, "the kernel refused to probe %s (%v): a refusal says nothing of support", names(v.denied), v.denied[0].err)
		if len(v.have) > 0 {
			f.Message = fmt.Sprintf(pass, names(v.have)) + "; " + f.Message
		}
	default:
		return finding.Result(finding.Pass, pass, names(v.have)).WithSource("cilium/ebpf feature probes")
	}
	if len(hard) > 0 && len(soft) > 0 {
		f = f.WithDetails(fmt.Sprintf("also lacks %s: %s", namesSince(soft), softWhy(soft)))
	}
	for _, x := range v.denied {
		f = f.WithDetails(fmt.Sprintf("%s: not probed, the kernel refused (%v)", x.name, x.err))
	}
	for _, x := range v.failed {
		f = f.WithDetails(fmt.Sprintf("%s: probe failed: %v", x.name, x.err))
	}
	if len(v.have) > 0 && len(v.denied) == 0 {
		f = f.WithDetails("has " + names(v.have))
	}
	if len(hard)+len(soft) > 0 {
		f = f.WithFix("Run a newer kernel, or one built with the BPF options these need (see kconfig).")
	}
	return f.WithSource("cilium/ebpf feature probes")
}

func checkFeaturePrograms(_ context.Context, e *Env) finding.Finding {
	k := e.KernelFeatures()
	return e.probed("loads %s programs", func([]feature) string {
		return "programs of these types will not load"
	}, func([]feature) string {
		return "programs of these types will not load (fentry and LSM need kernel BTF; LSM also CONFIG_BPF_LSM)"
	}, k.programs...)
}

func checkFeatureMaps(_ context.Context, e *Env) finding.Finding {
	k := e.KernelFeatures()
	return e.probed("creates %s maps", func([]feature) string {
		return "objects using these maps will not load"
	}, func([]feature) string {
		return "objects using BPF_MAP_TYPE_RINGBUF will not load; fall back to a perf event array"
	}, k.maps...)
}

func checkFeatureBTF(_ context.Context, e *Env) finding.Finding {
	k := e.KernelFeatures()
	return e.probed("loads %s (BPF_BTF_LOAD)", func([]feature) string {
		return "objects carrying .BTF (BTF-defined maps, CO-RE, every libbpf skeleton) will not load"
	}, nil, k.btf)
}

func checkFeatureGlobalData(_ context.Context, e *Env) finding.Finding {
	k := e.KernelFeatures()
	return e.probed("loads programs reading %s (a BPF_F_RDONLY_PROG map, a direct map value load)", func([]feature) string {
		return "programs with global or static variables (.data, .rodata, .bss: a skeleton's const volatile settings) will not load"
	}, nil, k.globalData)
}

func checkFeatureLoops(_ context.Context, e *Env) finding.Finding {
	k := e.KernelFeatures()
	return e.probed("the verifier accepts %s", nil, func([]feature) string {
		return "the verifier rejects any loop clang does not unroll (#pragma unroll, constant bounds)"
	}, k.loops)
}

// clangDefaultCPU is the -mcpu clang compiles BPF for when given none:
// v3 since LLVM 20, 7852ebc088b9 ("[BPF] Make -mcpu=v3 as the default",
// llvm/llvm-project#107008; clang 20's release notes, "BPF Support"),
// v1 ("generic") before.
func clangDefaultCPU(major uint64) int {
	if major >= 20 {
		return 3
	}
	return 1
}

func checkFeatureISA(_ context.Context, e *Env) finding.Finding {
	k := e.KernelFeatures()
	if k.skip != "" {
		return finding.Result(finding.Skip, "%s", k.skip)
	}
	v := judge(k.isa...)
	if len(v.failed) > 0 {
		return finding.Result(finding.Error, "could not probe ISA %s: %v", v.failed[0].name, v.failed[0].err)
	}
	if len(v.denied) > 0 {
		return finding.Result(finding.Skip, "the kernel refused to probe ISA %s (%v): a refusal says nothing of support", names(v.denied), v.denied[0].err)
	}
	// Each level needs the one below, so the first missing one ends it.
	level := 1
	for _, f := range k.isa {
		if f.err != nil {
			break
		}
		level++
	}
	f := finding.Result(finding.Pass, "this kernel takes -mcpu=v%d", level).
		WithSource("cilium/ebpf feature probes").WithFact("mcpu", fmt.Sprintf("v%d", level))
	for _, x := range k.isa {
		mark := "yes"
		if x.err != nil {
			mark = "no"
		}
		f = f.WithDetails(fmt.Sprintf("%s (Linux %s): %s", x.name, x.since, mark))
	}
	c, err := e.Clang()
	if err != nil {
		return f.WithDetails("no usable clang to compare its default -mcpu with (see clang.version)")
	}
	major := c.info.Version.Major()
	def := clangDefaultCPU(major)
	if def <= level {
		f.Message += fmt.Sprintf("; clang %d's default, -mcpu=v%d, fits", major, def)
		if level < 3 {
			f = f.WithDetails(fmt.Sprintf("clang 20 and newer default to -mcpu=v3, which this kernel rejects: pin -mcpu=v%d in the BPF build", level))
		}
		return f
	}
	f.Status = finding.Warn
	f.Message = fmt.Sprintf("clang %d compiles for -mcpu=v%d by default, and this kernel takes only up to v%d: objects built without -mcpu fail to load", major, def, level)
	f = f.WithDetails(fmt.Sprintf("v3's JMP32 and ALU32 instructions need Linux %s", isaSince[3]))
	return f.WithFix(fmt.Sprintf("Build BPF objects with -mcpu=v%d (add it to the clang flags of the BPF build).", level))
}
