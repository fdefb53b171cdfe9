// Package unpack extracts untrusted archives (tar, compressed tar, zip)
// safely. github.com/mholt/archives reads the formats but hands entry names
// and link targets over unchecked, so every entry is judged here and written
// only through an os.Root opened on a fresh temporary directory, which is
// renamed into place when the whole archive has passed. A refused archive
// leaves nothing behind.
package unpack

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/mholt/archives"

	"github.com/bpfdoctor/bpfdoctor/internal/clip"
)

// Limits cap what one archive may write; zero fields take the defaults.
type Limits struct {
	MaxFileSize  int64 // bytes of one file
	MaxTotalSize int64 // bytes of all files together
	MaxEntries   int   // entries of any kind
}

// Default limits: far above any source release (dwarves unpacks to ~10 MB,
// llvm-project to ~2 GB), far below what would fill a disk.
const (
	DefaultMaxFileSize  = 512 << 20
	DefaultMaxTotalSize = 4 << 30
	DefaultMaxEntries   = 500_000
)

func (l Limits) withDefaults() Limits {
	if l.MaxFileSize <= 0 {
		l.MaxFileSize = DefaultMaxFileSize
	}
	if l.MaxTotalSize <= 0 {
		l.MaxTotalSize = DefaultMaxTotalSize
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = DefaultMaxEntries
	}
	return l
}

// Options tune Extract.
type Options struct {
	Limits Limits
	// Check, when set, judges the unpacked tree before it is moved into
	// place; an error refuses the archive like an unsafe entry does.
	Check func(tree fs.FS) error
}

// Result describes a successful extraction.
type Result struct {
	Files, Dirs, Symlinks int
	Bytes                 int64
	// Top lists the distinct first path elements, sorted: a source release
	// has exactly one, its "name-version" directory.
	Top []string
	// DroppedModes counts entries whose setuid, setgid or sticky bit was
	// dropped.
	DroppedModes int
}

// UnsafeError is an entry the unpacker refuses. Its message names the entry
// as the archive spells it.
type UnsafeError struct {
	Entry  string
	Reason string
}

func (e *UnsafeError) Error() string {
	return fmt.Sprintf("entry %q: %s", clip.String(clip.Printable(e.Entry), 200), e.Reason)
}

// ErrFormat is wrapped when the input is not an archive this package reads.
var ErrFormat = errors.New("not a tar, compressed tar or zip archive")

// Extract unpacks the archive read from r into dest, which must not exist
// yet. name is the archive's file name, for messages; the format is read
// from the content. Entries are
// written into a new temporary directory next to dest; on any error, a
// refused entry, a limit, a read error or a failed Check, that directory is
// removed and dest is not created.
func Extract(ctx context.Context, r io.Reader, name, dest string, o Options) (res Result, err error) {
	if _, err := os.Lstat(dest); err == nil {
		return Result{}, fmt.Errorf("unpack %s: %s already exists", name, dest)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return Result{}, fmt.Errorf("unpack %s: %w", name, err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dest), ".unpack-"+filepath.Base(dest)+"-")
	if err != nil {
		return Result{}, fmt.Errorf("unpack %s: %w", name, err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	root, err := os.OpenRoot(tmp)
	if err != nil {
		return Result{}, fmt.Errorf("unpack %s: %w", name, err)
	}
	defer root.Close()

	x := &extractor{root: root, lim: o.Limits.withDefaults(), seen: map[string]kind{}, dirModes: map[string]fs.FileMode{}, top: map[string]bool{}}
	if err := x.run(ctx, r); err != nil {
		return Result{}, fmt.Errorf("unpack %s: %w", name, err)
	}
	if err := x.finish(); err != nil {
		return Result{}, fmt.Errorf("unpack %s: %w", name, err)
	}
	if o.Check != nil {
		if err := o.Check(root.FS()); err != nil {
			return Result{}, fmt.Errorf("unpack %s: %w", name, err)
		}
	}
	if err := root.Close(); err != nil {
		return Result{}, fmt.Errorf("unpack %s: %w", name, err)
	}
	// tmp's own mode is 0700 from MkdirTemp; the tree is the user's now.
	if err := os.Chmod(tmp, 0o755); err != nil {
		return Result{}, fmt.Errorf("unpack %s: %w", name, err)
	}
	if err := os.Rename(tmp, dest); err != nil {
		return Result{}, fmt.Errorf("unpack %s: %w", name, err)
	}
	return x.result(), nil
}

type kind int

const (
	kindFile kind = iota + 1
	kindDir
	kindSymlink
	kindImplicitDir // created as the parent of an entry, not named itself
)

type extractor struct {
	root     *os.Root
	lim      Limits
	res      Result
	entries  int
	seen     map[string]kind
	symlinks []string
	dirModes map[string]fs.FileMode
	top      map[string]bool
}

// run identifies the format and walks the entries. A panic in a format
// reader on hostile input becomes a refusal, not a crash.
func (x *extractor) run(ctx context.Context, r io.Reader) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("read archive: reader failed on malformed input: %v", p)
		}
	}()
	// Content alone decides: a name ending in .tar must not make a zip or a
	// web page be read as tar.
	format, stream, err := archives.Identify(ctx, "", r)
	if err != nil {
		if errors.Is(err, archives.NoMatch) {
			return ErrFormat
		}
		return fmt.Errorf("identify format: %w", err)
	}
	ex, ok := supported(format)
	if !ok {
		return ErrFormat
	}
	err = ex.Extract(ctx, stream, x.handle)
	var ue *UnsafeError
	if errors.As(err, &ue) {
		// archives wraps handler errors in "handling file: NAME: "; the
		// entry is named already.
		return ue
	}
	if err != nil {
		return fmt.Errorf("read archive: %w", err)
	}
	return nil
}

