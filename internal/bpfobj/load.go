package bpfobj

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"

	"github.com/bpfdoctor/bpfdoctor/internal/clip"
)

// Capability bits, from include/uapi/linux/capability.h. CAP_PERFMON:
// 980737282232 ("capabilities: introduce CAP_PERFMON to kernel and user
// space"), v5.8; CAP_BPF: a17b53c4a4b5 ("bpf, capability: Introduce
// CAP_BPF"), v5.8.
const (
	CapNetAdmin = 12
	CapSysAdmin = 21
	CapPerfmon  = 38
	CapBPF      = 39
)

// Verdict is what the kernel said about one program.
type Verdict int

const (
	Loaded  Verdict = iota // the verifier accepted it
	Refused                // the kernel (or loading the object) refused it
	Skipped                // not tried: no privileges, or it needs a target at load
)

func (v Verdict) String() string {
	switch v {
	case Loaded:
		return "loaded"
	case Refused:
		return "refused"
	case Skipped:
		return "skipped"
	}
	return "verdict?"
}

// LoadResult is the kernel's verdict on one program of an object. Program
// is empty when the object as a whole could not be loaded.
type LoadResult struct {
	Program string
	Section string
	Type    string // the program type, as cilium/ebpf names it
	Verdict Verdict
	// Reason is why it was refused or skipped: the verifier's line that
	// says why, or the loader's error.
	Reason string
	// Log is the end of the verifier's log, for the details.
	Log []string
	// Pitfall is the lint pitfall the refusal matches, if any.
	Pitfall Pitfall
	// Missing names the capabilities a skip lacks (CAP_BPF, ...).
	Missing []string
}

// Loader loads objects into the running kernel, one program at a time, and
// closes everything it created. It is not safe for concurrent use.
type Loader struct {
	// Caps is the effective capability mask the loads run with: programs
	// it does not allow are skipped, not refused.
	Caps  uint64
	cache *btf.Cache // the kernel's BTF, decoded once for every object
}

// NewLoader returns a Loader for a process with the effective
// capabilities caps.
func NewLoader(caps uint64) *Loader { return &Loader{Caps: caps, cache: btf.NewCache()} }

// logTail bounds the verifier lines kept for the details.
const logTail = 6

// maxReason bounds a reason line: a verifier line can be long.
const maxReason = 300

// Load loads every program of the object at path, each in a collection of
// its own with all the object's maps, and closes them. obj is the object
// as Read saw it (nil if not read): a refusal is matched against its
// problems. A panic in the loader on a hostile object is a refusal, not a
// crash.
func (l *Loader) Load(ctx context.Context, path string, obj *Object) (rs []LoadResult) {
	defer func() {
		if r := recover(); r != nil {
			rs = append(rs, LoadResult{Verdict: Refused, Reason: clip.String(fmt.Sprintf("loader panicked: %v", r), maxReason)})
		}
	}()
	spec, err := ebpf.LoadCollectionSpec(path)
	if err != nil {
		return []LoadResult{l.refused(LoadResult{}, fmt.Errorf("read object: %w", err), obj)}
	}
	names := make([]string, 0, len(spec.Programs))
	for n := range spec.Programs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if ctx.Err() != nil {
			break
		}
		rs = append(rs, l.loadOne(spec, n, obj))
	}
	return rs
}

func (l *Loader) loadOne(spec *ebpf.CollectionSpec, name string, obj *Object) (r LoadResult) {
	ps := spec.Programs[name]
	r = LoadResult{Program: name, Section: ps.SectionName, Type: ps.Type.String()}
	defer func() {
		if p := recover(); p != nil {
			r.Verdict, r.Reason = Refused, clip.String(fmt.Sprintf("loader panicked: %v", p), maxReason)
		}
	}()
	if miss := MissingCaps(l.Caps, ps.Type); len(miss) > 0 {
		r.Verdict, r.Missing = Skipped, miss
		r.Reason = "needs " + strings.Join(miss, " and ") + " (or CAP_SYS_ADMIN): run as root"
		return r
	}
	switch ps.Type {
	case ebpf.StructOps:
		r.Verdict, r.Reason = Skipped, "struct_ops programs load with their struct_ops map, which registers them with the kernel: not loaded alone"
		return r
	case ebpf.Extension:
		r.Verdict, r.Reason = Skipped, "freplace programs need the program they replace as a target at load: not loaded alone"
		return r
	}
	one := spec.Copy()
	one.Programs = map[string]*ebpf.ProgramSpec{name: one.Programs[name]}
	for _, m := range one.Maps {
		// A program array's contents name other programs, which this
		// collection does not have: filling it is not loading.
		if m.Type == ebpf.ProgramArray {
			m.Contents = nil
		}
	}
	coll, err := ebpf.NewCollectionWithOptions(one, ebpf.CollectionOptions{Cache: l.cache})
	if err != nil {
		r = l.refused(r, err, obj)
		if ps.AttachTo != "" && (ps.Type == ebpf.Tracing || ps.Type == ebpf.LSM) && !r.hasLog() {
			r.Reason += fmt.Sprintf(" (its attach target %s must be in the kernel's BTF)", ps.AttachTo)
		}
		return r
	}
	coll.Close()
	r.Verdict = Loaded
	return r
}

