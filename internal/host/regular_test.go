package host

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A FIFO with no writer blocks open(2) forever; each reader must refuse
// it at once, naming it.
func TestRegularRefusesFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "f")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "big"), make([]byte, 100), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "zero")); err != nil {
		t.Fatal(err)
	}
	fsys := os.DirFS(dir)
	tests := []struct {
		name string
		read func() error
		want string
		is   error
	}{
		{"OpenRegular FIFO", func() error { _, err := OpenRegular(fifo); return err }, "read " + fifo + ": not a regular file (a FIFO)", ErrNotRegular},
		{"ReadRegular /dev/zero", func() error { _, err := ReadRegular(filepath.Join(dir, "zero"), 10); return err }, "not a regular file (a character device)", ErrNotRegular},
		{"ReadRegular dir", func() error { _, err := ReadRegular(dir, 10); return err }, "not a regular file (a directory)", ErrNotRegular},
		{"ReadRegular too large", func() error { _, err := ReadRegular(filepath.Join(dir, "big"), 99); return err }, "big: too large: more than 99 bytes", ErrTooLarge},
		{"OpenFS FIFO", func() error { _, err := OpenFS(fsys, "f"); return err }, "read f: not a regular file (a FIFO)", ErrNotRegular},
		{"ReadFS zero", func() error { _, err := ReadFS(fsys, "zero", 10); return err }, "read zero: not a regular file (a character device)", ErrNotRegular},
		{"ReadFS too large", func() error { _, err := ReadFS(fsys, "big", 99); return err }, "read big: too large", ErrTooLarge},
		{"RegularFS FIFO", func() error { _, err := RegularFS(fsys, 10).Open("f"); return err }, "read f: not a regular file (a FIFO)", ErrNotRegular},
		{"RegularFS too large", func() error {
			f, err := RegularFS(fsys, 99).Open("big")
			if err != nil {
				return err
			}
			_, err = f.Read(make([]byte, 200))
			return err
		}, "read big: too large: more than 99 bytes", ErrTooLarge},
	}
	for _, tt := range tests {
		done := make(chan error, 1)
		go func() { done <- tt.read() }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, tt.is) {
				t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: blocked on the FIFO", tt.name)
		}
	}
	b, err := ReadRegular(filepath.Join(dir, "big"), 100)
	if err != nil || len(b) != 100 {
		t.Errorf("ReadRegular at the limit: %d bytes, %v", len(b), err)
	}
	f, err := RegularFS(fsys, 100).Open("big")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if n, err := f.Read(make([]byte, 200)); n != 100 || err != nil {
		t.Errorf("RegularFS at the limit: %d, %v", n, err)
	}
}
