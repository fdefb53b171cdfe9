package paholebuild

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"github.com/bpfdoctor/bpfdoctor/internal/pahole"
	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
)

// testKey is a real OpenPGP key made for the test; ed25519 keeps it fast.
func testKey(t testing.TB, name string) *openpgp.Entity {
	t.Helper()
	e, err := openpgp.NewEntity(name, "test", strings.ToLower(strings.Fields(name)[0])+"@example.com", &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// reg is a regular file of a test release.
func reg(name, body string) testkit.TarEntry {
	return testkit.TarEntry{Name: name, Body: body, Mode: 0o644}
}

func ver(major, minor int) pahole.Version { return pahole.Version{Major: major, Minor: minor} }

// sign makes a kernel.org-style detached, armored signature over the
// uncompressed tar.
func sign(t testing.TB, key *openpgp.Entity, tarBytes []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := openpgp.ArmoredDetachSign(&buf, key, bytes.NewReader(tarBytes), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// upstreamTree is the shape of a dwarves release: one top directory with
// the libbpf submodule in lib/bpf.
func upstreamTree(v string, extra ...testkit.TarEntry) []testkit.TarEntry {
	top := "dwarves-" + v + "/"
	ents := []testkit.TarEntry{
		{Name: top, Typeflag: tar.TypeDir, Mode: 0o755},
		reg(top+"README", "dwarves\n"),
		reg(top+"lib/bpf/src/libbpf.h", "/* libbpf */\n"),
		reg(top+"lib/bpf/src/btf.h", "/* btf */\n"),
	}
	return append(ents, extra...)
}

// release is one test release: its files and what the server serves.
type release struct {
	tar, xz, sig []byte
}

func newRelease(t testing.TB, key *openpgp.Entity, ents []testkit.TarEntry) release {
	tb := testkit.Tar(t, ents...)
	return release{tar: tb, xz: testkit.Xz(t, tb), sig: sign(t, key, tb)}
}

// mirror is a loopback HTTP server of release files that counts requests.
type mirror struct {
	*httptest.Server
	mu    sync.Mutex
	files map[string][]byte
	hits  map[string]int
}

func newMirror(t *testing.T, tls bool) *mirror {
	m := &mirror{files: map[string][]byte{}, hits: map[string]int{}}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.mu.Lock()
		b, ok := m.files[r.URL.Path]
		m.hits[r.URL.Path]++
		m.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	})
	if tls {
		m.Server = httptest.NewTLSServer(h)
	} else {
		m.Server = httptest.NewServer(h)
	}
	t.Cleanup(m.Close)
	return m
}

func (m *mirror) put(v string, r release) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.files["/dwarves/dwarves-"+v+".tar.xz"] = r.xz
	if r.sig != nil {
		m.files["/dwarves/dwarves-"+v+".tar.sign"] = r.sig
	}
}

func (m *mirror) url(v string) string { return m.URL + "/dwarves/dwarves-" + v + ".tar.xz" }

func (m *mirror) total() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, c := range m.hits {
		n += c
	}
	return n
}

