// Package testkit holds the helpers bpfdoctor's tests share: finding real
// tools (skip, or fail under BPFDOCTOR_REQUIRE_TOOLS=1), golden files,
// testdata, tarballs and fake hosts (a temporary root and a PATH of fake
// tools). Only tests import it.
package testkit

import (
	"archive/tar"
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mholt/archives"

	"github.com/bpfdoctor/bpfdoctor/internal/host"
)

// RequireEnv is the variable CI sets so that a missing real tool fails the
// test instead of skipping it.
const RequireEnv = "BPFDOCTOR_REQUIRE_TOOLS"

// Required reports whether real tools are required (CI).
func Required() bool { return os.Getenv(RequireEnv) == "1" }

// Missing ends a test whose real prerequisite is absent: a skip on a
// developer's machine, a failure where RequireEnv promises it.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if Required() {
		t.Fatalf(format+" ("+RequireEnv+"=1)", args...)
	}
	t.Skipf(format, args...)
}

// Tool returns the path of a real tool on PATH, or ends the test as Missing.
func Tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, "%s not found on PATH", name)
	}
	return p
}

// Tools requires each of names on PATH.
func Tools(t testing.TB, names ...string) {
	t.Helper()
	for _, n := range names {
		Tool(t, n)
	}
}

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// Golden compares got with testdata/name; with -update it rewrites the file.
func Golden(t testing.TB, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test -update to accept after checking):\n--- got\n%s\n--- want\n%s", p, got, want)
	}
}

// ReadTestdata returns testdata/name.
func ReadTestdata(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TarEntry is one member of a tarball built by Tar.
type TarEntry struct {
	Name     string
	Typeflag byte // tar.TypeReg when zero
	Body     string
	Link     string
	Mode     int64
	// Size is the header's size when it should differ from len(Body); a
	// larger size pads the body with 'x'.
	Size int64
}

// Tar builds an uncompressed PAX tarball of ents, hostile ones included.
func Tar(t testing.TB, ents ...TarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range ents {
		tf := e.Typeflag
		if tf == 0 {
			tf = tar.TypeReg
		}
		h := &tar.Header{Name: e.Name, Typeflag: tf, Linkname: e.Link, Mode: e.Mode, Format: tar.FormatPAX}
		body := e.Body
		if tf == tar.TypeReg {
			h.Size = int64(len(body))
			if e.Size != 0 {
				h.Size = e.Size
			}
			if h.Size > int64(len(body)) {
				body += strings.Repeat("x", int(h.Size)-len(body))
			}
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatalf("write tar header %q: %v", e.Name, err)
		}
		if tf == tar.TypeReg {
			if _, err := tw.Write([]byte(body)); err != nil {
				t.Fatalf("write tar entry %q: %v", e.Name, err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Fake describes a fake machine: files under a temporary root and
// executable scripts in a directory that is the whole PATH.
type Fake struct {
	// Files maps absolute paths on the machine to contents.
	Files map[string]string
	// Tools maps tool names to shell scripts (without the #! line).
	Tools map[string]string
	// UID is the host's effective user ID.
	UID int
	// Timeout is the deadline for each command (default 5s).
	Timeout time.Duration
}

// Host builds the fake machine in t's temporary directory.
func (f Fake) Host(t testing.TB) *host.Host {
	t.Helper()
	root := t.TempDir()
	bin := t.TempDir()
	for name, body := range f.Files {
		WriteFile(t, filepath.Join(root, name), body, 0o644)
	}
	for name, script := range f.Tools {
		WriteFile(t, filepath.Join(bin, name), "#!/bin/sh\n"+script, 0o755)
	}
	timeout := f.Timeout
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	return &host.Host{Root: root, Path: []string{bin}, Timeout: timeout, UID: f.UID}
}

// WriteFile writes a file, making its parent directories.
func WriteFile(t testing.TB, path, body string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
}

// DirNames lists dir's entries by name, in os.ReadDir's sorted order; a
// directory that cannot be read lists nothing.
func DirNames(dir string) []string {
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// AssertDir requires dir to hold exactly names, given sorted: what a
// refused download, unpack or build may leave behind.
func AssertDir(t testing.TB, dir string, names ...string) {
	t.Helper()
	if got := DirNames(dir); strings.Join(got, ",") != strings.Join(names, ",") {
		t.Errorf("%s holds %v, want %v", dir, got, names)
	}
}

// Xz compresses b as xz, the compression of dwarves releases.
func Xz(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := archives.Xz{}.OpenWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
