package ktree

import (
	"context"
	"fmt"

	"github.com/bpfdoctor/bpfdoctor/internal/kconfig"
	"github.com/bpfdoctor/bpfdoctor/internal/kconfiglang"
	"github.com/bpfdoctor/bpfdoctor/internal/kver"
)

// Request says what to judge and against which fragments; the command
// and the kconfig.selftests check fill it from flags and the machine.
type Request struct {
	Config *kconfig.Config
	// Kernel is the version of the kernel under test (zero when
	// unknown); KernelFrom says where it was read.
	Kernel     kver.Version
	KernelFrom string
	// Arch picks config.<arch> (nil: none); ArchFrom says where it came
	// from.
	Arch     *kconfig.Arch
	ArchFrom string
	VM       bool // add config.vm
	// Tree is a kernel tree (--kernel-src): its fragments, unless
	// Fragments or Set say otherwise, and its Kconfig to explain with.
	Tree *Tree
	// Fragments are explicit files (--fragment); they win over the rest.
	Fragments []kconfig.Fragment
	// Set forces a built-in set by name (--set).
	Set string
}

// Result is a judged config.
type Result struct {
	Set         *kconfig.FragmentSet
	Diff        *kconfig.Diff
	Explanation *kconfig.Explanation
	// KconfigErr is why the tree's Kconfig could not explain the diff,
	// which is then grouped by name only: a syntax error or a source loop
	// names its file and line. Reports show it as a warning, and the fix
	// file's header repeats it.
	KconfigErr error
}

// Judge picks the fragment set, compares the config with it and groups
// the difference by root cause. Its errors are bad input: an unknown
// --set, a tree without the selftests' config.
func Judge(r Request) (*Result, error) {
	return JudgeContext(context.Background(), r)
}

// JudgeContext is Judge that stops when ctx is done (Ctrl-C): reading a
// big tree's Kconfig looks at ctx as it goes, and the explanation is not
// started after it. The error then wraps ctx's cause.
func JudgeContext(ctx context.Context, r Request) (*Result, error) {
	set, err := chooseSet(r)
	if err != nil {
		return nil, err
	}
	res := &Result{Set: set, Diff: kconfig.Compare(r.Config, set)}
	var k *kconfiglang.Kconfig
	if r.Tree != nil {
		if r.Arch == nil {
			res.KconfigErr = fmt.Errorf("read Kconfig of %s: no architecture known (use --arch)", r.Tree.Dir)
		} else if k, err = r.Tree.KconfigContext(ctx, *r.Arch); err != nil {
			res.KconfigErr = err
			k = nil
		}
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("judge %s: %w", r.Config.Source, context.Cause(ctx))
	}
	res.Explanation = kconfiglang.Explain(res.Diff, r.Config, k)
	if ctx.Err() != nil {
		return nil, fmt.Errorf("judge %s: %w", r.Config.Source, context.Cause(ctx))
	}
	if res.KconfigErr != nil {
		res.Explanation.NoTree = res.KconfigErr.Error()
	}
	return res, nil
}

func chooseSet(r Request) (*kconfig.FragmentSet, error) {
	switch {
	case len(r.Fragments) > 0:
		s := kconfig.NewFragmentSet("--fragment", r.Fragments)
		s.Why = "given with --fragment"
		return s, nil
	case r.Set != "":
		e, err := kconfig.LookupEmbedded(r.Set)
		if err != nil {
			return nil, err
		}
		s, err := e.Load(r.Arch, r.VM)
		if err != nil {
			return nil, err
		}
		s.Why = "chosen with --set"
		return s, nil
	case r.Tree != nil:
		return r.Tree.Fragments(r.Arch, r.VM)
	}
	e, why := kconfig.ChooseEmbedded(r.Kernel)
	s, err := e.Load(r.Arch, r.VM)
	if err != nil {
		return nil, err
	}
	s.Why = why
	if r.KernelFrom != "" && r.Kernel.Major > 0 {
		s.Why += "; kernel version from " + r.KernelFrom
	}
	return s, nil
}

// VersionMismatch says, for a tree, whether its selftests are of another
// kernel series than the kernel under test: "" when they match or either
// is unknown.
func (r Request) VersionMismatch() string {
	if r.Tree == nil || r.Kernel.Major == 0 || r.Tree.Version.Compare(r.Kernel) == 0 {
		return ""
	}
	return fmt.Sprintf("the selftests tree is Linux %s but the kernel under test is %s: run the selftests of the same kernel",
		r.Tree.Version, r.Kernel)
}
