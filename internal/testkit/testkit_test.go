package testkit

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mholt/archives"
)

func TestTar(t *testing.T) {
	b := Tar(t,
		TarEntry{Name: "a/file", Body: "hi", Mode: 0o644},
		TarEntry{Name: "a/link", Typeflag: tar.TypeSymlink, Link: "file"},
		TarEntry{Name: "a/big", Body: "x", Size: 5},
	)
	tr := tar.NewReader(bytes.NewReader(b))
	var got []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		got = append(got, h.Name+"="+string(body)+"->"+h.Linkname)
	}
	want := "a/file=hi->|a/link=->file|a/big=xxxxx->"
	if s := strings.Join(got, "|"); s != want {
		t.Errorf("Tar = %s, want %s", s, want)
	}
}

func TestFakeHost(t *testing.T) {
	h := Fake{
		Files: map[string]string{"/etc/os-release": "ID=debian\n"},
		Tools: map[string]string{"llc": "echo fake llc\n"},
	}.Host(t)
	b, err := h.ReadFile("/etc/os-release")
	if err != nil || string(b) != "ID=debian\n" {
		t.Fatalf("ReadFile = %q, %v", b, err)
	}
	out, err := h.Run(context.Background(), "llc")
	if err != nil || strings.TrimSpace(string(out.Stdout)) != "fake llc" {
		t.Fatalf("Run(llc) = %+v, %v", out, err)
	}
}

func TestDirNames(t *testing.T) {
	dir := t.TempDir()
	WriteFile(t, filepath.Join(dir, "b"), "", 0o644)
	WriteFile(t, filepath.Join(dir, "a/x"), "", 0o644)
	if got := strings.Join(DirNames(dir), ","); got != "a,b" {
		t.Errorf("DirNames = %s, want a,b", got)
	}
	if got := DirNames(filepath.Join(dir, "missing")); len(got) != 0 {
		t.Errorf("DirNames(missing) = %v", got)
	}
	AssertDir(t, dir, "a", "b")
	AssertDir(t, filepath.Join(dir, "missing"))
}

func TestXz(t *testing.T) {
	r, err := archives.Xz{}.OpenReader(bytes.NewReader(Xz(t, []byte("dwarves"))))
	if err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(r); err != nil || string(b) != "dwarves" {
		t.Errorf("round trip = %q, %v", b, err)
	}
}