// supported keeps to the formats a source release comes in. 7z and rar
// readers are large, rarely needed, and not worth their attack surface.
func supported(f archives.Format) (archives.Extractor, bool) {
	switch f := f.(type) {
	case archives.Tar, archives.Zip:
		return f.(archives.Extractor), true
	case archives.CompressedArchive:
		if _, ok := f.Extraction.(archives.Tar); ok && f.Compression != nil {
			return f, true
		}
	}
	return nil, false
}

func (x *extractor) handle(ctx context.Context, f archives.FileInfo) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	x.entries++
	if x.entries > x.lim.MaxEntries {
		return &UnsafeError{f.NameInArchive, fmt.Sprintf("more than %d entries", x.lim.MaxEntries)}
	}
	k, err := entryKind(f)
	if err != nil {
		return err
	}
	name, err := cleanName(f.NameInArchive, k == kindDir)
	if err != nil {
		return err
	}
	if name == "." {
		// "./", the archive's own top; nothing to create.
		if k != kindDir {
			return &UnsafeError{f.NameInArchive, "names the top directory itself"}
		}
		return nil
	}
	if prev, dup := x.seen[name]; dup {
		switch {
		case prev == kindImplicitDir && k == kindDir:
			// The directory entry after its contents, as some tools write.
		case prev == kindImplicitDir:
			return &UnsafeError{f.NameInArchive, "conflicts with the directory of earlier entries"}
		default:
			return &UnsafeError{f.NameInArchive, "duplicate entry: a second copy could replace what was checked"}
		}
	}
	if err := x.checkParents(f.NameInArchive, name); err != nil {
		return err
	}
	mode := f.Mode()
	if mode&(fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky) != 0 {
		x.res.DroppedModes++
	}
	perm := mode.Perm()
	x.top[strings.SplitN(name, "/", 2)[0]] = true

	switch k {
	case kindDir:
		if x.seen[name] != kindImplicitDir {
			if err := x.root.Mkdir(name, 0o755); err != nil {
				return fmt.Errorf("create %s: %w", name, err)
			}
			x.res.Dirs++
		}
		x.seen[name] = kindDir
		// Applied at the end: a read-only directory must still take the
		// entries that follow it.
		x.dirModes[name] = perm | 0o700
		return nil
	case kindSymlink:
		if err := checkLinkTarget(f.NameInArchive, name, f.LinkTarget); err != nil {
			return err
		}
		if err := x.root.Symlink(f.LinkTarget, name); err != nil {
			return fmt.Errorf("create %s: %w", name, err)
		}
		x.seen[name] = kindSymlink
		x.symlinks = append(x.symlinks, name)
		x.res.Symlinks++
		return nil
	default:
		return x.writeFile(f, name, perm)
	}
}

