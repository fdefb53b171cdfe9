package checks

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"

	"github.com/bpfdoctor/bpfdoctor/internal/distro"
	"github.com/bpfdoctor/bpfdoctor/internal/host"
	"github.com/bpfdoctor/bpfdoctor/internal/pahole"
)

func init() {
	register([]Check{
		{ID: "pahole.version", Area: "pahole", Title: "pahole", Run: checkPaholeVersion,
			Looks: "`pahole --version`: >= 1.16 for BTF, and what each release added"},
		{ID: "pahole.btf-features", Area: "pahole", Title: "BTF features", Run: checkPaholeFeatures,
			Looks: "`pahole --supported_btf_features` (pahole >= 1.26)"},
		{ID: "pahole.kernel", Area: "pahole", Title: "pahole for this kernel", Run: checkPaholeKernel,
			Looks: "pahole against CONFIG_PAHOLE_VERSION, DEBUG_INFO_DWARF5 and kfunc tagging of the kernel config, and ENUM64 for kernels before 6.0"},
	})
}

type paholeProbe struct {
	path string
	v    pahole.Version
}

var paholeFact = &fact[*paholeProbe]{"pahole"}

// Pahole finds pahole and reads its version. Without pahole on PATH it
// returns an error wrapping ErrNotFound.
func (e *Env) Pahole() (*paholeProbe, error) {
	return memo(e, paholeFact, func() (*paholeProbe, error) {
		path, err := e.Host.LookPath("pahole")
		if err != nil {
			return nil, fmt.Errorf("pahole %w", ErrNotFound)
		}
		p := &paholeProbe{path: path}
		out, err := e.run(path, "--version")
		if err != nil {
			return p, err
		}
		if p.v, err = pahole.ParseVersion(string(out.Stdout)); err != nil {
			return p, fmt.Errorf("read `%s --version`: %w (first line: %q)", path, err, host.FirstLine(out.Stdout))
		}
		return p, nil
	})
}

func (e *Env) paholeFix(text string) *finding.Fix {
	f := e.install(text, distro.Pahole)
	f.Commands = append(f.Commands, "bpfdoctor bootstrap pahole")
	return f
}

func checkPaholeVersion(_ context.Context, e *Env) finding.Finding {
	p, err := e.Pahole()
	if errors.Is(err, ErrNotFound) {
		f := finding.Result(finding.Fail, "pahole not found: kernels with CONFIG_DEBUG_INFO_BTF cannot be built")
		f.Fix = e.paholeFix("Install pahole (package dwarves on most distributions), or build a release that carries its own libbpf.")
		return f
	}
	if err != nil {
		return cmdError(err)
	}
	have, missing := pahole.CapabilitiesOf(p.v)
	f := finding.Result(finding.Pass, "pahole %s at %s", p.v, p.path).
		WithSource(p.path+" --version").
		WithFact("version", p.v.String()).
		WithFact("path", p.path)
	for _, c := range have {
		f = f.WithDetails(fmt.Sprintf("%s yes: %s", c.Since, c.What))
	}
	for _, c := range missing {
		f = f.WithDetails(fmt.Sprintf("%s no:  %s", c.Since, c.What))
	}
	if p.v.Less(pahole.MinBTF) {
		f.Status = finding.Fail
		f.Message = fmt.Sprintf("pahole %s is older than %s: the kernel cannot be built with BTF (CONFIG_DEBUG_INFO_BTF)", p.v, pahole.MinBTF)
		f.Fix = &finding.Fix{Text: fmt.Sprintf("Upgrade to pahole >= %s; where your distribution has none, build a release.", pahole.MinBTF),
			Commands: []string{"bpfdoctor bootstrap pahole"}}
	}
	return f
}

