package unpack

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mholt/archives"
)

// FuzzUnpack feeds Extract arbitrary bytes, and archives built inside the
// target from a small description (see buildArchive), so the seeds stay a
// few bytes and the fuzzer mutates entries rather than tar padding. Whatever
// the input, nothing may appear outside the destination, a refused archive
// leaves nothing at all, and an accepted tree holds only regular files,
// directories and symlinks that stay inside it, within the limits.
func FuzzUnpack(f *testing.F) {
	for _, s := range []string{
		"T d p/\nf p/a=a\nl p/l>a\nf ./p/b=b",
		"T f ../evil=x",
		"T f /abs=x",
		"T l p/out>../../x\nf p/out/y=y",
		"T d a/b/\nl a/b/up>../..\nl a/b/y>up/../..",
		"T f p/a=a\nh p/h>p/a",
		"T c p/null",
		"T f p/a=1\nf p/a=2",
		"T F p/big=70000",
		"G f p/x=x",
		"X f p/x=x",
		"Z f p/x=x\nl p/l>../..",
		"not an archive",
	} {
		f.Add([]byte(s))
	}
	f.Add([]byte("\x1f\x8b\x08"))
	f.Add([]byte("\xfd7zXZ\x00"))
	f.Add([]byte("PK\x03\x04"))
	lim := Limits{MaxFileSize: 64 << 10, MaxTotalSize: 256 << 10, MaxEntries: 200}
	f.Fuzz(func(t *testing.T, data []byte) {
		base := t.TempDir()
		parent, outside := filepath.Join(base, "cache"), filepath.Join(base, "outside")
		os.Mkdir(parent, 0o755)
		os.Mkdir(outside, 0o755)
		dest := filepath.Join(parent, "tree")

		res, err := Extract(context.Background(), bytes.NewReader(buildArchive(data)), "fuzz", dest, Options{Limits: lim})

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

// buildArchive turns a description into an archive: a first line starting
// "T " (tar), "G " (tar.gz), "X " (tar.xz) or "Z " (zip), then one entry a
// line: "f name=body", "F name=size" (a file of size bytes, so a seed of a
// few bytes can exceed the limits), "d name", "l name>target",
// "h name>target", "c name" (a character device). Anything else is
// returned as it is, for Extract to sniff.
func buildArchive(data []byte) []byte {
	if len(data) < 2 || data[1] != ' ' || !strings.ContainsRune("TGXZ", rune(data[0])) {
		return data
	}
	kind := data[0]
	var ents []zipOrTar
	for line := range strings.SplitSeq(string(data[2:]), "\n") {
		if len(line) < 2 || line[1] != ' ' {
			continue
		}
		op, rest := line[0], line[2:]
		name, arg, _ := strings.Cut(rest, "=")
		if op == 'l' || op == 'h' {
			name, arg, _ = strings.Cut(rest, ">")
		}
		e := zipOrTar{name: name}
		switch op {
		case 'f':
			e.typ, e.body = tar.TypeReg, arg
		case 'F':
			n, err := strconv.Atoi(arg)
			if err != nil || n < 0 || n > 1<<20 {
				continue
			}
			e.typ, e.body = tar.TypeReg, strings.Repeat("x", n)
		case 'd':
			e.typ = tar.TypeDir
		case 'l':
			e.typ, e.link = tar.TypeSymlink, arg
		case 'h':
			e.typ, e.link = tar.TypeLink, arg
		case 'c':
			e.typ = tar.TypeChar
		default:
			continue
		}
		ents = append(ents, e)
	}
	var buf bytes.Buffer
	if kind == 'Z' {
		zw := zip.NewWriter(&buf)
		for _, e := range ents {
			h := &zip.FileHeader{Name: e.name}
			switch e.typ {
			case tar.TypeDir:
				h.SetMode(fs.ModeDir | 0o755)
			case tar.TypeSymlink:
				h.SetMode(fs.ModeSymlink | 0o777)
				e.body = e.link
			case tar.TypeReg:
				h.SetMode(0o644)
			default:
				h.SetMode(fs.ModeDevice | fs.ModeCharDevice | 0o666)
			}
			w, err := zw.CreateHeader(h)
			if err != nil {
				return data
			}
			io.WriteString(w, e.body)
		}
		if zw.Close() != nil {
			return data
		}
		return buf.Bytes()
	}
	tw := tar.NewWriter(&buf)
	for _, e := range ents {
		h := &tar.Header{Name: e.name, Typeflag: e.typ, Linkname: e.link, Mode: 0o644, Format: tar.FormatPAX}
		if e.typ == tar.TypeReg {
			h.Size = int64(len(e.body))
		}
		if tw.WriteHeader(h) != nil {
			return data
		}
		io.WriteString(tw, e.body)
	}
	if tw.Close() != nil {
		return data
	}
	switch kind {
	case 'G':
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write(buf.Bytes())
		zw.Close()
		return z.Bytes()
	case 'X':
		var z bytes.Buffer
		w, err := archives.Xz{}.OpenWriter(&z)
		if err != nil {
			return data
		}
		w.Write(buf.Bytes())
		w.Close()
		return z.Bytes()
	}
	return buf.Bytes()
}

type zipOrTar struct {
	name, body, link string
	typ              byte
}
