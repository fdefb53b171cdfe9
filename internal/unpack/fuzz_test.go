package unpack

import (
	"archive/tar"
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
)

// FuzzUnpack feeds arbitrary bytes to Extract. Whatever the input, nothing
// may appear outside the destination, a refused archive leaves nothing at
// all, and an accepted tree holds only regular files, directories and
// symlinks that stay inside it, within the limits.
func FuzzUnpack(f *testing.F) {
	seeds := [][]byte{
		testkit.Tar(f, dir("p/"), file("p/a", "a"), symlink("p/l", "a"), file("./p/b", "b")),
		testkit.Tar(f, file("../evil", "x")),
		testkit.Tar(f, file("/abs", "x")),
		testkit.Tar(f, symlink("p/out", "../../x"), file("p/out/y", "y")),
		testkit.Tar(f, dir("a/b/"), symlink("a/b/up", "../.."), symlink("a/b/y", "up/../..")),
		testkit.Tar(f, file("p/a", "a"), hardlink("p/h", "p/a")),
		testkit.Tar(f, testkit.TarEntry{Name: "p/null", Typeflag: tar.TypeChar, Mode: 0o666}),
		testkit.Tar(f, file("p/a", "1"), file("p/a", "2")),
		gz(f, testkit.Tar(f, file("p/x", "x"))),
		testkit.Xz(f, testkit.Tar(f, file("p/x", "x"))),
		makeZip(f, zent{"p/x", "x", 0o644}, zent{"p/l", "../..", fs.ModeSymlink | 0o777}),
		[]byte("not an archive"),
	}
	for _, s := range seeds {
		f.Add(s)
	}
	lim := Limits{MaxFileSize: 64 << 10, MaxTotalSize: 256 << 10, MaxEntries: 200}
	f.Fuzz(func(t *testing.T, data []byte) {
		base := t.TempDir()
		parent, outside := filepath.Join(base, "cache"), filepath.Join(base, "outside")
		os.Mkdir(parent, 0o755)
		os.Mkdir(outside, 0o755)
		dest := filepath.Join(parent, "tree")

		res, err := Extract(context.Background(), bytes.NewReader(data), "fuzz", dest, Options{Limits: lim})

		if ents, _ := os.ReadDir(outside); len(ents) != 0 {
			t.Fatalf("wrote outside the tree: %v", ents)
		}
		if ents, _ := os.ReadDir(base); len(ents) != 2 {
			t.Fatalf("wrote next to the sandbox: %v", ents)
		}
		ents, _ := os.ReadDir(parent)
		if err != nil {
			if len(ents) != 0 {
				t.Fatalf("refused (%v) but left %v behind", err, ents)
			}
			return
		}
		if len(ents) != 1 || ents[0].Name() != "tree" {
			t.Fatalf("accepted but the parent holds %v", ents)
		}
		if res.Bytes > lim.MaxTotalSize {
			t.Fatalf("wrote %d bytes, limit %d", res.Bytes, lim.MaxTotalSize)
		}
		err = filepath.WalkDir(dest, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			fi, err := os.Lstat(p)
			if err != nil {
				return err
			}
			m := fi.Mode()
			if m&(fs.ModeSetuid|fs.ModeSetgid) != 0 {
				t.Errorf("%s keeps %v", p, m)
			}
			switch m.Type() {
			case 0:
				if fi.Size() > lim.MaxFileSize {
					t.Errorf("%s is %d bytes", p, fi.Size())
				}
			case fs.ModeDir:
			case fs.ModeSymlink:
				target, _ := os.Readlink(p)
				if filepath.IsAbs(target) {
					t.Errorf("%s -> absolute %s", p, target)
				}
				if r, err := filepath.EvalSymlinks(p); err == nil && r != dest && !strings.HasPrefix(r, dest+"/") {
					t.Errorf("%s resolves to %s, outside %s", p, r, dest)
				}
			default:
				t.Errorf("%s has type %v", p, m.Type())
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
