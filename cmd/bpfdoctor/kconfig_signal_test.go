package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bpfdoctor/bpfdoctor/internal/host"
)

// A signal during kconfig diff (the run's context, cancelled by
// signalContext with an interrupted cause) stops the work: "interrupted", exit 130 for SIGINT and
// 143 for SIGTERM, nothing on stdout. The tree is real files, and the
// run is already cancelled when it reaches the tree's Kconfig.
func TestKconfigDiffInterrupted(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"cfg":            "# Linux/x86 6.12.9 Kernel Configuration\nCONFIG_X86_64=y\n",
		"linux/Makefile": "VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 3\n",
		"linux/Kconfig":  "config X86_64\n\tdef_bool y\nconfig BPF\n\tbool \"bpf\"\n",
		"linux/tools/testing/selftests/bpf/config": "CONFIG_BPF=y\n",
	}
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		sig  os.Signal
		code int
	}{{os.Interrupt, 130}, {host.TermSignals[len(host.TermSignals)-1], 143}} {
		io, out, errOut := testIO(nil)
		ctx, cancel := context.WithCancelCause(context.Background())
		cancel(interrupted{tt.sig})
		args := []string{"kconfig", "diff", "--config", filepath.Join(dir, "cfg"), "--kernel-src", filepath.Join(dir, "linux")}
		if code := run(ctx, args, io); code != tt.code || !strings.Contains(errOut.String(), "bpfdoctor: interrupted") || out.Len() != 0 {
			t.Errorf("%v: exit %d, want %d; stderr %q, stdout %d bytes", tt.sig, code, tt.code, errOut.String(), out.Len())
		}
	}
}
