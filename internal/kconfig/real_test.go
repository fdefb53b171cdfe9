package kconfig

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"
)

// TestRealProcConfig reads this machine's /proc/config.gz. CI images that
// promise the tools set BPFDOCTOR_REQUIRE_TOOLS=1 so a missing file fails.
func TestRealProcConfig(t *testing.T) {
	if _, err := os.Stat("/proc/config.gz"); errors.Is(err, fs.ErrNotExist) {
		if os.Getenv("BPFDOCTOR_REQUIRE_TOOLS") == "1" {
			t.Fatal("/proc/config.gz does not exist and BPFDOCTOR_REQUIRE_TOOLS=1")
		}
		t.Skip("/proc/config.gz does not exist (kernel without CONFIG_IKCONFIG_PROC)")
	}
	release, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		t.Fatal(err)
	}
	cfg, path, err := Discover(os.DirFS("/"), strings.TrimSpace(string(release)))
	if err != nil {
		t.Fatal(err)
	}
	if path != "/proc/config.gz" {
		t.Errorf("path = %q, want /proc/config.gz", path)
	}
	if e, ok := cfg.Lookup("BPF"); !ok || e.Value != "y" {
		t.Errorf("Lookup(BPF) = %+v, %v; want CONFIG_BPF=y", e, ok)
	}
	// /proc/config.gz exists only with this option.
	if e, ok := cfg.Lookup("IKCONFIG_PROC"); !ok || e.Value != "y" {
		t.Errorf("Lookup(IKCONFIG_PROC) = %+v, %v; want y", e, ok)
	}
	if len(cfg.Duplicates) != 0 {
		t.Errorf("a generated config has duplicates: %v", cfg.Duplicates)
	}
	t.Logf("%s: %d symbols", path, cfg.Len())
}