// writeFile copies one regular file, counting its bytes against both caps
// as they arrive: the header's size is checked first but not trusted.
func (x *extractor) writeFile(f archives.FileInfo, name string, perm fs.FileMode) error {
	if f.Size() > x.lim.MaxFileSize {
		return &UnsafeError{f.NameInArchive, fmt.Sprintf("%d bytes, more than the %d-byte limit for one file", f.Size(), x.lim.MaxFileSize)}
	}
	if x.res.Bytes+f.Size() > x.lim.MaxTotalSize {
		return &UnsafeError{f.NameInArchive, fmt.Sprintf("the archive unpacks to more than the %d-byte limit", x.lim.MaxTotalSize)}
	}
	in, err := f.Open()
	if err != nil {
		return fmt.Errorf("open %s: %w", name, err)
	}
	defer in.Close()
	// O_EXCL: never replace anything, not even a file this archive wrote.
	out, err := x.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm|0o600)
	if err != nil {
		return fmt.Errorf("create %s: %w", name, err)
	}
	x.seen[name] = kindFile
	limit := min(x.lim.MaxFileSize, x.lim.MaxTotalSize-x.res.Bytes)
	n, err := io.Copy(out, io.LimitReader(in, limit+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	x.res.Bytes += n
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if n > limit {
		if n > x.lim.MaxFileSize {
			return &UnsafeError{f.NameInArchive, fmt.Sprintf("more than the %d-byte limit for one file", x.lim.MaxFileSize)}
		}
		return &UnsafeError{f.NameInArchive, fmt.Sprintf("the archive unpacks to more than the %d-byte limit", x.lim.MaxTotalSize)}
	}
	x.res.Files++
	return nil
}

// checkParents refuses a path through a symlink this archive made (writing
// "link/file" would land wherever link points) and creates missing parents.
func (x *extractor) checkParents(raw, name string) error {
	dir := path.Dir(name)
	if dir == "." {
		return nil
	}
	parts := strings.Split(dir, "/")
	for i := range parts {
		p := strings.Join(parts[:i+1], "/")
		switch x.seen[p] {
		case kindSymlink:
			return &UnsafeError{raw, fmt.Sprintf("goes through the symlink %q", p)}
		case kindFile:
			return &UnsafeError{raw, fmt.Sprintf("goes through the file %q", p)}
		case 0:
			if err := x.root.Mkdir(p, 0o755); err != nil {
				return fmt.Errorf("create %s: %w", p, err)
			}
			x.seen[p] = kindImplicitDir
			x.res.Dirs++
		}
	}
	return nil
}

// finish checks every symlink as the kernel will resolve it, now that the
// tree is complete: targets that were local on paper can still leave the
// tree through another link ("a/b/up -> ../.." then "a/b/y -> up/../.."),
// and os.Root refuses exactly those. Then it sets the directory modes.
func (x *extractor) finish() error {
	for _, l := range x.symlinks {
		// A dangling link is fine (it may name a file a build makes); one
		// that escapes or loops is not.
		_, err := x.root.Stat(l)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			target, _ := x.root.Readlink(l)
			return &UnsafeError{l, fmt.Sprintf("symlink to %q does not resolve inside the tree: %v", clip.String(clip.Printable(target), 200), unwrapPath(err))}
		}
	}
	// Deepest first, so a read-only parent does not block its children.
	dirs := make([]string, 0, len(x.dirModes))
	for d := range x.dirModes {
		dirs = append(dirs, d)
	}
	sort.Sort(sort.Reverse(sort.StringSlice(dirs)))
	for _, d := range dirs {
		if err := x.root.Chmod(d, x.dirModes[d]); err != nil {
			return fmt.Errorf("chmod %s: %w", d, err)
		}
	}
	return nil
}

func (x *extractor) result() Result {
	r := x.res
	for t := range x.top {
		r.Top = append(r.Top, t)
	}
	sort.Strings(r.Top)
	return r
}

