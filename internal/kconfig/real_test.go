package kconfig

import (
	"slices"

	"github.com/bpfdoctor/bpfdoctor/internal/kver"
	"github.com/bpfdoctor/bpfdoctor/internal/testkit"

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
		testkit.Missing(t, "/proc/config.gz does not exist (kernel without CONFIG_IKCONFIG_PROC)")
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

// TestRealProcConfigEmbedded judges this machine's config against every
// built-in set without a tree: every wanted option lands in exactly one
// group, the fix has a line for each missing one, and the set chosen for
// this kernel is the newest not newer than it.
func TestRealProcConfigEmbedded(t *testing.T) {
	cfg, err := Load("/proc/config.gz")
	if errors.Is(err, fs.ErrNotExist) {
		testkit.Missing(t, "/proc/config.gz does not exist")
	}
	if err != nil {
		t.Fatal(err)
	}
	arch, ok := ArchOfConfig(cfg)
	if !ok {
		t.Skip("this machine's architecture has no selftests fragment")
	}
	v, ok := kver.Parse(cfg.Version)
	if !ok {
		t.Fatalf("no version in the header of /proc/config.gz: %q", cfg.Version)
	}
	chosen, why := ChooseEmbedded(v)
	t.Logf("Linux %s: %s set, %s", v, chosen.Label(), why)
	for _, e := range EmbeddedSets() {
		if e.Version.Compare(v) <= 0 && e.Version.Compare(chosen.Version) > 0 {
			t.Errorf("chose %s for %s, but %s is newer and not newer than the kernel", chosen.Name, v, e.Name)
		}
		t.Run(e.Name, func(t *testing.T) {
			set, err := e.Load(&arch, true)
			if err != nil {
				t.Fatal(err)
			}
			d := Compare(cfg, set)
			x := ExplainByName(d)
			seen := map[string]int{}
			for _, c := range x.Causes {
				for _, it := range c.Items {
					seen[it.Symbol]++
				}
			}
			for _, it := range d.NotOK() {
				if seen[it.Symbol] != 1 {
					t.Errorf("%s is in %d groups, want 1", it.Symbol, seen[it.Symbol])
				}
				if !slices.ContainsFunc(x.Fix, func(l FixLine) bool { return l.Entry == it.Entry }) {
					t.Errorf("the fix has no line for %s", it.Entry)
				}
			}
			t.Logf("%s: %d of %d missing, %d groups", set.Label(), x.Missing(), len(d.Items), len(x.Causes))
		})
	}
}
