package checks

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"
	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
)

// maxMessage bounds a finding's message: it may quote what /proc says, but
// clipped, so a hostile or broken file cannot flood the report.
const maxMessage = 1024

// FuzzProcReaders gives the /proc readers (CapEff in /proc/self/status,
// "Max locked memory" in /proc/self/limits, /proc/self/mounts and the
// sysctl integers) arbitrary file contents, on a 5.10 kernel so the
// memlock check reads its file. Each check must return a finding with a
// known status, a short message and valid UTF-8, never panic.
func FuzzProcReaders(f *testing.F) {
	f.Add([]byte("Name:\tbpfdoctor\nCapInh:\t0000000000000000\nCapEff:\t000001ffffffffff\n"),
		[]byte("Limit                     Soft Limit           Hard Limit           Units     \nMax locked memory         8388608              8388608              bytes     \n"),
		[]byte("bpf /sys/fs/bpf bpf rw,nosuid,nodev,noexec,relatime,mode=700 0 0\n"), []byte("1\n"))
	f.Add([]byte("CapEff:\tzz\n"), []byte("Max locked memory unlimited unlimited bytes\n"), []byte("none /sys/fs/bpf tmpfs rw 0 0\n"), []byte("2"))
	f.Add([]byte("CapEff:"), []byte("Max locked memory"), []byte(""), []byte("-1"))
	f.Add([]byte("\xff"), []byte("Max locked memory 99999999999999999999999 x"), []byte("\x00"), []byte("99999999999999999999"))
	h := testkit.Fake{UID: 1000}.Host(f)
	write := func(t *testing.T, p string, b []byte) {
		full := filepath.Join(h.Root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f.Fuzz(func(t *testing.T, status, limits, mounts, sysctl []byte) {
		write(t, "/proc/sys/kernel/osrelease", []byte("5.10.0\n"))
		write(t, "/proc/self/status", status)
		write(t, "/proc/self/limits", limits)
		write(t, "/proc/self/mounts", mounts)
		write(t, "/proc/sys/net/core/bpf_jit_enable", sysctl)
		write(t, "/proc/sys/kernel/unprivileged_bpf_disabled", sysctl)
		e := NewEnv(h)
		for name, run := range map[string]func(context.Context, *Env) finding.Finding{
			"caps": checkCaps, "memlock": checkMemlock, "bpffs": checkBPFFS, "jit": checkJIT, "unprivileged": checkUnprivileged,
		} {
			fd := run(context.Background(), e)
			if fd.Status < finding.Pass || fd.Status > finding.Fail {
				t.Fatalf("%s: status %d", name, fd.Status)
			}
			if fd.Message == "" && fd.Status != finding.Pass {
				t.Fatalf("%s: %s without a message", name, fd.Status)
			}
			if len(fd.Message) > maxMessage {
				t.Fatalf("%s: message of %d bytes: %.120q...", name, len(fd.Message), fd.Message)
			}
			if !utf8.ValidString(fd.Message) {
				t.Fatalf("%s: message is not UTF-8: %q", name, fd.Message)
			}
		}
	})
}
