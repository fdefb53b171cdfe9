package host

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/bpfdoctor/bpfdoctor/internal/clip"
)

// DefaultGrace is how long a streamed command has to stop after SIGINT
// before its process group is killed.
const DefaultGrace = 5 * time.Second

// StreamOptions says where a long command runs and where its output goes.
type StreamOptions struct {
	// Dir is the working directory; "" is the current one.
	Dir string
	// Env holds KEY=VALUE pairs added to the host's environment (DESTDIR,
	// NINJA_STATUS); a key given here wins over the inherited one.
	Env []string
	// Out receives stdout and stderr, interleaved in the order written.
	Out io.Writer
	// OnLine, when set, also gets each non-empty line of output, without
	// its newline (or carriage return): how a build's progress ("[12/345]")
	// is read.
	OnLine func(line string)
	// Grace is the time between SIGINT and SIGKILL when ctx ends; 0 means
	// DefaultGrace.
	Grace time.Duration
}

// Stream runs a long command, a build or a clone, whose output goes to a log
// rather than into memory. Unlike Run it has no deadline of its own: builds
// take hours, and only ctx ends them. When ctx ends, the command's process
// group gets SIGINT, as a terminal's Ctrl-C would give it (ninja then stops
// cleanly and a rerun resumes), and SIGKILL after the grace period.
//
// A command that fails returns a *CmdError without stderr (it is in Out); one
// stopped by ctx returns a *CmdError wrapping ctx's error.
func (h *Host) Stream(ctx context.Context, o StreamOptions, name string, args ...string) error {
	path := name
	if !strings.ContainsRune(name, '/') {
		p, err := h.LookPath(name)
		if err != nil {
			return err
		}
		path = p
	}
	cmd := exec.Command(path, args...)
	cmd.Dir = o.Dir
	cmd.Env = h.streamEnv(o.Env)
	out := o.Out
	if out == nil {
		out = io.Discard
	}
	var lw *lineWriter
	if o.OnLine != nil {
		lw = &lineWriter{w: out, fn: o.OnLine}
		out = lw
	}
	// The same writer for both makes exec use one pipe, which keeps the
	// order in which the tool wrote.
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// A grandchild that inherited the pipe must not keep Wait blocked once
	// the command itself has exited.
	cmd.WaitDelay = time.Second
	grace := o.Grace
	if grace <= 0 {
		grace = DefaultGrace
	}

	display := display(name, args)
	if err := ctx.Err(); err != nil {
		return &CmdError{Cmd: display, ExitCode: -1, Err: fmt.Errorf("interrupted: %w", err)}
	}
	if err := cmd.Start(); err != nil {
		return &CmdError{Cmd: display, ExitCode: -1, Err: err}
	}
	pgid := cmd.Process.Pid
	exited := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		select {
		case <-exited:
			return
		case <-ctx.Done():
		}
		_ = syscall.Kill(-pgid, syscall.SIGINT)
		t := time.NewTimer(grace)
		defer t.Stop()
		select {
		case <-exited:
		case <-t.C:
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
		}
	}()
	err := cmd.Wait()
	close(exited)
	<-stopped
	if lw != nil {
		lw.flush()
	}
	if ctx.Err() != nil {
		// Whatever is left of the group (a compiler ninja had started) goes
		// too: an interrupted build must not go on in the background.
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		return &CmdError{Cmd: display, ExitCode: -1, Err: fmt.Errorf("interrupted: %w", context.Cause(ctx))}
	}
	if err == nil {
		return nil
	}
	ce := &CmdError{Cmd: display, ExitCode: -1, Err: err}
	if ee, ok := err.(*exec.ExitError); ok {
		ce.ExitCode = ee.ExitCode()
	}
	return ce
}

// streamEnv is the host's environment (the process's own when unset) with
// extra appended; later entries win in exec, so extra overrides.
func (h *Host) streamEnv(extra []string) []string {
	if len(extra) == 0 {
		return h.Env
	}
	base := h.Env
	if base == nil {
		base = os.Environ()
	}
	return append(append([]string(nil), base...), extra...)
}

// lineWriter passes writes through and hands each complete line to fn.
// exec writes from one goroutine, so it needs no lock.
type lineWriter struct {
	w   io.Writer
	fn  func(string)
	buf []byte
}

// maxLine bounds a line kept for fn; longer ones are cut, not buffered.
const maxLine = 64 << 10

func (l *lineWriter) Write(p []byte) (int, error) {
	n, err := l.w.Write(p)
	for _, c := range p[:n] {
		// ninja on a terminal ends status lines with \r; treat both alike.
		if c == '\n' || c == '\r' {
			l.emit()
			continue
		}
		if len(l.buf) < maxLine {
			l.buf = append(l.buf, c)
		}
	}
	return n, err
}

func (l *lineWriter) emit() {
	if len(l.buf) > 0 {
		l.fn(string(l.buf))
	}
	l.buf = l.buf[:0]
}

func (l *lineWriter) flush() { l.emit() }

// TailLines returns the last n lines of a log file, made printable, for
// showing why a build failed.
func TailLines(path string, n int) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Reading a window, not the file: build logs reach megabytes.
	window := int64(n) * 512
	if fi, err := f.Stat(); err == nil && fi.Size() > window {
		if _, err := f.Seek(fi.Size()-window, io.SeekStart); err != nil {
			return nil, err
		}
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	ls := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(ls) > n {
		ls = ls[len(ls)-n:]
	}
	for i, l := range ls {
		ls[i] = strings.TrimRight(clip.Printable(l), " ")
	}
	return ls, nil
}

// WriteTail copies the last n lines of a build log to w, indented, so a
// failed build shows why without the user opening the log.
func WriteTail(w io.Writer, logPath string, n int) {
	ls, err := TailLines(logPath, n)
	if err != nil {
		return
	}
	fmt.Fprintf(w, "the last lines of %s:\n", logPath)
	for _, l := range ls {
		fmt.Fprintf(w, "    %s\n", l)
	}
}