func TestNewSource(t *testing.T) {
	tests := []struct {
		version, url, sha string
		want              Source
		wantErr           string
	}{
		{want: Source{Version: Newest(), URL: "https://fedorapeople.org/~acme/dwarves/dwarves-1.31.tar.xz", SigURL: "https://fedorapeople.org/~acme/dwarves/dwarves-1.31.tar.sign"}},
		{version: "v1.27", want: Source{Version: ver(1, 27), URL: ReleaseBase + "dwarves-1.27.tar.xz", SigURL: ReleaseBase + "dwarves-1.27.tar.sign"}},
		{url: "https://mirror.example/pub/dwarves-1.30.tar.gz?x=1",
			want: Source{Version: ver(1, 30), URL: "https://mirror.example/pub/dwarves-1.30.tar.gz?x=1", SigURL: "https://mirror.example/pub/dwarves-1.30.tar.sign"}},
		{url: "http://127.0.0.1:9/d/dwarves-1.29.tar.bz2", want: Source{Version: ver(1, 29), URL: "http://127.0.0.1:9/d/dwarves-1.29.tar.bz2", SigURL: "http://127.0.0.1:9/d/dwarves-1.29.tar.sign"}},
		{url: "/srv/dwarves-1.31.tar.xz", sha: strings.Repeat("AB", 32),
			want: Source{Version: ver(1, 31), Path: "/srv/dwarves-1.31.tar.xz", SigPath: "/srv/dwarves-1.31.tar.sign", SHA256: strings.Repeat("ab", 32)}},
		{url: "file:///srv/pahole.tgz", version: "1.31", want: Source{Version: ver(1, 31), Path: "/srv/pahole.tgz"}},
		{version: "1.15", wantErr: "pahole 1.15 is older than 1.16"},
		{version: "latest", wantErr: `invalid pahole version "latest"`},
		{sha: "abc", wantErr: "--sha256: invalid SHA-256"},
		{url: "http://example.com/dwarves-1.31.tar.xz", wantErr: "refusing plain-HTTP URL"},
		{url: "ftp://example.com/dwarves-1.31.tar.xz", wantErr: `unsupported URL scheme "ftp"`},
		{url: "https://example.com/download", wantErr: `cannot tell the pahole version from "download": pass --version`},
		{url: "file://host/x.tar.xz", wantErr: "want file:///absolute/path"},
	}
	for _, tt := range tests {
		got, err := NewSource(tt.version, tt.url, tt.sha)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("NewSource(%q, %q, %q) err = %v, want %q", tt.version, tt.url, tt.sha, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("NewSource(%q, %q, %q)\n got  %+v, %v\n want %+v", tt.version, tt.url, tt.sha, got, err, tt.want)
		}
	}
}

func TestNewestIsTheLastCapability(t *testing.T) {
	if Newest() != (ver(1, 31)) {
		t.Errorf("Newest = %s; update the test with the capability table", Newest())
	}
}

func obtainOpts(t *testing.T, key *openpgp.Entity, m *mirror) FetchOptions {
	o := FetchOptions{Dir: filepath.Join(t.TempDir(), "downloads"), Keyring: openpgp.EntityList{key}}
	if m != nil && m.TLS != nil {
		o.Fetch.Client = m.Client()
	}
	return o
}

func TestObtain(t *testing.T) {
	key := testKey(t, "Test Maintainer")
	good := newRelease(t, key, upstreamTree("1.31"))
	m := newMirror(t, true)
	m.put("1.31", good)
	src, err := NewSource("", m.url("1.31"), "")
	if err != nil {
		t.Fatal(err)
	}
	o := obtainOpts(t, key, m)
	var log bytes.Buffer
	o.Log = &log
	v, err := Obtain(context.Background(), src, o)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(v.How, "good signature by "+Fingerprint(key)+", Test Maintainer (test) <test@example.com>") {
		t.Errorf("How = %q", v.How)
	}
	b, _ := os.ReadFile(v.tar)
	if !bytes.Equal(b, good.tar) {
		t.Error("the kept tar is not what was signed")
	}
	v.Close()
	if m.total() != 2 {
		t.Errorf("%d requests, want the tarball and its signature", m.total())
	}

	// Cached and verifying: no request at all.
	v, err = Obtain(context.Background(), src, o)
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	if m.total() != 2 || !strings.Contains(log.String(), "using dwarves-1.31.tar.xz from the cache") {
		t.Errorf("requests = %d, log %q", m.total(), log.String())
	}

	// A cached copy that no longer verifies is fetched again.
	cached := filepath.Join(o.Dir, "dwarves-1.31.tar.xz")
	os.WriteFile(cached, testkit.Xz(t, testkit.Tar(t, upstreamTree("1.31", reg("dwarves-1.31/evil", "x"))...)), 0o644)
	v, err = Obtain(context.Background(), src, o)
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	if m.total() != 4 || !strings.Contains(log.String(), "does not verify") {
		t.Errorf("requests = %d, log %q", m.total(), log.String())
	}
	testkit.AssertDir(t, o.Dir, "dwarves-1.31.tar.sign", "dwarves-1.31.tar.xz")
}

