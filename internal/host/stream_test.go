package host

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to read while a command writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestStream(t *testing.T) {
	h := tools(t, map[string]string{
		"build":  `echo "dir=$(pwd)"; echo "extra=$EXTRA"; echo to-stderr >&2; echo last`,
		"fails":  "echo compiling; echo 'error: boom' >&2; exit 2",
		"status": `printf '[1/3] cc a.c\n[2/3] cc b.c\r\n\n[3/3] link\nno newline'`,
	})
	dir := t.TempDir()
	var out syncBuffer
	err := h.Stream(context.Background(), StreamOptions{Dir: dir, Env: []string{"EXTRA=yes"}, Out: &out}, "build")
	if err != nil {
		t.Fatal(err)
	}
	want := "dir=" + dir + "\nextra=yes\nto-stderr\nlast\n"
	if out.String() != want {
		t.Errorf("output = %q, want %q (stdout and stderr in order)", out.String(), want)
	}

	out = syncBuffer{}
	err = h.Stream(context.Background(), StreamOptions{Out: &out}, "fails", "--all")
	var ce *CmdError
	if !errors.As(err, &ce) || ce.ExitCode != 2 {
		t.Fatalf("err = %v, want exit status 2", err)
	}
	if err.Error() != "`fails --all` exited with status 2" {
		t.Errorf("err = %q", err)
	}
	if !strings.Contains(out.String(), "error: boom") {
		t.Errorf("stderr not streamed: %q", out.String())
	}

	var lines []string
	out = syncBuffer{}
	err = h.Stream(context.Background(), StreamOptions{Out: &out, OnLine: func(l string) { lines = append(lines, l) }}, "status")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(lines, "|") != "[1/3] cc a.c|[2/3] cc b.c|[3/3] link|no newline" {
		t.Errorf("lines = %q", lines)
	}
	if out.String() != "[1/3] cc a.c\n[2/3] cc b.c\r\n\n[3/3] link\nno newline" {
		t.Errorf("Out = %q, want every byte", out.String())
	}

	if err := h.Stream(context.Background(), StreamOptions{}, "missing"); !NotFound(err) {
		t.Errorf("missing tool: %v", err)
	}
}

// Cancelling ctx is Ctrl-C: the group gets SIGINT first, so a tool that
// cleans up on SIGINT (ninja) gets to do it.
func TestStreamInterruptIsSIGINT(t *testing.T) {
	h := tools(t, map[string]string{
		"build": "trap 'echo cleaned up; exit 130' INT\necho started\nwhile :; do /bin/sleep 0.05; done",
	})
	var out syncBuffer
	ctx := cancelOnOutput(&out, "started")
	start := time.Now()
	err := h.Stream(ctx, StreamOptions{Out: &out, Grace: 5 * time.Second}, "build")
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("took %s: SIGINT was not delivered, the grace period ran out", el)
	}
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "interrupted") {
		t.Errorf("err = %v, want interrupted", err)
	}
	if !strings.Contains(out.String(), "cleaned up") {
		t.Errorf("no SIGINT handler ran: %q", out.String())
	}
}

// A command that ignores SIGINT, and the grandchildren it started, are
// killed when the grace period ends.
func TestStreamInterruptKillsGroupAfterGrace(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	h := tools(t, map[string]string{
		"stubborn": "trap '' INT\n(trap '' INT; exec /bin/sleep 30) &\necho $! > " + pidFile + "\necho started\nwhile :; do /bin/sleep 0.05; done",
	})
	var out syncBuffer
	ctx := cancelOnOutput(&out, "started")
	start := time.Now()
	err := h.Stream(ctx, StreamOptions{Out: &out, Grace: 200 * time.Millisecond}, "stubborn")
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("took %s", el)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
	waitGone(t, pidFile)
}

// Stream has no deadline of its own: the host's probe timeout must not
// apply to builds.
func TestStreamIgnoresProbeTimeout(t *testing.T) {
	h := tools(t, map[string]string{"slow": "/bin/sleep 0.5; echo done"})
	h.Timeout = 50 * time.Millisecond
	var out syncBuffer
	if err := h.Stream(context.Background(), StreamOptions{Out: &out}, "slow"); err != nil {
		t.Fatal(err)
	}
	if out.String() != "done\n" {
		t.Errorf("out = %q", out.String())
	}
}

func TestStreamAlreadyCancelled(t *testing.T) {
	h := tools(t, map[string]string{"x": "echo ran"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out syncBuffer
	if err := h.Stream(ctx, StreamOptions{Out: &out}, "x"); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
	if out.String() != "" {
		t.Errorf("ran anyway: %q", out.String())
	}
}

func TestTailLines(t *testing.T) {
	p := filepath.Join(t.TempDir(), "build.log")
	var b strings.Builder
	for i := range 2000 {
		b.WriteString("line " + strconv.Itoa(i) + "\n")
	}
	b.WriteString("\x1b[31merror:\x00 boom\n")
	os.WriteFile(p, []byte(b.String()), 0o644)
	got, err := TailLines(p, 3)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "|") != "line 1998|line 1999|?[31merror:? boom" {
		t.Errorf("tail = %q", got)
	}
	if _, err := TailLines(filepath.Join(t.TempDir(), "none"), 3); err == nil {
		t.Error("no error for a missing log")
	}
}

// cancelOnOutput returns a context cancelled once out holds want: the
// interrupt comes when the command is running, not before it starts.
func cancelOnOutput(out *syncBuffer, want string) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for !strings.Contains(out.String(), want) {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
	}()
	return ctx
}
