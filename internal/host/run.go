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
	"sync"
	"syscall"
	"time"
	"unsafe"

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

	// The pipes are ours, not os/exec's: its copy goroutines come with a
	// WaitDelay that, once the tool has exited, cuts off output still in the
	// pipe when the readers are slow to run (a busy machine) or a child
	// holds the pipe open, and throws the whole result away.
	var stdout, stderr bytes.Buffer
	var p pipes
	defer p.close()
	cmd := exec.Command(path, args...)
	cmd.Env = h.Env
	// Interface fields get only non-nil files: a nil *os.File would close
	// the descriptor in the child instead of giving it /dev/null.
	if stdin != nil {
		in, err := p.in(stdin)
		if err != nil {
			return Output{}, err
		}
		cmd.Stdin = in
	}
	if stdoutFile == nil {
		var err error
		if stdoutFile, err = p.out(&limitWriter{w: &stdout, n: maxOutput}); err != nil {
			return Output{}, err
		}
	}
	cmd.Stdout = stdoutFile
	errFile, err := p.out(&limitWriter{w: &stderr, n: maxOutput})
	if err != nil {
		return Output{}, err
	}
	cmd.Stderr = errFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}

	start := time.Now()
	if err := cmd.Start(); err != nil {
		return Output{}, &CmdError{Cmd: display(name, args), ExitCode: -1, Err: err}
	}
	p.started()
	pid := cmd.Process.Pid
	exited := make(chan struct{})
	go func() {
		awaitExit(pid)
		close(exited)
	}()
	var ctxErr error
	select {
	case <-exited:
	case <-ctx.Done():
		ctxErr = ctx.Err()
		killGroup(pid)
		<-exited
	}
	// The leader has exited but is not reaped yet, so its pid still names
	// the group: whatever it left behind (a daemon, a `sleep &`) dies with
	// it rather than outliving bpfdoctor or holding the pipes open.
	killGroup(pid)
	err = cmd.Wait()
	p.drain()
	out := Output{Stdout: stdout.Bytes(), Stderr: stderr.Bytes(), Elapsed: time.Since(start)}
	if err == nil && ctxErr == nil {
		return out, nil
	}
	ce := &CmdError{Cmd: display(name, args), ExitCode: -1, Stderr: FirstLine(out.Stderr), Err: err}
	switch {
	case ctxErr == context.DeadlineExceeded:
		ce.TimedOut, ce.Timeout = true, timeout
		ce.Err = ctxErr
	case ctxErr != nil:
		ce.Err = ctxErr
	default:
		if ee, ok := err.(*exec.ExitError); ok {
			ce.ExitCode = ee.ExitCode()
		}
	}
	return out, ce
}

// killGroup kills the process group led by pid (negative pid: the group).
func killGroup(pid int) { _ = syscall.Kill(-pid, syscall.SIGKILL) }

// awaitExit blocks until the process pid has exited, without reaping it:
// while it is a zombie its pid cannot be reused, so killing its group
// afterwards cannot hit an unrelated process.
func awaitExit(pid int) {
	const pPID = 1     // P_PID from <sys/wait.h>
	var info [128]byte // siginfo_t
	for {
		_, _, e := syscall.Syscall6(syscall.SYS_WAITID, pPID, uintptr(pid), uintptr(unsafe.Pointer(&info[0])),
			syscall.WEXITED|wNoWait, 0, 0)
		if e != syscall.EINTR {
			return
		}
	}
}

// wNoWait is WNOWAIT from <linux/wait.h>: leave the child waitable.
const wNoWait = 0x01000000

// drainGrace bounds the wait for the pipes to close once the tool and its
// process group are dead: only a child that left the group (setsid) can
// still hold them, and its output is not the tool's.
const drainGrace = 2 * time.Second