func TestObtainRefuses(t *testing.T) {
	key := testKey(t, "Test Maintainer")
	other := testKey(t, "Someone Else")
	good := newRelease(t, key, upstreamTree("1.31"))
	tampered := good
	tampered.tar = testkit.Tar(t, upstreamTree("1.31", reg("dwarves-1.31/backdoor.c", "evil"))...)
	tampered.xz = testkit.Xz(t, tampered.tar)

	tests := []struct {
		name     string
		rel      release
		sha      string
		insecure bool
		want     string
	}{
		{name: "tampered", rel: tampered, want: "verify dwarves-1.31.tar.xz against dwarves-1.31.tar.sign: BAD signature: the tarball was changed after it was signed, or is corrupt"},
		{name: "signed by another key", rel: release{xz: good.xz, sig: sign(t, other, good.tar)}, want: "dwarves-1.31.tar.sign is not by the dwarves maintainer's key " + Fingerprint(key) + ": refusing it"},
		{name: "garbage signature", rel: release{xz: good.xz, sig: []byte("-----BEGIN PGP SIGNATURE-----\n\nnot base64!\n-----END PGP SIGNATURE-----\n")}, want: "check signature"},
		{name: "signature over the compressed file", rel: release{xz: good.xz, sig: sign(t, key, good.xz)}, want: "BAD signature"},
		{name: "wrong sha256", rel: good, sha: strings.Repeat("0", 64), want: "its SHA-256 is "},
		{name: "no signature", rel: release{xz: good.xz}, want: "cannot verify dwarves-1.31.tar.xz: no signature at http://127.0.0.1:"},
		{name: "no signature even insecure: not a tar", rel: release{xz: []byte("<html>moved</html>")}, insecure: true, want: "not a tar archive"},
		{name: "tampered even insecure", rel: tampered, insecure: true, want: "BAD signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMirror(t, false)
			m.put("1.31", tt.rel)
			src, err := NewSource("", m.url("1.31"), tt.sha)
			if err != nil {
				t.Fatal(err)
			}
			o := obtainOpts(t, key, m)
			o.Insecure = tt.insecure
			v, err := Obtain(context.Background(), src, o)
			if err == nil {
				v.Close()
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v\nwant %q", err, tt.want)
			}
			// A refused download is deleted, with its temporary files.
			testkit.AssertDir(t, o.Dir)
		})
	}
}

func TestObtainSHA256AndInsecure(t *testing.T) {
	key := testKey(t, "Test Maintainer")
	good := newRelease(t, key, upstreamTree("1.31"))
	m := newMirror(t, false)
	m.put("1.31", release{xz: good.xz}) // no signature published
	sum := sha256Hex(good.xz)

	src, _ := NewSource("", m.url("1.31"), strings.ToUpper(sum))
	o := obtainOpts(t, key, m)
	var warn bytes.Buffer
	o.Fetch.Warn = &warn
	v, err := Obtain(context.Background(), src, o)
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	if v.How != "SHA-256 matches --sha256" || v.SHA256 != sum {
		t.Errorf("How = %q, sum %s", v.How, v.SHA256)
	}
	if !strings.Contains(warn.String(), "plain HTTP") {
		t.Errorf("no plain-HTTP warning: %q", warn.String())
	}

	src, _ = NewSource("", m.url("1.31"), "")
	o = obtainOpts(t, key, m)
	o.Insecure = true
	v, err = Obtain(context.Background(), src, o)
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	if v.How != "NOT VERIFIED (--insecure)" {
		t.Errorf("How = %q", v.How)
	}
}

