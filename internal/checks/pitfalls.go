package checks

import (
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"

	"github.com/bpfdoctor/bpfdoctor/internal/bpfobj"
	"github.com/bpfdoctor/bpfdoctor/internal/clip"
	"github.com/bpfdoctor/bpfdoctor/internal/host"
	"github.com/bpfdoctor/bpfdoctor/internal/kver"
)

func init() {
	register([]Check{
		{ID: "clang.pitfalls", Area: "clang", Title: "build pitfalls", Run: checkPitfalls,
			Looks: "a switch probe built with `--target=bpf -O2 -g` and with the native target's `-O2 -g`, with and without -fno-jump-tables, through `llc -march=bpf`, read for switch tables, .eh_frame, 32-bit types and missing BTF"},
	})
}

// pitfallDoc is what the report says about a pitfall: its title and how to
// fix it. This table is the one place that turns bpfobj's Problems into
// findings, for `bpfdoctor lint` and for clang.pitfalls alike.
type pitfallDoc struct {
	title    string
	fix      string
	commands []string
}

var pitfallDocs = map[bpfobj.Pitfall]pitfallDoc{
	bpfobj.NotBPF: {title: "object",
		fix: "Compile for BPF: `clang --target=bpf -O2 -g -c`, or the native target's IR through `llc -march=bpf -filetype=obj`."},
	bpfobj.ByteOrder: {title: "byte order",
		fix: "Build for this machine's byte order: `--target=bpf` picks the host's; `--target=bpfel` or `--target=bpfeb` names one."},
	bpfobj.JumpTable: {title: "switch table",
		fix: "Compile with `--target=bpf`, or add `-fno-jump-tables` when clang compiles for the native target."},
	bpfobj.BPFJumpTables: {title: "BPF jump tables",
		fix: "For older kernels, build with `-mcpu=v3` or add `-fno-jump-tables`."},
	bpfobj.EHFrame: {title: ".eh_frame",
		fix: "Compile with `--target=bpf`, or add `-fno-asynchronous-unwind-tables` when clang compiles for the native target."},
	bpfobj.Bits32: {title: "32-bit types",
		fix: "Compile with `--target=bpf`, or for a 64-bit host target (drop `-m32`)."},
	bpfobj.NoBTF: {title: "BTF",
		fix: "Compile with `-g` (clang >= 13 for kfunc externs); strip with `llvm-strip -g`, which keeps .BTF and .BTF.ext."},
	bpfobj.Kfuncs: {title: "kfuncs"},
	bpfobj.KfuncMissing: {title: "missing kfuncs",
		fix:      "Run a kernel that has them, or declare them `__weak` and guard each call with `bpf_ksym_exists()`; kfuncs have no stable interface, so build against this kernel's vmlinux.h.",
		commands: []string{"bpftool btf dump file /sys/kernel/btf/vmlinux format c > vmlinux.h"}},
	bpfobj.KfuncNotKfunc: {title: "not kfuncs",
		fix:      "Call only functions this kernel exports as kfuncs (its BTF tags them bpf_kfunc); the list is in its vmlinux.h.",
		commands: []string{"bpftool btf dump file /sys/kernel/btf/vmlinux | grep -B1 \"DECL_TAG 'bpf_kfunc'\""}},
	bpfobj.KfuncProto: {title: "kfunc prototypes",
		fix:      "Declare the kfuncs as this kernel does: take the prototypes from a vmlinux.h generated from its BTF.",
		commands: []string{"bpftool btf dump file /sys/kernel/btf/vmlinux format c > vmlinux.h"}},
	bpfobj.KfuncWeak: {title: "__weak kfuncs",
		fix: "Guard each call with `if (bpf_ksym_exists(name))`, or run a kernel that has them."},
}

func statusOf(l bpfobj.Level) finding.Status {
	switch l {
	case bpfobj.Fail:
		return finding.Fail
	case bpfobj.Warn:
		return finding.Warn
	}
	return finding.Pass
}

