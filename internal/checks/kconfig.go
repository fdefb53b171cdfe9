package checks

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"
	"github.com/bpfdoctor/bpfdoctor/internal/ktree"
	"github.com/bpfdoctor/bpfdoctor/internal/kver"
	"github.com/bpfdoctor/bpfdoctor/internal/pahole"
	"github.com/bpfdoctor/bpfdoctor/internal/shell"

	"github.com/bpfdoctor/bpfdoctor/internal/kconfig"
)

func init() {
	register([]Check{
		{ID: "kconfig.essential", Area: "kconfig", Title: "essential options", Run: checkKconfigEssential,
			Looks: "CONFIG_BPF, BPF_SYSCALL, BPF_JIT and DEBUG_INFO_BTF in the kernel config: without them nothing BPF works, or nothing CO-RE"},
		{ID: "kconfig.selftests", Area: "kconfig", Title: "selftests config", Run: checkKconfigSelftests,
			Looks: "the kernel config against tools/testing/selftests/bpf/config and config.<arch> of the kernel's version (built in, or the --kernel-src tree): not set, absent, =m, values, grouped by root cause"},
	})
}

// KconfigRequest gathers what judging the config needs: the config, the
// kernel's version and architecture, and the --kernel-src tree.
func (e *Env) KconfigRequest() (ktree.Request, error) {
	cfg, _, err := e.KernelConfig()
	if err != nil {
		return ktree.Request{}, err
	}
	r := ktree.Request{Config: cfg}
	if v, ok := kver.Parse(cfg.Version); ok {
		r.Kernel, r.KernelFrom = v, "the config's header"
	} else if rel, err := e.Release(); err == nil {
		if v, ok := kver.Parse(rel); ok {
			r.Kernel, r.KernelFrom = v, "uname -r"
		}
	}
	if a, ok := kconfig.ArchOfConfig(cfg); ok {
		r.Arch, r.ArchFrom = &a, "the config"
	} else if a, from, ok := e.machineArch(); ok {
		r.Arch, r.ArchFrom = &a, from
	}
	if e.KernelSrc != "" {
		t, err := ktree.OpenTree(os.DirFS(e.KernelSrc), e.KernelSrc)
		if err != nil {
			return ktree.Request{}, err
		}
		r.Tree = t
	}
	return r, nil
}

// machineArch is the architecture of this machine: /proc/sys/kernel/arch
// (uname -m), else the one bpfdoctor was built for.
func (e *Env) machineArch() (kconfig.Arch, string, bool) {
	if b, err := e.Host.ReadFile("/proc/sys/kernel/arch"); err == nil {
		if a, err := kconfig.LookupArch(strings.TrimSpace(string(b))); err == nil {
			return a, "uname -m", true
		}
	}
	a, err := kconfig.LookupArch(runtime.GOARCH)
	return a, "this machine", err == nil
}

// essentialOptions are the options without which BPF work stops, and what
// each one's absence breaks, in the order they matter.
var essentialOptions = []struct{ sym, breaks string }{
	{"BPF_SYSCALL", "no bpf(2) system call: no program or map loads"},
	{"BPF", "no BPF core (kernel/bpf): no verifier, no interpreter"},
	{"DEBUG_INFO_BTF", "no kernel BTF (/sys/kernel/btf/vmlinux): no CO-RE, no vmlinux.h, no fentry/fexit, no kfunc calls"},
	{"BPF_JIT", "no JIT: programs run in the interpreter, and fentry/fexit, struct_ops and kfunc calls, which need the JIT, do not load"},
}

// checkKconfigEssential names, apart from the selftests' long list, the few
// options whose absence leaves nothing BPF working.
func checkKconfigEssential(_ context.Context, e *Env) finding.Finding {
	cfg, path, err := e.KernelConfig()
	if err != nil {
		return finding.Result(finding.Skip, "no kernel config to judge (see kernel.config)")
	}
	var syms, lost []string
	var fix []kconfig.Entry
	for _, o := range essentialOptions {
		en, ok := cfg.Lookup(o.sym)
		if ok && en.Value == "y" {
			continue
		}
		state := "is not set"
		if !ok {
			state = "is absent"
		} else if en.Value != "n" {
			state = "=" + en.Value
		}
		syms = append(syms, o.sym)
		lost = append(lost, fmt.Sprintf("CONFIG_%s %s: %s", o.sym, state, o.breaks))
		fix = append(fix, kconfig.Entry{Symbol: o.sym, Kind: kconfig.Tristate, Value: "y"})
	}
	if len(lost) == 0 {
		return finding.Result(finding.Pass, "CONFIG_BPF_SYSCALL, BPF, DEBUG_INFO_BTF and BPF_JIT are set").WithSource(path)
	}
	f := finding.Result(finding.Fail, "%s", strings.Join(lost, "; ")).WithSource(path).WithFact("missing", strings.Join(syms, ","))
	text := "Build the kernel with them."
	if slices.Contains(syms, "DEBUG_INFO_BTF") {
		text += " CONFIG_DEBUG_INFO_BTF also needs CONFIG_DEBUG_INFO and pahole >= " + pahole.MinBTF.String() + "."
	}
	return f.WithFix(text, scriptsConfig(fix))
}

