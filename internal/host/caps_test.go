package host

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEffectiveCaps(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "proc/self"), 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(s string) {
		if err := os.WriteFile(filepath.Join(root, "proc/self/status"), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	h := &Host{Root: root}
	write("Name:\tx\nCapEff:\t000001c000200000\n")
	if got, err := h.EffectiveCaps(); err != nil || got != 0x1c000200000 {
		t.Fatalf("EffectiveCaps = %#x, %v", got, err)
	}
	write("Name:\tx\n")
	if _, err := h.EffectiveCaps(); err == nil || !strings.Contains(err.Error(), "no CapEff") {
		t.Fatalf("no CapEff line: err = %v", err)
	}
	write("CapEff:\tzz\n")
	if _, err := h.EffectiveCaps(); err == nil {
		t.Fatal("bad CapEff: no error")
	}
	// The real process: this test's own status file is readable.
	if _, err := (&Host{}).EffectiveCaps(); err != nil {
		t.Fatal(err)
	}
}
