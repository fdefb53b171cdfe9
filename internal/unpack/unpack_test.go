package unpack

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
)

func file(name, body string) testkit.TarEntry {
	return testkit.TarEntry{Name: name, Body: body, Mode: 0o644}
}
func dir(name string) testkit.TarEntry {
	return testkit.TarEntry{Name: name, Typeflag: tar.TypeDir, Mode: 0o755}
}
func symlink(name, to string) testkit.TarEntry {
	return testkit.TarEntry{Name: name, Typeflag: tar.TypeSymlink, Link: to, Mode: 0o777}
}
func hardlink(name, to string) testkit.TarEntry {
	return testkit.TarEntry{Name: name, Typeflag: tar.TypeLink, Link: to, Mode: 0o644}
}

func gz(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type zent struct {
	name string
	body string
	mode fs.FileMode
}

func makeZip(t testing.TB, ents ...zent) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range ents {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		h.SetMode(e.mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(e.body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sandbox is a directory holding only the destination; outside is a
// sibling that hostile entries aim at.
type sandbox struct {
	parent, dest, outside string
}

func newSandbox(t *testing.T) sandbox {
	base := t.TempDir()
	s := sandbox{parent: filepath.Join(base, "cache"), outside: filepath.Join(base, "outside")}
	s.dest = filepath.Join(s.parent, "tree")
	for _, d := range []string{s.parent, s.outside} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// assertNothingLeft checks that a refused archive created nothing: no
// destination, no temporary directory, nothing next to the sandbox.
func (s sandbox) assertNothingLeft(t *testing.T) {
	t.Helper()
	for _, d := range []string{s.parent, s.outside} {
		ents, err := os.ReadDir(d)
		if err != nil {
			t.Fatal(err)
		}
		if len(ents) != 0 {
			var names []string
			for _, e := range ents {
				names = append(names, e.Name())
			}
			t.Errorf("%s holds %v after a refused archive", d, names)
		}
	}
}

func TestExtractGood(t *testing.T) {
	s := newSandbox(t)
	setuid := file("pkg-1.0/bin/tool", "#!/bin/sh\n")
	setuid.Mode = 0o4755
	archive := testkit.Tar(t,
		dir("pkg-1.0/"),
		file("pkg-1.0/README", "hello\n"),
		setuid,
		file("./pkg-1.0/src/a.c", "int a;\n"), // "./" prefixes are normal
		dir("pkg-1.0/src/"),                   // a directory after its contents
		symlink("pkg-1.0/src/b.c", "a.c"),
		symlink("pkg-1.0/include", "src"),
		symlink("pkg-1.0/src/gen.h", "../build/gen.h"), // dangling but in the tree
		file("pkg-1.0/empty", ""),
	)
	res, err := Extract(context.Background(), bytes.NewReader(archive), "pkg-1.0.tar", s.dest, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Files != 4 || res.Symlinks != 3 || res.Dirs != 3 || res.DroppedModes != 1 || !slices.Equal(res.Top, []string{"pkg-1.0"}) {
		t.Errorf("result = %+v", res)
	}
	b, err := os.ReadFile(filepath.Join(s.dest, "pkg-1.0/src/b.c"))
	if err != nil || string(b) != "int a;\n" {
		t.Errorf("symlink b.c: %q, %v", b, err)
	}
	fi, err := os.Stat(filepath.Join(s.dest, "pkg-1.0/bin/tool"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&fs.ModeSetuid != 0 || fi.Mode().Perm()&0o100 == 0 {
		t.Errorf("tool mode = %v, want executable without setuid", fi.Mode())
	}
	// Only the destination is left: the temporary directory was renamed.
	ents, _ := os.ReadDir(s.parent)
	if len(ents) != 1 || ents[0].Name() != "tree" {
		t.Errorf("parent holds %v", ents)
	}
	// The destination must not exist yet: nothing is ever overwritten.
	_, err = Extract(context.Background(), bytes.NewReader(archive), "pkg-1.0.tar", s.dest, Options{})
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("second extract into the same dest: %v", err)
	}
}

func TestExtractCompressedAndZip(t *testing.T) {
	plain := testkit.Tar(t, dir("p/"), file("p/x", "x\n"))
	for name, data := range map[string][]byte{
		"p.tar.gz": gz(t, plain),
		"p.tar.xz": testkit.Xz(t, plain),
		// The name is only a hint: content decides.
		"p.bin": testkit.Xz(t, plain),
		"p.zip": makeZip(t, zent{"p/", "", fs.ModeDir | 0o755}, zent{"p/x", "x\n", 0o644}, zent{"p/l", "x", fs.ModeSymlink | 0o777}),
	} {
		t.Run(name, func(t *testing.T) {
			s := newSandbox(t)
			if _, err := Extract(context.Background(), bytes.NewReader(data), name, s.dest, Options{}); err != nil {
				t.Fatal(err)
			}
			if b, err := os.ReadFile(filepath.Join(s.dest, "p/x")); err != nil || string(b) != "x\n" {
				t.Errorf("p/x = %q, %v", b, err)
			}
		})
	}
}

func TestExtractRefuses(t *testing.T) {
	big := file("p/big", "")
	big.Size = 2048
	lying := file("p/lying", "")
	lying.Mode = 0o120644 // c_ISLNK in the mode, regular in the type flag
	tests := []struct {
		name    string
		archive func(s sandbox) []byte
		limits  Limits
		want    string // in the error
		unsafe  bool   // an *UnsafeError
	}{
		{name: "dot-dot", want: `entry "../evil": path leaves the tree`, unsafe: true,
			archive: func(sandbox) []byte { return testkit.Tar(t, file("p/ok", "ok"), file("../evil", "x")) }},
		{name: "dot-dot inside", want: "path leaves the tree", unsafe: true,
			archive: func(sandbox) []byte { return testkit.Tar(t, file("p/../../outside/evil", "x")) }},
		{name: "absolute", want: "absolute path", unsafe: true,
			archive: func(s sandbox) []byte { return testkit.Tar(t, file(filepath.Join(s.outside, "abs"), "x")) }},
		{name: "absolute dir", want: "absolute path", unsafe: true,
			archive: func(sandbox) []byte { return testkit.Tar(t, dir("/")) }},
		{name: "backslash", want: "backslash", unsafe: true,
			archive: func(sandbox) []byte { return testkit.Tar(t, file(`p\..\..\evil`, "x")) }},
		{name: "symlink absolute", want: `symlink to the absolute path "/etc"`, unsafe: true,
			archive: func(sandbox) []byte { return testkit.Tar(t, symlink("p/etc", "/etc")) }},
		{name: "symlink escape", want: `symlink to "../../outside" points outside the tree`, unsafe: true,
			archive: func(sandbox) []byte {
				return testkit.Tar(t, symlink("p/out", "../../outside"), file("p/out/evil", "x"))
			}},
		{name: "symlink chain escape", want: "does not resolve inside the tree", unsafe: true,
			archive: func(sandbox) []byte {
				// Each target is local on paper; together they climb out.
				return testkit.Tar(t, dir("a/b/"), symlink("a/b/up", "../.."), symlink("a/b/y", "up/../.."))
			}},
		{name: "symlink loop", want: "does not resolve inside the tree", unsafe: true,
			archive: func(sandbox) []byte { return testkit.Tar(t, symlink("p/a", "b"), symlink("p/b", "a")) }},
		{name: "write through symlink", want: `goes through the symlink "p/l"`, unsafe: true,
			archive: func(sandbox) []byte {
				return testkit.Tar(t, dir("p/sub/"), symlink("p/l", "sub"), file("p/l/x", "x"))
			}},
		{name: "hard link", want: `hard link to "p/a": hard links are not unpacked`, unsafe: true,
			archive: func(sandbox) []byte { return testkit.Tar(t, file("p/a", "a"), hardlink("p/h", "p/a")) }},
		{name: "hard link outside", want: "hard link", unsafe: true,
			archive: func(sandbox) []byte { return testkit.Tar(t, hardlink("p/passwd", "/etc/passwd")) }},
		{name: "char device", want: "character device", unsafe: true,
			archive: func(sandbox) []byte {
				return testkit.Tar(t, testkit.TarEntry{Name: "p/null", Typeflag: tar.TypeChar, Mode: 0o666})
			}},
		{name: "block device", want: "block device", unsafe: true,
			archive: func(sandbox) []byte {
				return testkit.Tar(t, testkit.TarEntry{Name: "p/sda", Typeflag: tar.TypeBlock, Mode: 0o660})
			}},
		{name: "fifo", want: "FIFO", unsafe: true,
			archive: func(sandbox) []byte {
				return testkit.Tar(t, testkit.TarEntry{Name: "p/fifo", Typeflag: tar.TypeFifo, Mode: 0o644})
			}},
		{name: "mode bits disagree with type", want: "mode bits say", unsafe: true,
			archive: func(sandbox) []byte { return testkit.Tar(t, lying) }},
		{name: "duplicate", want: "duplicate entry", unsafe: true,
			archive: func(sandbox) []byte { return testkit.Tar(t, file("p/a", "good"), file("p/a", "evil")) }},
		{name: "duplicate after symlink", want: "duplicate entry", unsafe: true,
			archive: func(sandbox) []byte { return testkit.Tar(t, symlink("p/a", "b"), file("p/a", "evil")) }},
		{name: "file over a directory", want: "conflicts with the directory", unsafe: true,
			archive: func(sandbox) []byte { return testkit.Tar(t, file("p/d/x", "x"), file("p/d", "evil")) }},
		{name: "file as a parent", want: `goes through the file "p/f"`, unsafe: true,
			archive: func(sandbox) []byte { return testkit.Tar(t, file("p/f", "x"), file("p/f/x", "x")) }},
		{name: "file bigger than the cap", limits: Limits{MaxFileSize: 1024}, want: "2048 bytes, more than the 1024-byte limit for one file", unsafe: true,
			archive: func(sandbox) []byte { return testkit.Tar(t, big) }},
		{name: "total over the cap", limits: Limits{MaxTotalSize: 1500}, want: "more than the 1500-byte limit", unsafe: true,
			archive: func(sandbox) []byte {
				return testkit.Tar(t, file("p/a", strings.Repeat("a", 1000)), file("p/b", strings.Repeat("b", 1000)))
			}},
		{name: "too many entries", limits: Limits{MaxEntries: 3}, want: "more than 3 entries", unsafe: true,
			archive: func(sandbox) []byte {
				return testkit.Tar(t, file("p/1", ""), file("p/2", ""), file("p/3", ""), file("p/4", ""))
			}},
		{name: "truncated", want: "read archive",
			archive: func(sandbox) []byte {
				b := testkit.Tar(t, file("p/a", strings.Repeat("a", 4096)))
				return b[:1024]
			}},
		{name: "not an archive", want: ErrFormat.Error(),
			archive: func(sandbox) []byte { return []byte("<html>404 Not Found</html>\n") }},
		{name: "compressed non-archive", want: ErrFormat.Error(),
			archive: func(sandbox) []byte { return gz(t, []byte("just text\n")) }},
		{name: "zip dot-dot", want: "path leaves the tree", unsafe: true,
			archive: func(sandbox) []byte { return makeZip(t, zent{"../evil", "x", 0o644}) }},
		{name: "zip symlink escape", want: "points outside the tree", unsafe: true,
			archive: func(sandbox) []byte { return makeZip(t, zent{"p/l", "../../../etc", fs.ModeSymlink | 0o777}) }},
		{name: "gzip dot-dot", want: "path leaves the tree", unsafe: true,
			archive: func(sandbox) []byte { return gz(t, testkit.Tar(t, file("../evil", "x"))) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSandbox(t)
			_, err := Extract(context.Background(), bytes.NewReader(tt.archive(s)), "p.tar", s.dest, Options{Limits: tt.limits})
			if err == nil {
				t.Fatal("extracted, want a refusal")
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "unpack p.tar: ") {
				t.Errorf("err = %q, want it to contain %q", err, tt.want)
			}
			var ue *UnsafeError
			if tt.unsafe != errors.As(err, &ue) {
				t.Errorf("errors.As(*UnsafeError) = %v, want %v (%v)", !tt.unsafe, tt.unsafe, err)
			}
			s.assertNothingLeft(t)
		})
	}
}

func TestExtractCheckRefuses(t *testing.T) {
	s := newSandbox(t)
	archive := testkit.Tar(t, file("p/README", "x"))
	_, err := Extract(context.Background(), bytes.NewReader(archive), "p.tar", s.dest, Options{
		Check: func(tree fs.FS) error {
			if _, err := fs.Stat(tree, "p/README"); err != nil {
				t.Errorf("Check does not see the tree: %v", err)
			}
			_, err := fs.Stat(tree, "p/lib/bpf/src/libbpf.h")
			return err
		},
	})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("err = %v", err)
	}
	s.assertNothingLeft(t)
}

func TestExtractCancelled(t *testing.T) {
	s := newSandbox(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Extract(ctx, bytes.NewReader(testkit.Tar(t, file("p/a", "a"))), "p.tar", s.dest, Options{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
	s.assertNothingLeft(t)
}

// A read-only directory in the archive still receives its entries, and
// the tree can be removed afterwards.
func TestExtractReadOnlyDir(t *testing.T) {
	s := newSandbox(t)
	ro := dir("p/ro/")
	ro.Mode = 0o555
	if _, err := Extract(context.Background(), bytes.NewReader(testkit.Tar(t, ro, file("p/ro/x", "x"))), "p.tar", s.dest, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(s.dest); err != nil {
		t.Errorf("remove the tree: %v", err)
	}
}
