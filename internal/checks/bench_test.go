package checks

import (
	"context"
	"fmt"
	"os/exec"
	"testing"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"

	"github.com/bpfdoctor/bpfdoctor/internal/host"
)

// BenchmarkRunAll is a full `bpfdoctor check` on this machine's real tools,
// /proc and /sys: what a user waits for. scripts/bench-check.sh puts it
// beside the external commands it runs.
func BenchmarkRunAll(b *testing.B) {
	for _, tool := range []string{"llc", "clang", "pahole"} {
		if _, err := exec.LookPath(tool); err != nil {
			b.Skipf("%s not on PATH", tool)
		}
	}
	h := host.Real()
	h.Path = append(h.Path, "/usr/sbin")
	for b.Loop() {
		Run(context.Background(), NewEnv(h), All())
	}
}

// BenchmarkRunner is the runner's own cost: goroutines, deadlines and
// panic guards around checks that do nothing.
func BenchmarkRunner(b *testing.B) {
	var cs []Check
	for i := range 30 {
		cs = append(cs, Check{ID: fmt.Sprintf("t.c%d", i), Area: "t", Run: func(context.Context, *Env) finding.Finding { return finding.Result(finding.Pass, "ok") }})
	}
	e := NewEnv(&host.Host{Root: b.TempDir(), Timeout: host.DefaultTimeout})
	for b.Loop() {
		Run(context.Background(), e, cs)
	}
}