// noTreeText says why a --kernel-src tree's Kconfig was not used.
func noTreeText(err error) string {
	return fmt.Sprintf("the tree's Kconfig was not used, so the options are grouped by name only: %v", err)
}

const treeFixText = "Fix the Kconfig file named (or pass a complete kernel tree with --kernel-src): without it bpfdoctor cannot name what hides each option."

func checkKconfigSelftests(ctx context.Context, e *Env) (f finding.Finding) {
	_, path, err := e.KernelConfig()
	if err != nil {
		return finding.Result(finding.Skip, "no kernel config to judge (see kernel.config)")
	}
	req, err := e.KconfigRequest()
	if err != nil {
		return finding.Result(finding.Error, "%v", err)
	}
	res, err := ktree.JudgeContext(ctx, req)
	if err != nil {
		return finding.Result(finding.Error, "%v", err)
	}
	x, set := res.Explanation, res.Set
	total, missing := len(res.Diff.Items), x.Missing()
	f = finding.Result(finding.Pass, "all %d options of the %s selftests config are set", total, set.Name).
		WithSource(path).WithFact("set", set.Name).
		WithFact("missing", fmt.Sprint(missing)).WithFact("total", fmt.Sprint(total)).
		WithDetails(fmt.Sprintf("fragment set %s: %s", set.Label(), set.Why))
	for _, l := range set.Lacks {
		f = f.WithDetails(fmt.Sprintf("the %s set has no %s: those options were not checked", set.Name, l))
	}
	var unwanted []string
	for _, c := range x.Causes {
		switch c.Kind {
		case kconfig.CauseKeep:
		case kconfig.CauseUnwanted:
			for _, it := range c.Items {
				unwanted = append(unwanted, it.Symbol)
			}
			f = f.WithDetails(c.Summary(8))
		default:
			f = f.WithDetails(c.Summary(8))
		}
	}
	mismatch := req.VersionMismatch()
	if mismatch != "" {
		f = f.WithDetails(mismatch)
	}
	// A tree whose Kconfig cannot be read is a warning whatever the
	// diff: the grouping and the fix lose the dependencies.
	if res.KconfigErr != nil {
		f = f.WithDetails(noTreeText(res.KconfigErr))
		defer func() {
			if f.Status == finding.Pass {
				f.Status = finding.Warn
				f.Fix = &finding.Fix{Text: treeFixText}
			}
			f.Message += "; " + noTreeText(res.KconfigErr)
		}()
	}
	switch {
	case missing > 0:
		roots := x.Roots()
		// A warning here, a failure in `kconfig diff` and `--require
		// kconfig`: a distribution's kernel misses many of these, and
		// building BPF programs does not need them; testing patches with
		// the selftests does.
		f.Status = finding.Warn
		f.Message = fmt.Sprintf("%d of %d options of the %s selftests config missing (%d root cause%s)", missing, total, set.Name, roots, kconfigPlural(roots))
		if n := len(x.Refused); n > 0 {
			f.Message += fmt.Sprintf("; the kernel's Kconfig refuses %d of them", n)
		}
		text := "Write the missing lines as a fragment, root causes first, and merge it in the kernel tree with its own tooling."
		if !x.Tree && x.NoTree == "" {
			text += " With --kernel-src, bpfdoctor reads the tree's Kconfig: it names what hides each option and adds the parents the fragments assume."
		}
		return f.WithFix(text, e.kconfigFixCommand(), "scripts/kconfig/merge_config.sh .config bpf-selftests.config")
	case len(unwanted) > 0:
		f.Status = finding.Warn
		f.Message = fmt.Sprintf("all %d wanted options are set, but %s, which the %s selftests config wants off", total-len(unwanted), strings.Join(unwanted, ", "), set.Name)
		return f.WithFix("Turn them off as the fragment does.", e.kconfigFixCommand(), "scripts/kconfig/merge_config.sh .config bpf-selftests.config")
	case mismatch != "":
		f.Status = finding.Warn
		f.Message += "; " + mismatch
		return f.WithFix("Use the selftests (and --kernel-src) of the kernel under test.")
	}
	return f
}