func TestObtainLocalFile(t *testing.T) {
	key := testKey(t, "Test Maintainer")
	good := newRelease(t, key, upstreamTree("1.31"))
	dir := t.TempDir()
	p := filepath.Join(dir, "dwarves-1.31.tar.xz")
	os.WriteFile(p, good.xz, 0o644)
	os.WriteFile(filepath.Join(dir, "dwarves-1.31.tar.sign"), good.sig, 0o644)

	src, _ := NewSource("", p, "")
	o := obtainOpts(t, key, nil)
	v, err := Obtain(context.Background(), src, o)
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	if v.Path != p {
		t.Errorf("Path = %s, want the file itself", v.Path)
	}
	if filepath.Dir(v.tar) != o.Dir {
		t.Errorf("the uncompressed copy is in %s, not the cache", filepath.Dir(v.tar))
	}
	// A user's file that fails is refused, never deleted.
	src, _ = NewSource("", p, strings.Repeat("1", 64))
	if _, err := Obtain(context.Background(), src, o); err == nil || !strings.Contains(err.Error(), "its SHA-256 is") {
		t.Errorf("err = %v", err)
	}
	testkit.AssertDir(t, dir, "dwarves-1.31.tar.sign", "dwarves-1.31.tar.xz")
}

func TestVersionFromName(t *testing.T) {
	for name, want := range map[string]pahole.Version{
		"dwarves-1.31.tar.xz": ver(1, 31), "dwarves-1.24.tar.bz2": ver(1, 24), "pahole-v1.30.tar.gz": ver(1, 30), "dwarves-1.16.tar": ver(1, 16),
	} {
		if got, ok := VersionFromName(name); !ok || got != want {
			t.Errorf("VersionFromName(%q) = %v, %v", name, got, ok)
		}
	}
	for _, name := range []string{"dwarves.tar.xz", "v1.31.tar.gz", "dwarves-1.31.zip", "dwarves-1.31.tar.xz.sign"} {
		if _, ok := VersionFromName(name); ok {
			t.Errorf("VersionFromName(%q) accepted", name)
		}
	}
}

