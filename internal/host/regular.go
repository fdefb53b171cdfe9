package host

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// Files the user names (--config, --fragment, --btf, lint objects, the
// files of a --kernel-src tree) are read only when they are regular
// files, and never past a limit: a FIFO blocks open(2) and read(2) until
// a writer comes, which no signal but SIGKILL ends, and /dev/zero never
// ends at all.

// ErrNotRegular is wrapped when a path names a FIFO, a device, a socket
// or a directory where a file is read.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is wrapped when a file holds more than its reader's limit.
var ErrTooLarge = errors.New("too large")

// OpenRegular opens a regular file for reading. The open does not block
// on a FIFO (O_NONBLOCK), the descriptor is checked with fstat, so no
// rename between a stat and the open can slip a FIFO in, and the flag is
// cleared again before the file is handed out.
func OpenRegular(path string) (*os.File, error) {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC|syscall.O_NOCTTY, 0)
	for errors.Is(err, syscall.EINTR) {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC|syscall.O_NOCTTY, 0)
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		syscall.Close(fd)
		return nil, &fs.PathError{Op: "stat", Path: path, Err: err}
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		syscall.Close(fd)
		return nil, notRegular(path, modeKind(statMode(st.Mode)))
	}
	if err := syscall.SetNonblock(fd, false); err != nil {
		syscall.Close(fd)
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(fd), path), nil
}

// ReadRegular reads a regular file whole, refusing one of more than limit
// bytes with an error that names it.
func ReadRegular(path string, limit int64) ([]byte, error) {
	f, err := OpenRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLimited(f, path, limit)
}

// OpenFS opens name in fsys only when it is a regular file. fs.FS has no
// O_NONBLOCK, so the file is stat'ed (following symlinks, as the open
// will) before it is opened, and again after.
func OpenFS(fsys fs.FS, name string) (fs.File, error) {
	fi, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, asOpen(err)
	}
	if !fi.Mode().IsRegular() {
		return nil, notRegular(name, modeKind(fi.Mode()))
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	if fi, err = f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		if err == nil {
			err = notRegular(name, modeKind(fi.Mode()))
		}
		return nil, err
	}
	return f, nil
}

// ReadFS reads a regular file of fsys whole, at most limit bytes.
func ReadFS(fsys fs.FS, name string, limit int64) ([]byte, error) {
	f, err := OpenFS(fsys, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLimited(f, name, limit)
}

// RegularFS wraps fsys so that opening anything but a regular file or a
// directory fails (see OpenFS) and no file reads past limit bytes: every
// reader of a kernel tree, fs.Sub and fs.Glob included, gets the rule.
func RegularFS(fsys fs.FS, limit int64) fs.FS { return regularFS{fsys, limit} }

type regularFS struct {
	fsys  fs.FS
	limit int64
}

func (r regularFS) Open(name string) (fs.File, error) {
	fi, err := fs.Stat(r.fsys, name)
	if err != nil {
		return nil, asOpen(err)
	}
	if fi.IsDir() {
		return r.fsys.Open(name)
	}
	f, err := OpenFS(r.fsys, name)
	if err != nil {
		return nil, err
	}
	return &limitedFile{File: f, name: name, limit: r.limit, left: r.limit}, nil
}

// Stat does not open the file, so stat'ing a FIFO does not block.
func (r regularFS) Stat(name string) (fs.FileInfo, error) { return fs.Stat(r.fsys, name) }

// limitedFile fails a read that goes past its limit, rather than
// returning a silently truncated file.
type limitedFile struct {
	fs.File
	name        string
	limit, left int64
}

func (f *limitedFile) Read(p []byte) (int, error) {
	if f.left < 0 {
		return 0, tooLarge(f.name, f.limit)
	}
	if int64(len(p)) > f.left+1 {
		p = p[:f.left+1]
	}
	n, err := f.File.Read(p)
	f.left -= int64(n)
	if f.left < 0 {
		return n, tooLarge(f.name, f.limit)
	}
	return n, err
}

// asOpen words a failed stat as the open it stands for, so a missing
// file reads "open NAME: no such file or directory" as before.
func asOpen(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Op == "stat" {
		return &fs.PathError{Op: "open", Path: pe.Path, Err: pe.Err}
	}
	return err
}

func readLimited(r io.Reader, name string, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	if int64(len(b)) > limit {
		return nil, tooLarge(name, limit)
	}
	return b, nil
}

func tooLarge(name string, limit int64) error {
	return &fs.PathError{Op: "read", Path: name, Err: fmt.Errorf("%w: more than %s", ErrTooLarge, sizeText(limit))}
}

func sizeText(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

func notRegular(path, kind string) error {
	return &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w (%s)", ErrNotRegular, kind)}
}

func modeKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m.IsDir():
		return "a directory"
	}
	return "not a file"
}

// statMode turns stat(2)'s file type bits into the fs.FileMode type bits
// modeKind reads.
func statMode(m uint32) fs.FileMode {
	switch m & syscall.S_IFMT {
	case syscall.S_IFIFO:
		return fs.ModeNamedPipe
	case syscall.S_IFCHR:
		return fs.ModeDevice | fs.ModeCharDevice
	case syscall.S_IFBLK:
		return fs.ModeDevice
	case syscall.S_IFSOCK:
		return fs.ModeSocket
	case syscall.S_IFDIR:
		return fs.ModeDir
	case syscall.S_IFREG:
		return 0
	}
	return fs.ModeIrregular
}