// kconfigFixCommand is the `bpfdoctor kconfig fix` line for this run's
// config and tree.
func (e *Env) kconfigFixCommand() string {
	cmd := "bpfdoctor kconfig fix"
	if e.Config != nil && e.ConfigPath != "" {
		cmd += " --config " + shell.Quote(e.ConfigPath)
	}
	if e.KernelSrc != "" {
		cmd += " --kernel-src " + shell.Quote(e.KernelSrc)
	}
	return cmd + " -o bpf-selftests.config"
}

func kconfigPlural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// KconfigFindings is the report of `bpfdoctor kconfig diff`: the config
// read, the fragment set and why, the version of the selftests against
// the kernel's, a summary with the fix, and one finding per root cause.
// fixCmd is the `bpfdoctor kconfig fix` line that repeats the run's
// choices.
func KconfigFindings(req ktree.Request, res *ktree.Result, path, fixCmd string) []finding.Finding {
	const area = "kconfig"
	mk := func(id, title string, f finding.Finding) finding.Finding {
		f.ID, f.Area, f.Title = id, area, title
		return f
	}
	cfg, set, x := req.Config, res.Set, res.Explanation
	var out []finding.Finding

	cf := finding.Result(finding.Pass, "%s (%d options", path, cfg.Len()).WithSource(path).WithFact("path", path)
	if req.Kernel.Major > 0 {
		cf.Message += fmt.Sprintf(", Linux %s from %s", req.Kernel, req.KernelFrom)
	}
	cf.Message += ")"
	if req.Arch != nil {
		cf = cf.WithDetails(fmt.Sprintf("architecture %s, from %s", req.Arch.Uname, req.ArchFrom))
	}
	out = append(out, mk("kconfig.config", "config", cf))

	sf := finding.Result(finding.Pass, "%s: %s", set.Label(), set.Why).WithFact("set", set.Name)
	for _, fr := range set.Files {
		sf = sf.WithDetails(fmt.Sprintf("%s: %d options", fr.Path, fr.Config.Len()))
	}
	if len(set.Lacks) > 0 {
		sf.Status = finding.Warn
		sf.Message += fmt.Sprintf("; the set has no %s, so those options are not checked", strings.Join(set.Lacks, " or "))
		sf = sf.WithFix("Point bpfdoctor at a kernel tree of this version for its own fragments.", fixCmdFor(fixCmd, "diff")+" --kernel-src /path/to/linux")
	}
	if req.Arch == nil && len(req.Fragments) == 0 {
		sf.Status = finding.Warn
		sf.Message += "; no architecture known, so no config.<arch>"
		sf = sf.WithFix("Name the architecture.", fixCmdFor(fixCmd, "diff")+" --arch x86_64")
	}
	out = append(out, mk("kconfig.fragments", "fragment set", sf))

	if req.Tree != nil {
		vf := finding.Result(finding.Pass, "the selftests tree %s is Linux %s", req.Tree.Dir, req.Tree.Version).WithSource(req.Tree.Dir + "/Makefile")
		if m := req.VersionMismatch(); m != "" {
			vf.Status, vf.Message = finding.Warn, m
			vf = vf.WithFix("Check out, or install, the kernel tree of the kernel under test and pass it with --kernel-src.")
		} else if req.Kernel.Major > 0 {
			vf.Message += fmt.Sprintf(", as is the kernel under test (%s)", req.Kernel)
		}
		out = append(out, mk("kconfig.version", "selftests version", vf))
		if res.KconfigErr != nil {
			kf := finding.Result(finding.Warn, "%s", noTreeText(res.KconfigErr)).WithSource(req.Tree.Dir + "/Kconfig")
			out = append(out, mk("kconfig.tree", "tree Kconfig", kf.WithFix(treeFixText)))
		}
	}

	total, missing := len(res.Diff.Items), x.Missing()
	sum := finding.Result(finding.Pass, "all %d options are set", total).WithFact("missing", fmt.Sprint(missing)).WithFact("total", fmt.Sprint(total))
	if missing > 0 {
		roots := x.Roots()
		sum.Status = finding.Fail
		sum.Message = fmt.Sprintf("%d of %d options missing (%d root cause%s)", missing, total, roots, kconfigPlural(roots))
		if x.Tree {
			sum.Message += fmt.Sprintf("; the fix closes %d, the kernel's Kconfig refuses %d", missing-refusedMissing(x), refusedMissing(x))
		}
		text := "Write the missing lines as a fragment, root causes first, and merge it in the kernel tree with its own tooling."
		if !x.Tree && x.NoTree == "" {
			text += " With --kernel-src, bpfdoctor reads the tree's Kconfig: it names what hides each option and adds the parents the fragments assume."
		}
		sum = sum.WithFix(text, fixCmd, "scripts/kconfig/merge_config.sh .config bpf-selftests.config")
	}
	out = append(out, mk("kconfig.selftests", "selftests config", sum))

	seen := map[string]int{}
	for _, c := range x.Causes {
		if c.Kind == kconfig.CauseKeep {
			continue
		}
		id, title, f := causeFinding(c)
		if seen[id]++; seen[id] > 1 {
			id += fmt.Sprintf("-%d", seen[id])
		}
		out = append(out, mk(id, title, f))
	}
	return out
}

