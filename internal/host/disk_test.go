package host

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestFreeDisk(t *testing.T) {
	n, err := FreeDisk(t.TempDir())
	if err != nil || n == 0 {
		t.Errorf("FreeDisk(temp dir) = %d, %v", n, err)
	}
	missing := filepath.Join(t.TempDir(), "missing")
	if _, err := FreeDisk(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("FreeDisk(%s) err = %v, want not-exist", missing, err)
	}
}

func TestIsCrossDevice(t *testing.T) {
	link := &os.LinkError{Op: "rename", Old: "/a", New: "/b", Err: syscall.EXDEV}
	if !IsCrossDevice(link) {
		t.Errorf("IsCrossDevice(%v) = false", link)
	}
	if IsCrossDevice(&os.LinkError{Op: "rename", Old: "/a", New: "/b", Err: syscall.ENOENT}) || IsCrossDevice(nil) {
		t.Error("IsCrossDevice is true for another error")
	}
}
