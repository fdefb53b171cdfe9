// Package require turns `--require` expressions ('clang>=17', 'llc.cpu=v4',
// 'btf') into findings judged on the facts a check run found, so a CI image
// can demand exact versions and features.
package require

import (
	"fmt"
	"slices"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/bpfdoctor/bpfdoctor/internal/clip"
	"github.com/bpfdoctor/bpfdoctor/internal/finding"
)

// A subject is what an expression can name: the check whose finding holds
// the fact, and how to read it.
type subject struct {
	check string // the ID of the check that finds it
	what  string // for messages
	kind  int
	fix   string // the command that meets a higher bound, when the check's own fix does not apply
	// For the flag help and the README: an expression, and when it holds.
	example, holds string
}

const (
	version = iota // a version fact, compared with semver constraints
	cpu            // llc.cpu=vN: a CPU level in the llvm.cpu finding
	passes         // bare: the check passes
)

var subjects = map[string]subject{
	"clang":   {"clang.version", "clang", version, "bpfdoctor bootstrap llvm", "clang>=17", "clang's version satisfies the constraint"},
	"llvm":    {"llvm.llc", "LLVM (llc)", version, "bpfdoctor bootstrap llvm", "llvm>=18", "llc's version satisfies it"},
	"llc":     {"llvm.llc", "llc", version, "bpfdoctor bootstrap llvm", "llc>=18", "llc's version satisfies it (the same as `llvm`)"},
	"pahole":  {"pahole.version", "pahole", version, "bpfdoctor bootstrap pahole", "pahole>=1.26", "pahole's version satisfies it"},
	"bpftool": {"libbpf.bpftool", "bpftool", version, "", "bpftool>=7.4", "bpftool's version satisfies it"},
	"libbpf":  {"libbpf.version", "libbpf", version, "", "libbpf>=1.4", "libbpf's version satisfies it"},
	"llc.cpu": {"llvm.cpu", "llc CPU level", cpu, "bpfdoctor bootstrap llvm", "llc.cpu=v4", "`llc -mcpu=help` lists that CPU level"},
	"btf":     {"kernel.btf", "kernel BTF (/sys/kernel/btf/vmlinux)", passes, "", "btf", "`/sys/kernel/btf/vmlinux` exists"},
	"kconfig": {"kconfig.selftests", "the BPF selftests kernel config", passes, "", "kconfig", "the kernel config meets the BPF selftests fragment (`kconfig.selftests`)"},
}

// Names lists what an expression may name, for usage messages.
func Names() []string {
	var n []string
	for k := range subjects {
		n = append(n, k)
	}
	slices.Sort(n)
	return n
}

// Doc is one name an expression may use, for the flag help and the README:
// an example expression, and when it holds.
type Doc struct{ Name, Example, Holds string }

// Docs lists every name with its example, in Names order.
func Docs() []Doc {
	var d []Doc
	for _, n := range Names() {
		d = append(d, Doc{n, subjects[n].example, subjects[n].holds})
	}
	return d
}

// Requirement is one parsed --require expression.
type Requirement struct {
	Expr    string
	Name    string
	subject subject
	cons    *semver.Constraints
	want    string // the constraint as written
	cpu     string
}

