package host

import (
	"errors"
	"fmt"
	"syscall"
)

// FreeDisk is the space in bytes an unprivileged user may still write to
// the file system holding dir (statfs's available blocks, not its free
// ones, which include the reserve only root can use).
func FreeDisk(dir string) (uint64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, fmt.Errorf("statfs %s: %w", dir, err)
	}
	return st.Bavail * uint64(st.Bsize), nil
}

// IsCrossDevice reports whether err is a rename refused because source and
// destination are on different file systems (EXDEV): the caller then has
// to copy.
func IsCrossDevice(err error) bool { return errors.Is(err, syscall.EXDEV) }

// IsNotDir reports whether err says a path component is not a directory
// (ENOTDIR): for a lookup, a file where a directory should be means the
// path does not exist either.
func IsNotDir(err error) bool { return errors.Is(err, syscall.ENOTDIR) }