func (r LoadResult) hasLog() bool { return len(r.Log) > 0 }

// refused fills r from a load error: the verifier's line that says why,
// and the pitfall it matches.
func (l *Loader) refused(r LoadResult, err error, obj *Object) LoadResult {
	r.Verdict = Refused
	var ve *ebpf.VerifierError
	if errors.As(err, &ve) {
		r.Reason = verifierLine(ve.Log)
		if r.Reason == "" {
			r.Reason = err.Error()
		}
		lines := ve.Log
		if len(lines) > logTail {
			lines = lines[len(lines)-logTail:]
		}
		for _, s := range lines {
			r.Log = append(r.Log, clip.String(s, maxReason))
		}
	} else {
		r.Reason = err.Error()
	}
	r.Reason = clip.String(r.Reason, maxReason)
	r.Pitfall = matchPitfall(err, obj)
	return r
}

// verifierLine is the last line of the verifier's log that says why: not
// the statistics it prints after the verdict.
func verifierLine(log []string) string {
	for _, s := range slices.Backward(log) {
		s = strings.TrimSpace(s)
		if s == "" || strings.HasPrefix(s, "processed ") || strings.HasPrefix(s, "verification time") ||
			strings.HasPrefix(s, "stack depth") || strings.HasPrefix(s, "-- END") {
			continue
		}
		return s
	}
	return ""
}

// matchPitfall names the lint pitfall a refusal comes from: what the error
// says first, else a problem lint found in the object that the kernel
// refuses (byte order, switch tables, host-target leftovers, BTF).
func matchPitfall(err error, obj *Object) Pitfall {
	msg := strings.ToLower(err.Error())
	if strings.Contains(msg, "kfunc") {
		return KfuncMissing
	}
	if obj == nil {
		return ""
	}
	has := func(p Pitfall) bool {
		return slices.ContainsFunc(obj.problems, func(q Problem) bool { return q.Pitfall == p && q.Level > Info })
	}
	if has(NoBTF) && strings.Contains(msg, "btf") {
		return NoBTF
	}
	for _, p := range []Pitfall{ByteOrder, JumpTable, EHFrame, Bits32, NoBTF} {
		if has(p) {
			return p
		}
	}
	return ""
}

// MissingCaps names the capabilities a process with the effective mask
// caps lacks to load a program of type t. The rules are the kernel's
// bpf_prog_load in kernel/bpf/syscall.c: CAP_BPF for any program since
// v5.8 (a17b53c4a4b5), CAP_PERFMON for the tracing types
// (is_perfmon_prog_type) and CAP_NET_ADMIN (bpf_net_capable) for the networking ones
// (is_net_admin_prog_type); CAP_SYS_ADMIN stands for all of them.
func MissingCaps(caps uint64, t ebpf.ProgramType) []string {
	has := func(bit uint) bool { return caps&(1<<bit) != 0 }
	if has(CapSysAdmin) {
		return nil
	}
	var miss []string
	if !has(CapBPF) {
		miss = append(miss, "CAP_BPF")
	}
	if t == ebpf.Extension && !has(CapNetAdmin) {
		// freplace is in both of the kernel's lists: it extends any program.
		miss = append(miss, "CAP_NET_ADMIN")
	}
	switch t {
	case ebpf.Kprobe, ebpf.TracePoint, ebpf.PerfEvent, ebpf.RawTracepoint, ebpf.RawTracepointWritable,
		ebpf.Tracing, ebpf.LSM, ebpf.StructOps, ebpf.Extension:
		if !has(CapPerfmon) {
			miss = append(miss, "CAP_PERFMON")
		}
	case ebpf.SchedCLS, ebpf.SchedACT, ebpf.XDP, ebpf.LWTIn, ebpf.LWTOut, ebpf.LWTXmit, ebpf.LWTSeg6Local,
		ebpf.SkSKB, ebpf.SkMsg, ebpf.FlowDissector, ebpf.CGroupSock, ebpf.CGroupSockAddr,
		ebpf.CGroupDevice, ebpf.CGroupSysctl, ebpf.CGroupSockopt, ebpf.SockOps, ebpf.Netfilter:
		if !has(CapNetAdmin) {
			miss = append(miss, "CAP_NET_ADMIN")
		}
	}
	return miss
}
