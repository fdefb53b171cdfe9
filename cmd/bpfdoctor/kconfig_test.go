package main

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestKconfigFixKeepsModeAndOwner: -o over an existing file replaces its
// content, not its mode or owner (as root, a user's file used to become
// root's 0644).
func TestKconfigFixKeepsModeAndOwner(t *testing.T) {
	dir := t.TempDir()
	cfg, frag, out := filepath.Join(dir, "cfg"), filepath.Join(dir, "frag"), filepath.Join(dir, "out.config")
	for p, s := range map[string]string{cfg: "# CONFIG_MODULES is not set\n", frag: "CONFIG_MODULES=y\n", out: "old\n"} {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(out, 0o600); err != nil {
		t.Fatal(err)
	}
	root := os.Geteuid() == 0
	if root {
		if err := os.Chown(out, 4321, 8765); err != nil {
			t.Fatal(err)
		}
	}
	io, _, errOut := testIO(nil)
	if code := run(context.Background(), []string{"kconfig", "fix", "--config", cfg, "--fragment", frag, "-o", out}, io); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	fi, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode() != 0o600 {
		t.Errorf("mode = %v, want the old 0600", fi.Mode())
	}
	if st := fi.Sys().(*syscall.Stat_t); root && (st.Uid != 4321 || st.Gid != 8765) {
		t.Errorf("owner = %d:%d, want the old 4321:8765", st.Uid, st.Gid)
	}
	if b, _ := os.ReadFile(out); string(b) == "old\n" {
		t.Error("the fix was not written")
	}
}