// problemFinding turns one Problem into a finding about the object at
// path. The ID is lint.<pitfall>: the same pitfall in two objects is two
// findings with one ID, told apart by Source.
func problemFinding(path string, p bpfobj.Problem) finding.Finding {
	doc := pitfallDocs[p.Pitfall]
	f := finding.Finding{ID: "lint." + string(p.Pitfall), Area: "lint", Title: doc.title, Status: statusOf(p.Level),
		Message: path + ": " + p.Message, Details: p.Details, Source: path}
	if doc.title == "" {
		f.Title = string(p.Pitfall)
	}
	if f.Status != finding.Pass && (doc.fix != "" || len(doc.commands) > 0) {
		f.Fix = &finding.Fix{Text: doc.fix, Commands: doc.commands}
	}
	return f
}

// LintObject returns the findings of `bpfdoctor lint` for one object read
// from path, judged without a target: the object-only verdicts. k is the
// kernel to look kfuncs up in; when it is nil, kerr says why, and an
// object that calls kfuncs gets a skipped lint.kfuncs naming the reason.
func LintObject(path string, o *bpfobj.Object, k *bpfobj.Kernel, kerr error) []finding.Finding {
	var ks []*bpfobj.Kernel
	if k != nil {
		ks = append(ks, k)
	}
	return LintObjectFor(path, o, nil, ks, kerr)
}

// LintObjectFor is LintObject judged for each of targets (none: the
// object-only verdicts): one finding per pitfall, at its worst level over
// the targets, since a program shipped to them all must load on each;
// with more than one target each finding's details say the verdict on
// each, and lint.object's say on which it loads, a row of the matrix.
//
// ks are the kernel BTFs to look kfuncs up in, each giving its own kfunc
// findings; with none, kerr says why.
func LintObjectFor(path string, o *bpfobj.Object, targets []bpfobj.Target, ks []*bpfobj.Kernel, kerr error) []finding.Finding {
	raw := o.Problems()
	if len(raw) > 0 && raw[0].Pitfall == bpfobj.NotBPF {
		return []finding.Finding{problemFinding(path, raw[0])}
	}
	per := [][]bpfobj.Problem{raw}
	if len(targets) > 0 {
		per = per[:0]
		for _, t := range targets {
			per = append(per, o.ProblemsFor(t))
		}
	}
	var out []finding.Finding
	desc := "EM_BPF, 64-bit, little-endian"
	if o.Data == elf.ELFDATA2MSB {
		desc = "EM_BPF, 64-bit, big-endian"
	}
	if len(o.Programs) > 0 {
		desc += "; code in " + nameList(o.Programs, ", ")
	} else {
		desc += "; no code"
	}
	if len(o.Kfuncs) > 0 {
		desc += fmt.Sprintf("; calls %d kfuncs", len(o.Kfuncs))
	}
	obj := finding.Finding{ID: "lint.object", Area: "lint", Title: "object", Status: finding.Pass, Message: path + ": " + desc,
		Details: append([]string{"sections: " + nameList(o.Sections, " ")}, o.Notes...), Source: path}
	var skipped []finding.Finding
	if len(o.Kfuncs) > 0 {
		own := slices.ContainsFunc(targets, func(t bpfobj.Target) bool { return t.BTF != nil })
		if len(ks) > 0 || own {
			// The kfuncs are looked up in a target's own BTF (--btf as a
			// column), else in each BTF named, the same for every target.
			var kps []bpfobj.Problem
			for _, k := range ks {
				kps = append(kps, k.Check(o)...)
			}
			for i := range per {
				if i < len(targets) && targets[i].BTF != nil {
					per[i] = append(per[i], targets[i].BTF.Check(o)...)
					continue
				}
				per[i] = append(per[i], kps...)
			}
		} else {
			skipped = append(skipped, finding.Finding{ID: "lint.kfuncs", Area: "lint", Title: "kfuncs", Status: finding.Skip, Source: path,
				Message: fmt.Sprintf("%s: %d kfuncs not checked: %v (name a kernel's BTF with --btf FILE)", path, len(o.Kfuncs), kerr)})
		}
	}
	for i, t := range targets {
		var refused []string
		for _, p := range per[i] {
			if p.Level == bpfobj.Fail && !slices.Contains(refused, string(p.Pitfall)) {
				refused = append(refused, string(p.Pitfall))
			}
		}
		verdict := "loads"
		if len(refused) > 0 {
			verdict = "fails: " + strings.Join(refused, ", ")
		}
		obj.Details = append(obj.Details, "on "+t.String()+": "+verdict)
	}
	out = append(out, obj)
	out = append(out, skipped...)
	for _, pf := range bpfobj.Pitfalls {
		// The problems of pf on each target; a pitfall with several
		// problems (kfuncs) is judged problem by problem.
		for j := range maxCount(per, pf) {
			var worst *bpfobj.Problem
			var cells []string
			for i := range per {
				p := nth(per[i], pf, j)
				switch {
				case p == nil && len(targets) > 1:
					cells = append(cells, targets[i].String()+": no problem")
				case p == nil:
				default:
					if worst == nil || p.Level > worst.Level {
						worst = p
					}
					if len(targets) > 1 {
						cells = append(cells, targets[i].String()+": "+p.Level.String())
					}
				}
			}
			f := problemFinding(path, *worst)
			if len(cells) > 0 {
				f.Details = append(f.Details, "by target: "+strings.Join(cells, "; "))
			}
			out = append(out, f)
		}
	}
	return out
}

