package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bpfdoctor/bpfdoctor/internal/host"
)

// manySections writes an EM_BPF object with n code sections, each one
// `exit` instruction, and returns its path.
func manySections(t *testing.T, n int) string {
	t.Helper()
	le := binary.LittleEndian
	names := []byte{0}
	offs := make([]uint32, n)
	for i := range offs {
		offs[i] = uint32(len(names))
		names = fmt.Appendf(names, ".text.f%d\x00", i)
	}
	shstr := uint32(len(names))
	names = append(names, ".shstrtab\x00"...)
	code := []byte{0x95, 0, 0, 0, 0, 0, 0, 0}
	const dataOff = 64
	shoff := (dataOff + len(code) + len(names) + 7) &^ 7
	var b bytes.Buffer
	b.WriteString("\x7fELF\x02\x01\x01")
	b.Write(make([]byte, 9))
	for _, v := range []any{uint16(1), uint16(247), uint32(1), uint64(0), uint64(0), uint64(shoff), uint32(0),
		uint16(64), uint16(0), uint16(0), uint16(64), uint16(n + 2), uint16(n + 1)} {
		_ = binary.Write(&b, le, v)
	}
	b.Write(code)
	b.Write(names)
	b.Write(make([]byte, shoff-b.Len()))
	b.Write(make([]byte, 64))
	sh := func(name, typ uint32, flags, off, size, align uint64) {
		for _, v := range []any{name, typ, flags, uint64(0), off, size, uint32(0), uint32(0), align, uint64(0)} {
			_ = binary.Write(&b, le, v)
		}
	}
	for i := range n {
		sh(offs[i], 1, 6, dataOff, 8, 8) // SHT_PROGBITS, SHF_ALLOC|SHF_EXECINSTR
	}
	sh(shstr, 3, 0, dataOff+uint64(len(code)), uint64(len(names)), 1)
	p := filepath.Join(t.TempDir(), "many.o")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// lint is linear in sections (40k of them took 10 s) and a line names a
// few of them, not 120 KB of them.
func TestLintManySections(t *testing.T) {
	p := manySections(t, 40000)
	io, out, errOut := testIO(nil)
	start := time.Now()
	code := run(context.Background(), []string{"lint", "--color=never", "-v", p}, io)
	el := time.Since(start)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	if el > 3*time.Second {
		t.Errorf("lint took %s", el)
	}
	for line := range strings.SplitSeq(out.String(), "\n") {
		if len(line) > 400 {
			t.Errorf("a %d-byte line: %.100s...", len(line), line)
		}
	}
	if !strings.Contains(out.String(), "(40000 in all)") {
		t.Errorf("the count of code sections is missing:\n%s", out)
	}
}

// A signal stops lint between objects: it says so and exits as the signal
// would, with nothing on stdout.
func TestLintInterrupted(t *testing.T) {
	p := manySections(t, 4000)
	args := []string{"lint"}
	for range 20000 {
		args = append(args, p)
	}
	for _, sig := range host.TermSignals {
		ctx, cancel := context.WithCancelCause(context.Background())
		time.AfterFunc(200*time.Millisecond, func() { cancel(interrupted{sig}) })
		io, out, errOut := testIO(nil)
		start := time.Now()
		code := run(ctx, args, io)
		if el := time.Since(start); el > 2*time.Second {
			t.Errorf("%v: lint ran %s", sig, el)
		}
		if want := host.SignalExitCode(sig); code != want {
			t.Errorf("%v: exit %d, want %d", sig, code, want)
		}
		if errOut.String() != "bpfdoctor: interrupted\n" || out.Len() != 0 {
			t.Errorf("%v: stdout %q, stderr %q", sig, out, errOut)
		}
	}
	if host.SignalExitCode(host.TermSignals[0]) != 130 || host.SignalExitCode(host.TermSignals[1]) != 143 {
		t.Errorf("exit codes %d, %d, want 130, 143", host.SignalExitCode(host.TermSignals[0]), host.SignalExitCode(host.TermSignals[1]))
	}
}

// The signal context is cancelled by a real SIGTERM, with the cause that
// names it.
func TestSignalContext(t *testing.T) {
	ctx, stop := signalContext()
	defer stop()
	self, err := os.FindProcess(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if err := self.Signal(host.TermSignals[1]); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(2 * time.Second):
		t.Fatal("SIGTERM did not cancel the context")
	}
	if ie, ok := context.Cause(ctx).(interrupted); !ok || ie.sig != host.TermSignals[1] {
		t.Errorf("cause = %v", context.Cause(ctx))
	}
}
