package host

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestWriteFileAtomicNewAndExisting(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "new")
	if err := WriteFileAtomic(p, []byte("one\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(p); fi.Mode() != 0o644 {
		t.Errorf("new file mode = %v, want 0644", fi.Mode())
	}
	// An existing file keeps its mode and owner.
	if err := os.Chmod(p, 0o600); err != nil {
		t.Fatal(err)
	}
	owner := os.Geteuid() == 0
	if owner {
		if err := os.Chown(p, 1234, 5678); err != nil {
			t.Fatal(err)
		}
	}
	if err := WriteFileAtomic(p, []byte("two\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode() != 0o600 {
		t.Errorf("mode = %v, want the old 0600", fi.Mode())
	}
	if st := fi.Sys().(*syscall.Stat_t); owner && (st.Uid != 1234 || st.Gid != 5678) {
		t.Errorf("owner = %d:%d, want the old 1234:5678", st.Uid, st.Gid)
	}
	if b, _ := os.ReadFile(p); string(b) != "two\n" {
		t.Errorf("content = %q", b)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("temporary files left: %v", ents)
	}
}

func TestWriteFileAtomicThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real")
	link := filepath.Join(dir, "link")
	if err := os.WriteFile(real, []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real", link); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(link, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v %v", fi.Mode(), err)
	}
	fi, _ := os.Stat(real)
	if b, _ := os.ReadFile(real); string(b) != "new" || fi.Mode() != 0o640 {
		t.Errorf("target = %q mode %v, want \"new\" 0640", b, fi.Mode())
	}

	// A dangling link is refused and left alone.
	dangling := filepath.Join(dir, "dangling")
	if err := os.Symlink("nosuch", dangling); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(dangling, []byte("x"), 0o644); err == nil {
		t.Error("a dangling symlink was written")
	}
	if fi, err := os.Lstat(dangling); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("the dangling link was replaced: %v %v", fi.Mode(), err)
	}
}

func TestWriteFileAtomicRefusesNonRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	nullLink := filepath.Join(dir, "null")
	if err := os.Symlink("/dev/null", nullLink); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, want string }{
		{"/dev/null", "write /dev/null: is a device, not a regular file"},
		{nullLink, "write " + nullLink + ": is a device, not a regular file"},
		{fifo, "write " + fifo + ": is a FIFO, not a regular file"},
		{dir, "write " + dir + ": is a directory"},
	} {
		done := make(chan error, 1)
		go func() { done <- WriteFileAtomic(tc.path, []byte("x"), 0o644) }()
		select {
		case err := <-done:
			if err == nil || err.Error() != tc.want || !errors.Is(err, ErrNotRegular) {
				t.Errorf("WriteFileAtomic(%s) = %v, want %q wrapping ErrNotRegular", tc.path, err, tc.want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("WriteFileAtomic(%s) blocks", tc.path)
		}
	}
	if fi, err := os.Stat("/dev/null"); err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
		t.Errorf("/dev/null is no longer a device: %v %v", fi.Mode(), err)
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v %v", fi.Mode(), err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 2 {
		t.Errorf("files left in %s: %v", dir, ents)
	}
}