// maxCount is the most problems of pf any target has.
func maxCount(per [][]bpfobj.Problem, pf bpfobj.Pitfall) int {
	n := 0
	for _, ps := range per {
		c := 0
		for _, p := range ps {
			if p.Pitfall == pf {
				c++
			}
		}
		n = max(n, c)
	}
	return n
}

// nth is the j-th problem of pf in ps, nil if there are fewer.
func nth(ps []bpfobj.Problem, pf bpfobj.Pitfall, j int) *bpfobj.Problem {
	for i := range ps {
		if ps[i].Pitfall == pf {
			if j == 0 {
				return &ps[i]
			}
			j--
		}
	}
	return nil
}

// LintTarget is the machine bpfdoctor runs on as a lint target: its
// kernel release and its libbpf, the shared library a loader links at run
// time first, else the development files', else the one bpftool reports
// (bpftool prog load's own).
func (e *Env) LintTarget() bpfobj.Target {
	var kv kver.Version
	if rel, err := e.Release(); err == nil {
		kv, _ = kver.Parse(rel)
	}
	b := e.libbpfBuild()
	v := b.lib
	if v == nil {
		v = b.dev
	}
	if v == nil {
		if p, err := e.Bpftool(); err == nil {
			v, _ = p.info.Libbpf()
		}
	}
	return bpfobj.HostTarget("this host", kv, v)
}

// maxNames bounds a list of section names in a line: a hostile object can
// have 40k of them.
const maxNames = 200

// nameList joins names with sep, clipped to maxNames with the count.
func nameList(names []string, sep string) string {
	s := strings.Join(names, sep)
	if len(s) <= maxNames {
		return s
	}
	return fmt.Sprintf("%s (%d in all)", clip.String(s, maxNames), len(names))
}

// pitfallBuild is one way people build BPF code.
type pitfallBuild struct {
	name   string   // the flag set, as the report shows it
	key    string   // the fact's name
	native bool     // clang's native target, its IR through llc
	flags  []string // clang's flags
}

// The first is the recommended way: the check's status is its result. The
// others are the native target through llc, as samples and old Makefiles
// build: with -g, which shows what -g does not fix, and with
// -fno-jump-tables too, which shows what that flag does fix. Each command
// costs 30-40 ms of CPU, nearly all of it loading LLVM, and the check runs
// in every `bpfdoctor check`, so the grid stops there; `bpfdoctor lint`
// judges the user's own objects built any other way.
var pitfallBuilds = []pitfallBuild{
	{name: "--target=bpf -O2 -g", key: "bpf", flags: []string{"--target=bpf", "-O2", "-g"}},
	{name: "native -O2 -g | llc -march=bpf", key: "native", native: true, flags: []string{"-O2", "-g"}},
	{name: "native -O2 -g -fno-jump-tables | llc -march=bpf", key: "native_no_jump_tables", native: true, flags: []string{"-O2", "-g", "-fno-jump-tables"}},
}

type pitfallResult struct {
	b        pitfallBuild
	problems []bpfobj.Problem
	err      error  // a command failed
	step     string // which command of a native build failed: clang or llc
	said     string // the first error line it printed, temporary paths cut
	bad      error  // the object it wrote is unreadable
	skipped  string
}

// summary names the pitfalls of a build, or says it is clean.
func (r pitfallResult) summary() string {
	switch {
	case r.skipped != "":
		return "not built: " + r.skipped
	case r.err != nil && r.step != "":
		return "failed at " + r.step + ": " + r.said
	case r.err != nil:
		return "failed: " + r.err.Error()
	case r.bad != nil:
		return "unreadable object: " + r.bad.Error()
	}
	var names []string
	for _, p := range r.problems {
		names = append(names, pitfallDocs[p.Pitfall].title)
	}
	if len(names) == 0 {
		return "clean"
	}
	return strings.Join(names, ", ")
}