// Parse reads an expression: NAME, NAME<constraints> for versions (any
// Masterminds/semver constraint: '>=17', '>=18,<22', '~1.26'), or
// llc.cpu=LEVEL.
func Parse(expr string) (Requirement, error) {
	e := strings.TrimSpace(expr)
	i := strings.IndexAny(e, "<>=!~^")
	name, rest := e, ""
	if i >= 0 {
		name, rest = strings.TrimSpace(e[:i]), strings.TrimSpace(e[i:])
	}
	s, ok := subjects[name]
	// Messages quote the expression once and clipped: it is outside text
	// and may be huge.
	known := strings.Join(Names(), ", ")
	if !ok && name == e {
		return Requirement{}, fmt.Errorf("parse --require: unknown name %q (known: %s)", clip.String(name, clip.Short), known)
	}
	expr = clip.String(expr, clip.Short)
	if !ok {
		return Requirement{}, fmt.Errorf("parse --require %q: unknown name %q (known: %s)", expr, clip.String(name, clip.Short), known)
	}
	r := Requirement{Expr: e, Name: name, subject: s}
	switch s.kind {
	case passes:
		if rest != "" {
			return Requirement{}, fmt.Errorf("parse --require %q: %s takes no version", expr, name)
		}
	case cpu:
		level, ok := strings.CutPrefix(rest, "=")
		level = strings.TrimPrefix(level, "=") // accept == too
		if !ok || level == "" || strings.ContainsAny(level, "<>=!~^, ") {
			return Requirement{}, fmt.Errorf("parse --require %q: want %s=LEVEL, e.g. llc.cpu=v4", expr, name)
		}
		r.cpu = level
	case version:
		if rest == "" {
			return Requirement{}, fmt.Errorf("parse --require %q: want a version constraint, e.g. %s>=17", expr, name)
		}
		c, err := semver.NewConstraint(rest)
		if err != nil {
			// semver quotes the constraint back: clipped, like expr.
			return Requirement{}, fmt.Errorf("parse --require %q: %s", expr, clip.String(err.Error(), 2*clip.Short))
		}
		r.cons, r.want = c, rest
	}
	return r, nil
}

// Check is the ID of the check whose finding the requirement reads; the
// caller must run it.
func (r Requirement) Check() string { return r.subject.check }

// Judge returns the requirement's finding, read from the run's findings.
// id is its stable ID (require.clang, or require.clang-2 for a second one).
func (r Requirement) Judge(id string, fs []finding.Finding) finding.Finding {
	out := finding.Finding{ID: id, Area: "require", Title: r.Expr}
	i := slices.IndexFunc(fs, func(f finding.Finding) bool { return f.ID == r.subject.check })
	if i < 0 {
		out.Status, out.Message = finding.Error, fmt.Sprintf("%s was not checked", r.subject.check)
		return out
	}
	src := fs[i]
	out.Source = src.ID
	fail := func(format string, args ...any) finding.Finding {
		out.Status, out.Message = finding.Fail, fmt.Sprintf(format, args...)
		out.Fix = src.Fix
		if src.Status == finding.Pass && r.subject.fix != "" {
			// The check is content with what is installed; the bound
			// asks for more.
			out.Fix = &finding.Fix{Text: "Install a newer " + r.subject.what + ".", Commands: []string{r.subject.fix}}
		} else if out.Fix == nil {
			out.Fix = &finding.Fix{Text: "See " + src.ID + " (bpfdoctor list)."}
		}
		return out
	}
	switch r.subject.kind {
	case passes:
		if src.Status != finding.Pass {
			return fail("%s: %s", r.subject.what, src.Message)
		}
		out.Status, out.Message = finding.Pass, r.subject.what+": "+src.Message
	case cpu:
		levels := strings.Split(src.Facts["cpus"], ",")
		if src.Facts["cpus"] == "" {
			return fail("no CPU levels known: %s", src.Message)
		}
		if !slices.Contains(levels, r.cpu) {
			return fail("llc has no CPU level %s (it has %s)", r.cpu, strings.Join(levels, ", "))
		}
		out.Status, out.Message = finding.Pass, "llc has CPU level "+r.cpu
	case version:
		raw := src.Facts["version"]
		if raw == "" {
			return fail("no %s version found: %s", r.subject.what, src.Message)
		}
		v, err := semver.NewVersion(raw)
		if err != nil {
			out.Status, out.Message = finding.Error, fmt.Sprintf("read %s version %q: %v", r.subject.what, raw, err)
			return out
		}
		if !r.cons.Check(v) {
			return fail("%s %s does not satisfy %s", r.subject.what, raw, r.want)
		}
		out.Status, out.Message = finding.Pass, fmt.Sprintf("%s %s", r.subject.what, raw)
	}
	return out
}