// refusedMissing counts the missing options the kernel refuses.
func refusedMissing(x *kconfig.Explanation) int {
	n := 0
	for _, it := range x.Diff.Missing() {
		if _, ok := x.Refused[it.Symbol]; ok {
			n++
		}
	}
	return n
}

// fixCmdFor turns the fix command back into the diff command.
func fixCmdFor(fixCmd, sub string) string {
	s := strings.Replace(fixCmd, "kconfig fix", "kconfig "+sub, 1)
	return strings.TrimSuffix(s, " -o bpf-selftests.config")
}

// causeFinding is one root cause as a finding, with the scripts/config
// line that sets its options when it is short enough to paste.
func causeFinding(c kconfig.Cause) (id, title string, f finding.Finding) {
	var syms []string
	for _, it := range c.Items {
		syms = append(syms, it.Symbol)
	}
	f = finding.Result(finding.Fail, "%s", c.Summary(0)).WithFact("options", strings.Join(syms, ","))
	if c.Root != "" {
		f = f.WithFact("root", c.Root)
	}
	lines := append([]kconfig.Entry(nil), c.Adds...)
	for _, it := range c.Items {
		if it.State != kconfig.OK {
			lines = append(lines, it.Entry)
		}
	}
	setText := "Set them as the fragment does."
	switch c.Kind {
	case kconfig.CauseParent:
		id, title = "kconfig.parent."+c.Root, "root cause"
		setText = fmt.Sprintf("Set CONFIG_%s first: the options it hides come with it.", c.Root)
		if len(c.Items) > 0 && c.Items[0].Symbol == c.Root {
			setText = fmt.Sprintf("Set %s first: the options it hides come with it.", c.Items[0].Entry)
		}
		if len(c.Adds) > 0 && c.Adds[0].Symbol == c.Root {
			setText = fmt.Sprintf("Set %s, which the fragments do not list: the options it hides come with it.", c.Adds[0])
		}
	case kconfig.CauseNotSet:
		id, title = "kconfig.not-set", "not set"
		f.Message = c.List(0)
	case kconfig.CauseModule:
		id, title = "kconfig.module", "=m, want =y"
		f.Message = c.List(0)
		setText = "Build them in."
	case kconfig.CauseValue:
		id, title = "kconfig.value", "other values"
		f.Message = c.List(0)
	case kconfig.CauseAbsent:
		id, title = "kconfig.absent", "absent"
		f.Message = c.List(0) + " (a dependency is off; --kernel-src names it)"
		if strings.HasPrefix(c.Text, "absent, though") {
			f.Message = c.List(0) + ": nothing in the tree's Kconfig hides them (is the config from another kernel version?)"
		}
		setText = "Set them; with --kernel-src bpfdoctor also adds what they depend on."
	case kconfig.CauseRefused:
		id, title = "kconfig.refused", "refused"
		if c.Root != "" {
			id += "." + c.Root
		}
		f.Message = c.Summary(0)
		f.Fix = &finding.Fix{Text: "The kernel's Kconfig will not take these as the fix writes them: change what the message names, or accept them missing."}
		return id, title, f
	case kconfig.CauseUnwanted:
		id, title = "kconfig.unwanted", "set, want off"
		f.Status = finding.Warn
		f.Message = c.List(0)
		setText = "Turn them off as the fragment does."
	}
	f.Fix = &finding.Fix{Text: setText}
	if len(lines) > 0 && len(lines) <= 12 {
		f.Fix.Commands = []string{scriptsConfig(lines)}
	} else if len(lines) > 12 {
		f.Fix.Text += fmt.Sprintf(" (%d lines: bpfdoctor kconfig fix writes them)", len(lines))
	}
	return id, title, f
}

// scriptsConfig is one scripts/config command that sets the entries.
func scriptsConfig(es []kconfig.Entry) string {
	parts := []string{"scripts/config --keep-case"}
	for _, e := range es {
		switch e.Kind {
		case kconfig.NotSet:
			parts = append(parts, "-d "+e.Symbol)
		case kconfig.Tristate:
			if e.Value == "m" {
				parts = append(parts, "-m "+e.Symbol)
			} else {
				parts = append(parts, "-e "+e.Symbol)
			}
		case kconfig.String:
			parts = append(parts, "--set-str "+e.Symbol+" "+shell.Quote(e.Value))
		default:
			parts = append(parts, "--set-val "+e.Symbol+" "+e.Value)
		}
	}
	return strings.Join(parts, " ")
}
