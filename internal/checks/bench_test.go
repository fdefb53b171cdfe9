package checks

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"
	"github.com/bpfdoctor/bpfdoctor/internal/testkit"

	"github.com/bpfdoctor/bpfdoctor/internal/host"
)

// BenchmarkRunAll is a full `bpfdoctor check` on this machine's real tools,
// /proc and /sys: what a user waits for. scripts/bench-check.sh puts it
// beside the external commands it runs.
func BenchmarkRunAll(b *testing.B) {
	testkit.Tools(b, "llc", "clang", "pahole")
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
	e := NewEnv(testkit.Fake{Timeout: host.DefaultTimeout}.Host(b))
	for b.Loop() {
		Run(context.Background(), e, cs)
	}
}

// BenchmarkSelftestsArea is the selftests area alone on the tree in
// BPFDOCTOR_KERNEL_SRC with the real tools; scripts/bench-selftests.sh
// puts it against a whole check.
func BenchmarkSelftestsArea(b *testing.B) {
	dir := os.Getenv("BPFDOCTOR_KERNEL_SRC")
	if dir == "" {
		b.Skip("no BPFDOCTOR_KERNEL_SRC")
	}
	testkit.Tools(b, "clang", "python3")
	var cs []Check
	for _, c := range All() {
		if c.Area == "selftests" {
			cs = append(cs, c)
		}
	}
	for b.Loop() {
		e := NewEnv(host.Real())
		e.KernelSrc = dir
		Run(context.Background(), e, cs)
	}
}
