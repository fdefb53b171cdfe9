package host

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// notRegularError says what the path is instead; errors.Is matches
// ErrNotRegular.
type notRegularError struct{ mode fs.FileMode }

func (e notRegularError) Error() string {
	if e.mode.IsDir() {
		return "is a directory"
	}
	kind := modeKind(e.mode)
	if kind == "a character device" || kind == "a block device" {
		kind = "a device" // what a user writing -o /dev/stdout needs to hear
	}
	return "is " + kind + ", not a regular file"
}

func (e notRegularError) Is(target error) bool { return target == ErrNotRegular }

// CheckRegular is nil for a regular file, else an error wrapping
// ErrNotRegular that says what it is ("is a directory", "is a FIFO, not a
// regular file").
func CheckRegular(fi fs.FileInfo) error {
	if fi.Mode().IsRegular() {
		return nil
	}
	return notRegularError{fi.Mode()}
}

// WriteFileAtomic replaces the file name with data, so that a reader (or a
// failed run) sees the old content or the new, never half. A symlink is
// written through: its target is replaced and the link stays. A file that
// exists keeps its mode and owner; a new one gets mode. Anything but a
// regular file (a directory, /dev/stdout, a FIFO) is refused with an error
// wrapping ErrNotRegular: renaming over it would replace a device node or
// fail with a puzzling message.
func WriteFileAtomic(name string, data []byte, mode fs.FileMode) (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("write %s: %w", name, err)
		}
	}()
	target, err := filepath.EvalSymlinks(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if fi, lerr := os.Lstat(name); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
			// A dangling link: creating its target somewhere else is a
			// surprise; replacing the link loses it.
			return errors.New("a symlink to a file that does not exist")
		}
		target = name
	case err != nil:
		return err
	}
	uid, gid := -1, -1
	fi, err := os.Stat(target)
	switch {
	case err == nil:
		if err := CheckRegular(fi); err != nil {
			return err
		}
		mode = fi.Mode().Perm() | fi.Mode()&(fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky)
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			uid, gid = int(st.Uid), int(st.Gid)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err := f.Write(data); err != nil {
		return err
	}
	if uid >= 0 && !ownedBy(f, uid, gid) {
		// Before the chmod: chown clears the set-ID bits.
		if err := f.Chown(uid, gid); err != nil {
			return fmt.Errorf("keep the owner %d:%d: %w", uid, gid, err)
		}
	}
	if err := f.Chmod(mode); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), target); err != nil {
		return err
	}
	// The rename itself is durable once the directory is synced.
	if d, err := os.Open(filepath.Dir(target)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

func ownedBy(f *os.File, uid, gid int) bool {
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == uid && int(st.Gid) == gid
}