// keys is the build's fact: its pitfalls, "none" when clean, and for a
// build that gave no object to judge what happened instead, so that no
// reader takes it for clean.
func (r pitfallResult) keys() string {
	switch {
	case r.skipped != "":
		return "not-built"
	case r.err != nil:
		return "failed"
	case r.bad != nil:
		return "unreadable"
	}
	var names []string
	for _, p := range r.problems {
		names = append(names, string(p.Pitfall))
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ",")
}

func checkPitfalls(_ context.Context, e *Env) finding.Finding {
	// The builds start at once, on the tools found on disk, without
	// waiting for the version probes: the compiles are what takes time.
	// Whether clang is usable is decided by its probe afterwards.
	use, all, _ := findTool(e.Host, "clang")
	if len(all) == 0 {
		return finding.Result(finding.Skip, "no usable clang (see clang.version)")
	}
	llcUse, llcAll, _ := findTool(e.Host, "llc")
	dir, err := os.MkdirTemp("", "bpfdoctor-pitfalls-")
	if err != nil {
		return finding.Result(finding.Error, "create probe directory: %v", err)
	}
	defer os.RemoveAll(dir)
	src := filepath.Join(dir, "pitfalls.c")
	if err := os.WriteFile(src, []byte(bpfobj.SwitchProbe), 0o644); err != nil {
		return finding.Result(finding.Error, "write probe source: %v", err)
	}
	// The builds run at once: each is one or two short commands whose
	// time is mostly loading LLVM. The recommended one is clang.probe's
	// object, built once for both.
	res := make([]pitfallResult, len(pitfallBuilds))
	var wg sync.WaitGroup
	for i, b := range pitfallBuilds {
		res[i].b = b
		switch {
		case !b.native:
			wg.Go(func() { e.readBPFProbe(&res[i]) })
		case len(llcAll) == 0:
			res[i].skipped = "no llc"
		default:
			wg.Go(func() { e.buildPitfall(&res[i], use.Exec, llcUse.Exec, src, filepath.Join(dir, b.key)) })
		}
	}
	// The version probes, shared with clang.version and llvm.llc, run
	// alongside: they only decide how the results read.
	var l *llcProbe
	var cerr, lerr error
	wg.Go(func() { _, cerr = e.Clang() })
	wg.Go(func() { l, lerr = e.LLC() })
	wg.Wait()
	if cerr != nil {
		return finding.Result(finding.Skip, "no usable clang (see clang.version)")
	}
	if lerr == nil && len(l.info.MissingBPFTargets()) > 0 {
		for i := range res {
			if res[i].b.native {
				res[i] = pitfallResult{b: res[i].b, skipped: "llc has no BPF back end"}
			}
		}
	}

	rec := res[0]
	f := finding.Result(finding.Pass, "").WithSource(use.Path + " " + rec.b.name)
	for _, r := range res {
		f = f.WithDetails(r.b.name+" → "+r.summary()).WithFact(r.b.key, r.keys())
	}
	broken := probeFix
	var ce *host.CmdError
	switch {
	case errors.As(rec.err, &ce) && ce.ExitCode > 0:
		f.Status, f.Message, f.Fix = finding.Fail, fmt.Sprintf("clang cannot build the pitfall probe with %s: %v", rec.b.name, rec.err), broken
		return f
	case rec.err != nil:
		f.Status, f.Message = finding.Error, rec.err.Error()
		return f
	case rec.bad != nil:
		f.Status, f.Message, f.Fix = finding.Fail, fmt.Sprintf("clang's output for %s is unusable: %v", rec.b.name, rec.bad), broken
		return f
	}
	worst := bpfobj.Info
	for _, p := range rec.problems {
		worst = max(worst, p.Level)
	}
	if len(rec.problems) > 0 && worst > bpfobj.Info {
		// The recommended way itself is broken: a bug of this clang.
		f.Status = statusOf(worst)
		f.Message = fmt.Sprintf("%s gives %s", rec.b.name, rec.summary())
		f.Fix = &finding.Fix{Text: "This clang builds BPF objects the kernel will not take even the recommended way; use another LLVM.",
			Commands: []string{"bpfdoctor bootstrap llvm"}}
		return f
	}
	if failed := nativeFailures(res); len(failed) > 0 {
		return e.nativeFailed(f, rec, failed)
	}
	parts := []string{rec.b.name + " is " + rec.summary()}
	for _, r := range res[1:] {
		parts = append(parts, r.b.name+": "+r.summary())
	}
	f.Message = strings.Join(parts, "; ")
	return f
}

