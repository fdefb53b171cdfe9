package host

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// A tool that exits 0 but leaves a background child holding its stdout:
// its output is used, and the child is killed with the process group
// rather than outliving bpfdoctor.
func TestRunToolLeavesChildHoldingStdout(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	h := tools(t, map[string]string{"leaver": "echo ok\n/bin/sleep 30 &\necho $! > " + pidFile})
	start := time.Now()
	out, err := h.Run(context.Background(), "leaver", "--version")
	if err != nil {
		t.Fatalf("err = %v, want the tool's output used", err)
	}
	if string(out.Stdout) != "ok\n" {
		t.Errorf("stdout = %q, want %q", out.Stdout, "ok\n")
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("Run took %s", el)
	}
	waitGone(t, pidFile)
}

// On a busy machine the goroutines reading a tool's pipes may not run for a
// while after the tool exited; its output is still in the pipe and must
// be used, not cut off with "WaitDelay expired". One P and many spinning
// goroutines make the reader wait its turn for hundreds of milliseconds.
func TestRunUnderLoad(t *testing.T) {
	h := tools(t, map[string]string{"ok": "echo ok"})
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			var x uint64
			for !stop.Load() {
				x = spin(x)
			}
			sink.Add(x)
		})
	}
	defer func() { stop.Store(true); wg.Wait() }()
	for i := range 3 {
		out, err := h.Run(context.Background(), "ok")
		if err != nil || string(out.Stdout) != "ok\n" {
			t.Fatalf("run %d: stdout %q, err %v", i, out.Stdout, err)
		}
	}
}

// sink keeps the compiler from dropping the spinning.
var sink atomic.Uint64

func spin(x uint64) uint64 {
	for i := range uint64(1 << 20) {
		x = x*31 + i
	}
	return x
}

// A child that left the process group (setsid) cannot be killed with it;
// the tool's output is still used, after a bounded wait for the pipe.
func TestRunChildEscapedGroup(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	h := tools(t, map[string]string{"escaper": "echo ok\nsetsid /bin/sh -c 'echo $$ > " + pidFile + "; exec /bin/sleep 30' &\n" +
		"while [ ! -s " + pidFile + " ]; do /bin/sleep 0.01; done"})
	start := time.Now()
	out, err := h.Run(context.Background(), "escaper")
	el := time.Since(start)
	if b, rerr := os.ReadFile(pidFile); rerr == nil {
		if pid, aerr := strconv.Atoi(strings.TrimSpace(string(b))); aerr == nil {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	if err != nil || string(out.Stdout) != "ok\n" {
		t.Fatalf("stdout %q, err %v; want the output used", out.Stdout, err)
	}
	if el > drainGrace+time.Second {
		t.Errorf("Run took %s", el)
	}
}

// Standard input is /dev/null without RunIn, and what RunIn gives.
func TestRunStdin(t *testing.T) {
	h := tools(t, map[string]string{"cat": "exec /bin/cat"})
	out, err := h.Run(context.Background(), "cat")
	if err != nil || len(out.Stdout) != 0 {
		t.Errorf("Run: stdout %q, err %v", out.Stdout, err)
	}
	out, err = h.RunIn(context.Background(), strings.NewReader("in\n"), "cat")
	if err != nil || string(out.Stdout) != "in\n" {
		t.Errorf("RunIn: stdout %q, err %v", out.Stdout, err)
	}
}