// A local --url (or its signature) that is not a regular file, or is
// larger than a download may be, is refused at once: /dev/zero used to be
// hashed forever, and a FIFO blocked the open.
func TestObtainLocalNotRegular(t *testing.T) {
	key := testKey(t, "Test Maintainer")
	good := newRelease(t, key, upstreamTree("1.31"))
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo", "dwarves-1.31.tar.xz")
	os.MkdirAll(filepath.Dir(fifo), 0o755)
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	// A good tarball whose signature is a FIFO.
	sigFIFO := filepath.Join(dir, "sigfifo", "dwarves-1.31.tar.xz")
	os.MkdirAll(filepath.Dir(sigFIFO), 0o755)
	os.WriteFile(sigFIFO, good.xz, 0o644)
	if err := syscall.Mkfifo(filepath.Join(dir, "sigfifo", "dwarves-1.31.tar.sign"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A sparse file one byte over the cap: refused by its size, unread.
	big := filepath.Join(dir, "big", "dwarves-1.31.tar.xz")
	os.MkdirAll(filepath.Dir(big), 0o755)
	if err := os.WriteFile(big, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, maxTarball+1); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path     string
		insecure bool
		want     string
	}{
		{"/dev/zero", true, "verify zero: read /dev/zero: not a regular file (a character device)"},
		{fifo, true, "verify dwarves-1.31.tar.xz: read " + fifo + ": not a regular file (a FIFO)"},
		{sigFIFO, false, "verify dwarves-1.31.tar.xz: read " + filepath.Join(dir, "sigfifo", "dwarves-1.31.tar.sign") + ": not a regular file (a FIFO)"},
		{big, true, fmt.Sprintf("verify dwarves-1.31.tar.xz: read %s: %d bytes, more than the %d-byte limit", big, maxTarball+1, maxTarball)},
	} {
		src, err := NewSource("1.31", tc.path, "")
		if err != nil {
			t.Fatal(err)
		}
		o := obtainOpts(t, key, nil)
		o.Insecure = tc.insecure
		done := make(chan error, 1)
		go func() {
			v, err := Obtain(context.Background(), src, o)
			v.Close()
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil || err.Error() != tc.want {
				t.Errorf("Obtain(%s) = %v,\nwant %s", tc.path, err, tc.want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("Obtain(%s) still runs after 10s", tc.path)
		}
	}
}

// gzipBomb writes a gzip'd tar of n zero bytes: a few MB that decompress
// to n.
func gzipBomb(t *testing.T, path string, n int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw, _ := gzip.NewWriterLevel(f, gzip.BestSpeed)
	tw := tar.NewWriter(zw)
	if err := tw.WriteHeader(&tar.Header{Name: "zeros", Mode: 0o644, Size: n, Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	zeros := make([]byte, 1<<20)
	for w := int64(0); w < n; w += int64(len(zeros)) {
		if _, err := tw.Write(zeros[:min(int64(len(zeros)), n-w)]); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}

// Ctrl-C stops a decompression at once, not at the 1 GiB cap, and leaves
// no partial tar behind.
func TestDecompressStopsWhenInterrupted(t *testing.T) {
	dir := t.TempDir()
	bomb := filepath.Join(dir, "dwarves-1.31.tar.gz")
	gzipBomb(t, bomb, maxTar+(64<<20))
	out := filepath.Join(dir, "out")
	os.Mkdir(out, 0o755)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := decompress(ctx, bomb, out)
		done <- err
	}()
	// Cancel once the copy is under way (16 MiB written).
	for started := false; !started; {
		select {
		case err := <-done:
			t.Fatalf("decompress ended before it was interrupted: %v", err)
		case <-time.After(5 * time.Millisecond):
		}
		m, _ := filepath.Glob(filepath.Join(out, ".verify-*.tar"))
		if len(m) == 1 {
			if fi, err := os.Stat(m[0]); err == nil && fi.Size() > 16<<20 {
				started = true
			}
		}
	}
	cancel()
	stopped := time.Now()
	select {
	case err := <-done:
		took := time.Since(stopped)
		t.Logf("stopped %s after the interrupt", took)
		if took > time.Second {
			t.Errorf("decompress took %s to stop", took)
		}
		if err == nil || err.Error() != "decompress dwarves-1.31.tar.gz: interrupted: context canceled" || !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want it interrupted", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("decompress still runs 30s after the interrupt")
	}
	testkit.AssertDir(t, out)
}

// A truncated tarball's error names it.
func TestObtainTruncated(t *testing.T) {
	key := testKey(t, "Test Maintainer")
	good := newRelease(t, key, upstreamTree("1.31", reg("dwarves-1.31/big", strings.Repeat("pahole ", 1<<16))))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(good.tar)
	zw.Close()
	dir := t.TempDir()
	for name, b := range map[string][]byte{"dwarves-1.31.tar.gz": gz.Bytes(), "dwarves-1.31.tar.xz": good.xz} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, b[:len(b)/2], 0o644)
		src, _ := NewSource("", p, "")
		o := obtainOpts(t, key, nil)
		o.Insecure = true
		_, err := Obtain(context.Background(), src, o)
		if err == nil || !strings.HasPrefix(err.Error(), "decompress "+name+": ") {
			t.Errorf("%s: err = %v, want it to start with %q", name, err, "decompress "+name+": ")
		}
		if name == "dwarves-1.31.tar.gz" && err != nil && err.Error() != "decompress dwarves-1.31.tar.gz: unexpected EOF" {
			t.Errorf("err = %v", err)
		}
	}
}