func nativeFailures(res []pitfallResult) []pitfallResult {
	var failed []pitfallResult
	for _, r := range res {
		if r.b.native && (r.err != nil || r.bad != nil) {
			failed = append(failed, r)
		}
	}
	return failed
}

// nativeFailed is the finding when a native build did not give an object
// to judge: it tells nothing about that build's pitfalls, so the check
// cannot pass. A tool that ran and refused (clang 19's bitcode is
// unreadable to llc 14) is a toolchain that cannot build that way: a
// warning, like clang.llc-match for the same cause, and not a failure,
// since the recommended build works. A command that could not run or
// was killed at the deadline says nothing about the toolchain: an error,
// as cmdError reports everywhere else.
func (e *Env) nativeFailed(f finding.Finding, rec pitfallResult, failed []pitfallResult) finding.Finding {
	first := failed[0]
	f.Status = finding.Warn
	for _, r := range failed {
		var ce *host.CmdError
		if r.err != nil && !(errors.As(r.err, &ce) && ce.ExitCode > 0) {
			f.Status = finding.Error
		}
	}
	parts := []string{first.b.name + " " + first.summary()}
	for _, r := range failed[1:] {
		parts = append(parts, "so did "+r.b.name)
	}
	parts = append(parts, rec.b.name+" is "+rec.summary())
	f.Message = strings.Join(parts, "; ")
	if f.Status != finding.Warn {
		return f
	}
	c, cerr := e.Clang()
	l, lerr := e.LLC()
	if cerr == nil && lerr == nil && c.info.Version.Major() != l.info.Version.Major() {
		f.Fix = e.clangLLCFix()
	} else {
		f.Fix = &finding.Fix{Text: "`clang -emit-llvm | llc -march=bpf` is broken here; " + rec.b.name + ", which works, needs no llc."}
	}
	return f
}

// readBPFProbe reads the object clang.probe built the recommended way.
func (e *Env) readBPFProbe(r *pitfallResult) {
	o, err := e.BPFProbe()
	if r.err = err; err != nil {
		return
	}
	if r.bad = o.bad; o.bad != nil {
		return
	}
	r.problems = o.obj.Problems()
}

// firstError is the line of a failed command's stderr that says why: the
// first that names an error, else the first, else the error itself. The
// temporary directory and the tool's full path are cut: they only make the
// line too long to show whole.
func firstError(stderr []byte, err error, tmp, tool string) string {
	text := strings.ReplaceAll(strings.ReplaceAll(string(stderr), tmp, ""), tool, filepath.Base(tool))
	for line := range strings.SplitSeq(text, "\n") {
		if strings.Contains(line, "error") {
			return host.FirstLine([]byte(line))
		}
	}
	if line := host.FirstLine([]byte(text)); line != "" {
		return line
	}
	return err.Error()
}

// buildPitfall builds the probe with clang's native target and reads the
// object: clang writes the module's bitcode and llc compiles it, as
// `clang -emit-llvm -c -o - | llc -march=bpf -filetype=obj` does.
func (e *Env) buildPitfall(r *pitfallResult, clang, llc, src, out string) {
	obj, bc := out+".o", out+".bc"
	steps := []struct {
		name, tool string
		args       []string
	}{
		{"clang", clang, slices.Concat(r.b.flags, []string{"-emit-llvm", "-c", src, "-o", bc})},
		{"llc", llc, []string{"-march=bpf", "-filetype=obj", bc, "-o", obj}},
	}
	for _, s := range steps {
		o, err := e.run(s.tool, s.args...)
		if err != nil {
			r.err, r.step, r.said = err, s.name, firstError(o.Stderr, err, filepath.Dir(out)+"/", s.tool)
			return
		}
	}
	o, err := bpfobj.Open(obj)
	if err != nil {
		r.bad = err
		return
	}
	r.problems = o.Problems()
}