// pipes are a command's standard streams as plain pipes with our own
// goroutines at the far ends.
type pipes struct {
	child   []*os.File // the ends the child inherits, closed once it started
	parent  []*os.File // our ends
	reads   []*os.File // our ends of the output pipes
	readers sync.WaitGroup
	feeding bool
}

func (p *pipes) pipe() (r, w *os.File, err error) {
	r, w, err = os.Pipe()
	if err != nil {
		return nil, nil, fmt.Errorf("create pipe: %w", err)
	}
	return r, w, nil
}

// in gives the child stdin: a file as it is, or a pipe fed from r.
func (p *pipes) in(r io.Reader) (*os.File, error) {
	if f, ok := r.(*os.File); ok {
		return f, nil
	}
	pr, pw, err := p.pipe()
	if err != nil {
		return nil, err
	}
	p.child, p.parent = append(p.child, pr), append(p.parent, pw)
	p.feeding = true
	go func() {
		// A child that stops reading gets its stdin closed when it exits
		// (p.close); the copy then fails and that is not the tool's error.
		_, _ = io.Copy(pw, r)
		_ = pw.Close()
	}()
	return pr, nil
}

// out gives the child an output pipe whose content goes to w.
func (p *pipes) out(w io.Writer) (*os.File, error) {
	pr, pw, err := p.pipe()
	if err != nil {
		return nil, err
	}
	p.child, p.parent = append(p.child, pw), append(p.parent, pr)
	p.reads = append(p.reads, pr)
	p.readers.Go(func() {
		if _, err := io.Copy(w, pr); errors.Is(err, os.ErrDeadlineExceeded) {
			// drain gave up on EOF: keep what is already in the pipe.
			drainNow(pr, w)
		}
	})
	return pw, nil
}

// drainNow copies what the pipe holds right now to w, without waiting for
// more (our pipe ends are non-blocking).
func drainNow(f *os.File, w io.Writer) {
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	buf := make([]byte, 32<<10)
	_ = rc.Control(func(fd uintptr) {
		for {
			n, err := syscall.Read(int(fd), buf)
			if n <= 0 || err != nil {
				return
			}
			_, _ = w.Write(buf[:n])
		}
	})
}

// hasWriters reports whether some process still holds the write end of
// the pipe whose read end is f: poll says POLLHUP once none does.
func hasWriters(f *os.File) bool {
	rc, err := f.SyscallConn()
	if err != nil {
		return false
	}
	writers := false
	_ = rc.Control(func(fd uintptr) {
		const pollHup = 0x10 // POLLHUP from <poll.h>
		pfd := struct {
			fd             int32
			events, revent int16
		}{fd: int32(fd)}
		var ts syscall.Timespec // zero: do not wait
		n, _, e := syscall.Syscall6(syscall.SYS_PPOLL, uintptr(unsafe.Pointer(&pfd)), 1, uintptr(unsafe.Pointer(&ts)), 0, 0, 0)
		writers = e == 0 && n == 1 && pfd.revent&pollHup == 0 || e == 0 && n == 0
	})
	return writers
}

// started closes the child's ends in our process: only the child's copies
// keep the pipes open now, so its exit is our EOF.
func (p *pipes) started() {
	for _, f := range p.child {
		_ = f.Close()
	}
	p.child = nil
}

// drain waits for the readers to reach EOF, however long a busy machine
// takes to run them, unless a child outside the group keeps a pipe open:
// then what is in the pipe after drainGrace is kept, and the rest is that
// child's.
func (p *pipes) drain() {
	done := make(chan struct{})
	go func() {
		p.readers.Wait()
		close(done)
	}()
	t := time.NewTicker(drainGrace)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
		}
		held := false
		for _, f := range p.reads {
			held = held || hasWriters(f)
		}
		if held {
			break
		}
	}
	now := time.Now()
	for _, f := range p.reads {
		_ = f.SetReadDeadline(now)
	}
	<-done
}

func (p *pipes) close() {
	for _, f := range append(p.child, p.parent...) {
		_ = f.Close()
	}
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
