package host

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/bpfdoctor/bpfdoctor/internal/clip"
)

// Output is what a finished command printed.
type Output struct {
	Stdout, Stderr []byte
	Elapsed        time.Duration
}

// CmdError says why a command did not give a usable result. Its message
// names the command, so a finding built from it tells the user what to run.
type CmdError struct {
	Cmd      string // the command line, shortened to the tool's base name
	TimedOut bool
	Timeout  time.Duration
	ExitCode int    // -1 when it did not exit by itself
	Stderr   string // first non-empty line of stderr
	Err      error
}

func (e *CmdError) Error() string {
	switch {
	case e.TimedOut:
		return fmt.Sprintf("`%s` did not finish within %s and was killed", e.Cmd, e.Timeout)
	case e.ExitCode > 0 && e.Stderr != "":
		return fmt.Sprintf("`%s` exited with status %d: %s", e.Cmd, e.ExitCode, e.Stderr)
	case e.ExitCode > 0:
		return fmt.Sprintf("`%s` exited with status %d", e.Cmd, e.ExitCode)
	default:
		return fmt.Sprintf("run `%s`: %v", e.Cmd, e.Err)
	}
}

func (e *CmdError) Unwrap() error { return e.Err }

// NotFound reports whether err says the tool does not exist.
func NotFound(err error) bool { return errors.Is(err, exec.ErrNotFound) }

// Run runs a command with the host's deadline and returns its output. The
// command gets its own process group, and the whole group is killed at the
// deadline: a tool that forks a child which hangs must not hang the doctor.
func (h *Host) Run(ctx context.Context, name string, args ...string) (Output, error) {
	return h.RunIn(ctx, nil, name, args...)
}

// RunIn is Run with standard input.
func (h *Host) RunIn(ctx context.Context, stdin io.Reader, name string, args ...string) (Output, error) {
	return h.run(ctx, stdin, nil, name, args...)
}

// RunTo is Run with standard output going to a file: a tool that writes
// megabytes in small writes (bpftool's vmlinux.h) runs twice as fast into a
// file as into a pipe. Output.Stdout is then empty.
func (h *Host) RunTo(ctx context.Context, stdout *os.File, name string, args ...string) (Output, error) {
	return h.run(ctx, nil, stdout, name, args...)
}

func (h *Host) run(ctx context.Context, stdin io.Reader, stdoutFile *os.File, name string, args ...string) (Output, error) {
	path := name
	if !strings.ContainsRune(name, '/') {
		p, err := h.LookPath(name)
		if err != nil {
			return Output{}, err
		}
		path = p
	}
	timeout := h.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = h.Env
	cmd.Stdin = stdin
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &limitWriter{w: &stdout, n: maxOutput}
	if stdoutFile != nil {
		cmd.Stdout = stdoutFile
	}
	cmd.Stderr = &limitWriter{w: &stderr, n: maxOutput}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		// Negative pid: the whole process group.
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	// A grandchild that inherited our pipes would keep Wait blocked.
	cmd.WaitDelay = 200 * time.Millisecond

	start := time.Now()
	err := cmd.Run()
	out := Output{Stdout: stdout.Bytes(), Stderr: stderr.Bytes(), Elapsed: time.Since(start)}
	if err == nil {
		return out, nil
	}
	ce := &CmdError{Cmd: display(name, args), ExitCode: -1, Stderr: FirstLine(out.Stderr), Err: err}
	if ctx.Err() == context.DeadlineExceeded {
		ce.TimedOut, ce.Timeout = true, timeout
		ce.Err = ctx.Err()
	} else if ee, ok := err.(*exec.ExitError); ok {
		ce.ExitCode = ee.ExitCode()
	}
	return out, ce
}

// maxOutput caps what is kept of a command's output: a tool that prints
// without end must not eat the machine's memory.
const maxOutput = 64 << 20

type limitWriter struct {
	w io.Writer
	n int
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if l.n <= 0 {
		return len(p), nil
	}
	q := p
	if len(q) > l.n {
		q = q[:l.n]
	}
	l.n -= len(q)
	if _, err := l.w.Write(q); err != nil {
		return 0, err
	}
	return len(p), nil
}

func display(name string, args []string) string {
	parts := append([]string{filepath.Base(name)}, args...)
	s := strings.Join(parts, " ")
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}

// FirstLine returns the first non-empty line of b, trimmed and shortened,
// for error messages.
func FirstLine(b []byte) string {
	for line := range strings.SplitSeq(string(b), "\n") {
		line = clip.Printable(line)
		if line = strings.TrimSpace(line); line != "" {
			if len(line) > 160 {
				line = line[:157] + "..."
			}
			return line
		}
	}
	return ""
}