// entryKind maps an entry to what may be created. For tar, the type flag is
// the authority, and mode bits that claim another type are refused: the
// header's two descriptions must agree.
func entryKind(f archives.FileInfo) (kind, error) {
	name := f.NameInArchive
	modeType := f.Mode().Type()
	if h, ok := f.Header.(*tar.Header); ok {
		var k kind
		var want fs.FileMode
		switch h.Typeflag {
		case tar.TypeReg: // archive/tar reports the old '\x00' flag as TypeReg
			k = kindFile
		case tar.TypeDir:
			k, want = kindDir, fs.ModeDir
		case tar.TypeSymlink:
			k, want = kindSymlink, fs.ModeSymlink
		case tar.TypeLink:
			return 0, &UnsafeError{name, fmt.Sprintf("hard link to %q: hard links are not unpacked", clip.String(clip.Printable(h.Linkname), 200))}
		case tar.TypeChar:
			return 0, &UnsafeError{name, "character device: devices are not unpacked"}
		case tar.TypeBlock:
			return 0, &UnsafeError{name, "block device: devices are not unpacked"}
		case tar.TypeFifo:
			return 0, &UnsafeError{name, "FIFO: special files are not unpacked"}
		default:
			return 0, &UnsafeError{name, fmt.Sprintf("unsupported entry type %q", h.Typeflag)}
		}
		if modeType != want {
			return 0, &UnsafeError{name, fmt.Sprintf("mode bits say %v, type flag says %q", modeType, h.Typeflag)}
		}
		return k, nil
	}
	switch {
	case modeType == 0:
		if f.LinkTarget != "" {
			return 0, &UnsafeError{name, "hard link: hard links are not unpacked"}
		}
		return kindFile, nil
	case modeType == fs.ModeDir:
		return kindDir, nil
	case modeType == fs.ModeSymlink:
		return kindSymlink, nil
	case modeType&fs.ModeDevice != 0:
		return 0, &UnsafeError{name, "device: devices are not unpacked"}
	case modeType&fs.ModeNamedPipe != 0:
		return 0, &UnsafeError{name, "FIFO: special files are not unpacked"}
	default:
		return 0, &UnsafeError{name, fmt.Sprintf("unsupported file type %v", modeType)}
	}
}

// cleanName turns an entry name into a slash-separated local path, or
// refuses it. Archives from real projects never need "..", a leading "/"
// or a backslash, so those are refused outright rather than repaired.
func cleanName(raw string, isDir bool) (string, error) {
	switch {
	case raw == "":
		return "", &UnsafeError{raw, "empty name"}
	case strings.ContainsRune(raw, 0):
		return "", &UnsafeError{raw, "name contains a NUL byte"}
	case strings.ContainsRune(raw, '\\'):
		return "", &UnsafeError{raw, "name contains a backslash"}
	case strings.HasPrefix(raw, "/"):
		return "", &UnsafeError{raw, "absolute path"}
	}
	trimmed := raw
	if isDir {
		trimmed = strings.TrimRight(raw, "/")
		if trimmed == "" {
			return "", &UnsafeError{raw, "absolute path"}
		}
	}
	for _, el := range strings.Split(trimmed, "/") {
		if el == ".." {
			return "", &UnsafeError{raw, "path leaves the tree (..)"}
		}
	}
	name := path.Clean(trimmed)
	if name == "." {
		return ".", nil
	}
	if !filepath.IsLocal(name) {
		return "", &UnsafeError{raw, "not a local path"}
	}
	return name, nil
}

// checkLinkTarget refuses a symlink whose target is absolute or climbs out
// of the tree from where the link sits.
func checkLinkTarget(raw, name, target string) error {
	switch {
	case target == "":
		return &UnsafeError{raw, "symlink with an empty target"}
	case strings.ContainsRune(target, 0):
		return &UnsafeError{raw, "symlink target contains a NUL byte"}
	case strings.ContainsRune(target, '\\'):
		return &UnsafeError{raw, "symlink target contains a backslash"}
	case strings.HasPrefix(target, "/"):
		return &UnsafeError{raw, fmt.Sprintf("symlink to the absolute path %q", clip.String(clip.Printable(target), 200))}
	}
	if !filepath.IsLocal(path.Join(path.Dir(name), target)) {
		return &UnsafeError{raw, fmt.Sprintf("symlink to %q points outside the tree", clip.String(clip.Printable(target), 200))}
	}
	return nil
}

// unwrapPath drops the *PathError wrapper, whose path is the temporary
// directory's, not the archive's.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
