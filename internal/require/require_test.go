package require

import (
	"strings"
	"testing"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"
)

func findings() []finding.Finding {
	return []finding.Finding{
		{ID: "clang.version", Status: finding.Pass, Message: "clang 14.0.6", Facts: map[string]string{"version": "14.0.6"}},
		{ID: "llvm.llc", Status: finding.Pass, Message: "llc 14.0.6", Facts: map[string]string{"version": "14.0.6"}},
		{ID: "llvm.cpu", Status: finding.Pass, Message: "generic, probe, v1, v2, v3", Facts: map[string]string{"cpus": "generic,probe,v1,v2,v3"}},
		{ID: "pahole.version", Status: finding.Pass, Message: "pahole 1.24", Facts: map[string]string{"version": "1.24"}},
		{ID: "libbpf.bpftool", Status: finding.Pass, Facts: map[string]string{"version": "7.1.0"}},
		{ID: "libbpf.version", Status: finding.Warn, Message: "no libbpf development files", Fix: &finding.Fix{Commands: []string{"apt-get install -y libbpf-dev"}}},
		{ID: "kernel.btf", Status: finding.Fail, Message: "/sys/kernel/btf/vmlinux is missing"},
	}
}

func TestJudge(t *testing.T) {
	tests := []struct {
		expr   string
		status finding.Status
		msg    string
	}{
		{"clang>=14", finding.Pass, "clang 14.0.6"},
		{"clang>=17", finding.Fail, "clang 14.0.6 does not satisfy >=17"},
		{"llvm>=14,<22", finding.Pass, "LLVM (llc) 14.0.6"},
		{"llvm >= 18, < 22", finding.Fail, "LLVM (llc) 14.0.6 does not satisfy >= 18, < 22"},
		{"pahole>=1.24", finding.Pass, "pahole 1.24"},
		{"pahole>=1.26", finding.Fail, "pahole 1.24 does not satisfy >=1.26"},
		{"pahole~1.24", finding.Pass, "pahole 1.24"},
		{"bpftool>=7.4", finding.Fail, "bpftool 7.1.0 does not satisfy >=7.4"},
		{"libbpf>=1.0", finding.Fail, "no libbpf version found: no libbpf development files"},
		{"llc.cpu=v3", finding.Pass, "llc has CPU level v3"},
		{"llc.cpu=v4", finding.Fail, "llc has no CPU level v4 (it has generic, probe, v1, v2, v3)"},
		{"btf", finding.Fail, "kernel BTF (/sys/kernel/btf/vmlinux): /sys/kernel/btf/vmlinux is missing"},
		{"kconfig", finding.Error, "kconfig.selftests was not checked"},
	}
	var r Requirement
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			r, err := Parse(tt.expr)
			if err != nil {
				t.Fatal(err)
			}
			f := r.Judge("require."+r.Name, findings())
			if f.Status != tt.status || f.Message != tt.msg {
				t.Errorf("got %s %q, want %s %q", f.Status, f.Message, tt.status, tt.msg)
			}
			if f.Area != "require" || f.ID != "require."+r.Name || f.Title != r.Expr {
				t.Errorf("identity: %+v", f)
			}
		})
	}
	// A bound the installed tool misses names the command that meets it.
	r, _ = Parse("pahole>=1.30")
	if f := r.Judge("require.pahole", findings()); f.Fix == nil || f.Fix.Commands[0] != "bpfdoctor bootstrap pahole" {
		t.Errorf("fix = %+v", f.Fix)
	}
	// A failed requirement carries the fix of the check it read.
	r, _ = Parse("libbpf>=1.0")
	if f := r.Judge("require.libbpf", findings()); f.Fix == nil || f.Fix.Commands[0] != "apt-get install -y libbpf-dev" {
		t.Errorf("fix = %+v", f.Fix)
	}
}

func TestParseErrors(t *testing.T) {
	for expr, want := range map[string]string{
		"gcc>=12":       `unknown name "gcc"`,
		"clang":         "want a version constraint, e.g. clang>=17",
		"clang>=banana": `parse --require "clang>=banana"`,
		"btf>=1":        "btf takes no version",
		"llc.cpu>v3":    "want llc.cpu=LEVEL",
		"llc.cpu=":      "want llc.cpu=LEVEL",
		"":              `unknown name ""`,
	} {
		_, err := Parse(expr)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want an error containing %q", expr, err, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"clang>=17", "llvm>=18,<22", "llc.cpu=v4", "btf", "pahole~1.26", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		r, err := Parse(expr)
		if err == nil {
			r.Judge("require.x", findings())
		}
	})
}

// Each documented example is a valid expression of its own name.
func TestDocs(t *testing.T) {
	docs := Docs()
	if len(docs) != len(Names()) {
		t.Fatalf("%d docs for %d names", len(docs), len(Names()))
	}
	for _, d := range docs {
		r, err := Parse(d.Example)
		if err != nil || r.Name != d.Name || d.Holds == "" {
			t.Errorf("%+v: parsed as %q, %v", d, r.Name, err)
		}
	}
}
