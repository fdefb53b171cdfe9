package render

import (
	"bufio"
	"fmt"
	"io"
	"slices"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"
)

// triageRows are what a maintainer asks first, in the order they ask it,
// each read from the finding of one check.
var triageRows = []struct{ label, id string }{
	{"kernel", "kernel.release"},
	{"kernel config", "kernel.config"},
	{"BTF", "kernel.btf"},
	{"JIT", "kernel.jit"},
	{"unprivileged BPF", "kernel.unprivileged"},
	{"llc", "llvm.llc"},
	{"BPF targets", "llvm.bpf-targets"},
	{"LLVM CPU levels", "llvm.cpu"},
	{"clang", "clang.version"},
	{"pahole", "pahole.version"},
	{"bpftool", "libbpf.bpftool"},
	{"libbpf", "libbpf.version"},
	{"selftests config", "kconfig.selftests"},
}

// Triage writes the paste-able report for a bug report or a mailing list:
// the versions and settings a maintainer asks for, then every finding that
// is not a pass, with its fix.
func Triage(w io.Writer, r Report) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "### bpfdoctor report\n\n")
	fmt.Fprintf(bw, "| | |\n|---|---|\n")
	fmt.Fprintf(bw, "| bpfdoctor | %s |\n", mdCell(r.Version))
	if r.OS != "" {
		fmt.Fprintf(bw, "| distribution | %s |\n", mdCell(r.OS))
	}
	for _, row := range triageRows {
		i := slices.IndexFunc(r.Findings, func(f finding.Finding) bool { return f.ID == row.id })
		if i < 0 {
			continue
		}
		f := r.Findings[i]
		cell := mdCell(f.Message)
		if f.Status != finding.Pass {
			cell = f.Status.String() + ": " + cell
		}
		fmt.Fprintf(bw, "| %s | %s |\n", row.label, cell)
	}
	fmt.Fprintf(bw, "\n%s\n", summary(r.Findings))
	writeMarkdownProblems(bw, r.Findings, false)
	return bw.Flush()
}