func checkPaholeFeatures(_ context.Context, e *Env) finding.Finding {
	p, err := e.Pahole()
	if err != nil {
		return finding.Result(finding.Skip, "no usable pahole")
	}
	// Makefile.btf: "Switch to using --btf_features for v1.26 and later";
	// --supported_btf_features came with it (changes-v1.26, not rechecked).
	since := pahole.Version{Major: 1, Minor: 26}
	if p.v.Less(since) {
		return finding.Result(finding.Skip, "pahole %s predates --supported_btf_features (%s)", p.v, since)
	}
	out, err := e.run(p.path, "--supported_btf_features")
	if err != nil {
		return cmdError(err)
	}
	feats, err := pahole.ParseSupportedBTFFeatures(string(out.Stdout))
	if err != nil {
		return finding.Result(finding.Error, "read `pahole --supported_btf_features`: %v", err)
	}
	return finding.Result(finding.Pass, "%s", strings.Join(feats, ", ")).
		WithSource(p.path+" --supported_btf_features").
		WithFact("btf_features", strings.Join(feats, ","))
}

func checkPaholeKernel(_ context.Context, e *Env) finding.Finding {
	p, err := e.Pahole()
	if err != nil {
		return finding.Result(finding.Skip, "no usable pahole")
	}
	cfg, path, err := e.KernelConfig()
	if err != nil {
		return finding.Result(finding.Skip, "no kernel config to compare with (see kernel.config)")
	}
	built, _ := cfg.Int("PAHOLE_VERSION")
	// lib/Kconfig.debug: DEBUG_INFO_BTF "depends on DEBUG_INFO_DWARF4 ||
	// PAHOLE_VERSION >= 121", so the toolchain's default (DWARF5 from GCC
	// 11) asks for 1.21 as DWARF5 does.
	dwarf5 := false
	for _, sym := range []string{"DEBUG_INFO_DWARF5", "DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT"} {
		if en, ok := cfg.Lookup(sym); ok && en.Value == "y" {
			dwarf5 = true
		}
	}
	kv := e.configKernelVersion(cfg)
	var unmet []pahole.KernelNeed
	for _, n := range pahole.KernelNeeds(built, dwarf5, kv.Major, kv.Minor) {
		if p.v.Less(n.Min) {
			unmet = append(unmet, n)
		}
	}
	f := finding.Result(finding.Pass, "pahole %s meets what %s asks", p.v, path).WithSource(path)
	if built > 0 {
		f = f.WithFact("config_pahole_version", fmt.Sprint(built))
		f.Message = fmt.Sprintf("pahole %s; the kernel was built with pahole %s", p.v, pahole.FromNumeric(built))
	}
	if conflicts := pahole.KernelConflicts(p.v, built, kv.Major, kv.Minor); len(conflicts) > 0 && len(unmet) == 0 {
		f.Status = finding.Warn
		f.Message = fmt.Sprintf("pahole %s is too new for kernel %d.%d: %s", p.v, kv.Major, kv.Minor, conflicts[0].Why)
		for _, c := range conflicts {
			f = f.WithDetails(fmt.Sprintf("from %s: %s", c.From, c.Why))
		}
		f.Fix = &finding.Fix{Text: fmt.Sprintf("Build this kernel with pahole older than %s (bpfdoctor bootstrap pahole builds a chosen release), or add --skip_encoding_btf_enum64 to its pahole flags (scripts/pahole-flags.sh or PAHOLE_FLAGS), as the stable branches do.", conflicts[0].From),
			Commands: []string{"bpfdoctor bootstrap pahole"}}
		return f
	}
	if len(unmet) > 0 {
		top := slices.MaxFunc(unmet, func(a, b pahole.KernelNeed) int {
			switch {
			case a.Min.Less(b.Min):
				return -1
			case b.Min.Less(a.Min):
				return 1
			}
			return 0
		})
		f.Status = finding.Warn
		f.Message = fmt.Sprintf("pahole %s is older than the %s this kernel config needs: %s", p.v, top.Min, top.Why)
		for _, n := range unmet {
			f = f.WithDetails(fmt.Sprintf("needs %s: %s", n.Min, n.Why))
		}
		f.Fix = &finding.Fix{Text: "Building this kernel with the same BTF needs a newer pahole than the one installed; where your distribution has none, build a release.",
			Commands: []string{"bpfdoctor bootstrap pahole"}}
	}
	return f
}
