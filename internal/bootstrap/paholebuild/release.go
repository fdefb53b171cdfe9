// Package paholebuild is `bpfdoctor bootstrap pahole`: it fetches a
// dwarves release, verifies it (the maintainer's OpenPGP signature, or a
// given SHA-256) before anything is unpacked, unpacks it safely, builds it
// with cmake and installs it through a staging directory. What pahole's
// versions and capabilities mean is package pahole.
package paholebuild

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/mholt/archives"

	"github.com/bpfdoctor/bpfdoctor/internal/clip"
	"github.com/bpfdoctor/bpfdoctor/internal/fetch"
	"github.com/bpfdoctor/bpfdoctor/internal/pahole"
	"github.com/bpfdoctor/bpfdoctor/internal/unpack"
)

// ReleaseBase is where the dwarves maintainer publishes release tarballs.
// Unlike GitHub's release tarballs and git.kernel.org's snapshots, these
// carry the libbpf submodule in lib/bpf.
const ReleaseBase = "https://fedorapeople.org/~acme/dwarves/"

// Newest is the newest pahole release this binary knows: the last row of
// the capability table, so the default moves with what the doctor knows.
func Newest() pahole.Version {
	caps := pahole.Capabilities()
	return caps[len(caps)-1].Since
}

// TarballName is "dwarves-1.31.tar.xz".
func TarballName(v pahole.Version) string { return "dwarves-" + v.String() + ".tar.xz" }

// ReleaseURL is the official tarball of v.
func ReleaseURL(v pahole.Version) string { return ReleaseBase + TarballName(v) }

var releaseRe = regexp.MustCompile(`^[vV]?([0-9]{1,2})\.([0-9]{1,2})$`)

// ParseRelease reads a --version value: "1.31" or "v1.31".
func ParseRelease(s string) (pahole.Version, error) {
	m := releaseRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return pahole.Version{}, fmt.Errorf("invalid pahole version %q: want a release such as %s", clip.String(s, clip.Short), Newest())
	}
	v, _ := pahole.ParseVersion(m[1] + "." + m[2])
	if v.Less(pahole.MinBTF) {
		return pahole.Version{}, fmt.Errorf("pahole %s is older than %s, the oldest that can make the kernel's BTF", v, pahole.MinBTF)
	}
	return v, nil
}

var nameRe = regexp.MustCompile(`^(?:dwarves|pahole)-v?([0-9]{1,2}\.[0-9]{1,2})\.tar(?:\.[a-z0-9]+)?$`)

// VersionFromName reads the version in a tarball name such as
// "dwarves-1.31.tar.xz".
func VersionFromName(name string) (pahole.Version, bool) {
	m := nameRe.FindStringSubmatch(name)
	if m == nil {
		return pahole.Version{}, false
	}
	v, err := pahole.ParseVersion(m[1])
	return v, err == nil
}

// signatureName is the kernel.org-style detached signature of a tarball:
// it covers the uncompressed tar, so "x.tar.xz" is signed by "x.tar.sign".
func signatureName(name string) (string, bool) {
	for _, ext := range []string{".tar.xz", ".tar.gz", ".tar.bz2", ".tar.zst", ".tar"} {
		if base, ok := strings.CutSuffix(name, ext); ok && base != "" {
			return base + ".tar.sign", true
		}
	}
	return "", false
}

// Source is where a pahole release comes from and how it is verified.
type Source struct {
	Version pahole.Version
	// URL is an https (or loopback http) URL; Path a local file. One is set.
	URL, Path string
	// SigURL or SigPath is the detached signature, "" when none can be
	// named (a --url that does not end in .tar.*).
	SigURL, SigPath string
	// SHA256, when set, replaces the signature check.
	SHA256 string
}

// Name is the tarball's file name.
func (s Source) Name() string {
	if s.Path != "" {
		return filepath.Base(s.Path)
	}
	u, err := url.Parse(s.URL)
	if err != nil {
		return TarballName(s.Version)
	}
	if b := path.Base(u.Path); safeName(b) {
		return b
	}
	return TarballName(s.Version)
}

// Where names the source for messages: the URL or the path.
func (s Source) Where() string {
	if s.Path != "" {
		return s.Path
	}
	return s.URL
}

func safeName(b string) bool {
	return b != "" && b != "." && b != ".." && b != "/" && !strings.ContainsAny(b, `/\`) && !strings.HasPrefix(b, ".")
}

// NewSource builds the source from the command's flags: version ("" for
// the default), rawURL ("" for the official tarball; an https URL, a
// loopback http URL, a file:// URL or a path), sha ("" for none). The
// version defaults to the one in the file name, then to Newest.
func NewSource(version, rawURL, sha string) (Source, error) {
	var s Source
	if sha != "" {
		h, err := ParseSHA256(sha)
		if err != nil {
			return Source{}, fmt.Errorf("--sha256: %w", err)
		}
		s.SHA256 = h
	}
	if version != "" {
		v, err := ParseRelease(version)
		if err != nil {
			return Source{}, err
		}
		s.Version = v
	}
	switch {
	case rawURL == "":
		if s.Version.IsZero() {
			s.Version = Newest()
		}
		s.URL = ReleaseURL(s.Version)
	case strings.HasPrefix(rawURL, "file://"):
		u, err := url.Parse(rawURL)
		if err != nil || (u.Host != "" && u.Host != "localhost") || u.Path == "" {
			return Source{}, fmt.Errorf("invalid --url %q: want file:///absolute/path", rawURL)
		}
		s.Path = u.Path
	case strings.Contains(rawURL, "://"):
		u, err := url.Parse(rawURL)
		if err != nil {
			return Source{}, fmt.Errorf("invalid --url %q: %w", rawURL, err)
		}
		if _, err := fetch.CheckURL(u); err != nil {
			return Source{}, fmt.Errorf("--url: %w", err)
		}
		s.URL = u.String()
	default:
		s.Path = rawURL
	}
	if s.Path != "" {
		abs, err := filepath.Abs(s.Path)
		if err != nil {
			return Source{}, fmt.Errorf("--url %s: %w", s.Path, err)
		}
		s.Path = abs
	}
	if s.Version.IsZero() {
		v, ok := VersionFromName(s.Name())
		if !ok {
			return Source{}, fmt.Errorf("cannot tell the pahole version from %q: pass --version", s.Name())
		}
		s.Version = v
	}
	if sig, ok := signatureName(s.Name()); ok {
		if s.Path != "" {
			s.SigPath = filepath.Join(filepath.Dir(s.Path), sig)
		} else {
			u, _ := url.Parse(s.URL)
			u.Path = path.Join(path.Dir(u.Path), sig)
			u.RawQuery, u.Fragment = "", ""
			s.SigURL = u.String()
		}
	}
	return s, nil
}

// Limits for what a pahole release may be. dwarves 1.31 is ~1 MB of xz
// and ~10 MB of tar; these leave room without letting a bomb fill a disk.
const (
	maxTarball = 256 << 20
	maxTar     = 1 << 30
)

// DefaultLimits cap what a release may unpack to.
var DefaultLimits = unpack.Limits{MaxFileSize: 64 << 20, MaxTotalSize: maxTar, MaxEntries: 100_000}

// Verified is a tarball that passed verification, with its uncompressed
// tar kept for unpacking: what is unpacked is exactly what was verified.
type Verified struct {
	Source Source
	// Path is the tarball (in the cache, or the local file).
	Path string
	// SHA256 is the tarball's.
	SHA256 string
	// How says what vouches for it, for the user.
	How string
	// Sig is the signature file checked, "" when none was.
	Sig string
	tar string
}

// Close removes the uncompressed copy.
func (v *Verified) Close() error {
	if v == nil || v.tar == "" {
		return nil
	}
	return os.Remove(v.tar)
}

// FetchOptions tune Obtain.
type FetchOptions struct {
	// Dir holds downloads: the tarball and its signature.
	Dir string
	// Keyring verifies signatures; nil means the embedded maintainer key.
	Keyring openpgp.EntityList
	// Insecure accepts a tarball that cannot be verified at all (no
	// signature published, no --sha256). A failed check is never accepted.
	Insecure bool
	Fetch    fetch.Options
	// Log gets one line per step.
	Log io.Writer
}

// Obtain returns the source's tarball, verified: from the cache when a
// cached copy verifies, else downloaded. A download that fails
// verification is deleted and refused.
func Obtain(ctx context.Context, src Source, o FetchOptions) (*Verified, error) {
	if o.Keyring == nil {
		kr, err := MaintainerKeyring()
		if err != nil {
			return nil, err
		}
		o.Keyring = kr
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	// Also for a local file: the uncompressed copy goes here, not next to
	// the user's file.
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("create download directory: %w", err)
	}
	if src.Path != "" {
		// The user's own file is never deleted, only refused.
		return verify(ctx, src, src.Path, src.SigPath, o)
	}
	tarball := filepath.Join(o.Dir, src.Name())
	sig := ""
	if src.SigURL != "" && src.SHA256 == "" {
		sig = filepath.Join(o.Dir, path.Base(src.SigURL))
	}
	if exists(tarball) && (sig == "" || exists(sig)) {
		v, err := verify(ctx, src, tarball, sig, o)
		if err == nil {
			fmt.Fprintf(o.Log, "using %s from the cache (%s)\n", src.Name(), v.How)
			return v, nil
		}
		fmt.Fprintf(o.Log, "the cached %s does not verify (%v); downloading it again\n", src.Name(), err)
	}
	os.Remove(tarball)
	if sig != "" {
		os.Remove(sig)
	}
	fmt.Fprintf(o.Log, "downloading %s\n", src.URL)
	fo := o.Fetch
	fo.MaxBytes = maxTarball
	if _, err := fetch.File(ctx, src.URL, tarball, fo); err != nil {
		return nil, err
	}
	if sig != "" {
		so := o.Fetch
		so.MaxBytes, so.Progress = maxSignature, nil
		if _, err := fetch.File(ctx, src.SigURL, sig, so); err != nil {
			if !fetch.IsNotFound(err) {
				os.Remove(tarball)
				return nil, err
			}
			// No signature published: verify says what to do about it.
			sig = ""
		}
	}
	v, err := verify(ctx, src, tarball, sig, o)
	if err != nil {
		os.Remove(tarball)
		if sig != "" {
			os.Remove(sig)
		}
		return nil, err
	}
	return v, nil
}

// verify checks a tarball by --sha256, else by its signature, and keeps
// its uncompressed tar. sig "" or a missing file means no signature. What
// can be decided without reading the archive (a checksum, no signature at
// all) is decided before it is decompressed.
func verify(ctx context.Context, src Source, tarball, sig string, o FetchOptions) (v *Verified, err error) {
	name := filepath.Base(tarball)
	sum, err := FileSHA256(tarball)
	if err != nil {
		return nil, fmt.Errorf("verify %s: %w", name, err)
	}
	haveSig := sig != "" && exists(sig)
	switch {
	case src.SHA256 != "":
		if sum != src.SHA256 {
			return nil, fmt.Errorf("verify %s: its SHA-256 is %s, not the %s given with --sha256: refusing it", name, sum, src.SHA256)
		}
	case haveSig, o.Insecure:
	default:
		where := "no signature can be named for it"
		if src.SigURL != "" {
			where = "no signature at " + src.SigURL
		} else if src.SigPath != "" {
			where = "no signature file " + src.SigPath
		}
		return nil, fmt.Errorf("cannot verify %s: %s and no --sha256; pass --sha256 with its checksum, or --insecure to build it unverified", name, where)
	}

	v = &Verified{Source: src, Path: tarball, SHA256: sum}
	defer func() {
		if err != nil {
			v.Close()
			v = nil
		}
	}()
	// The signature covers the uncompressed tar, so that is made first;
	// with --sha256 it is made too, to unpack from one plain file either way.
	if v.tar, err = decompress(ctx, tarball, o.Dir); err != nil {
		if errors.Is(err, errNotTar) {
			return v, fmt.Errorf("verify %s: %w", name, err)
		}
		return v, err // names the tarball
	}
	switch {
	case src.SHA256 != "":
		v.How = "SHA-256 matches --sha256"
	case haveSig:
		sigBytes, err := readCapped(sig, maxSignature)
		if err != nil {
			return v, fmt.Errorf("verify %s: %w", name, err) // names sig
		}
		f, err := os.Open(v.tar)
		if err != nil {
			return v, fmt.Errorf("verify %s: %w", name, err)
		}
		defer f.Close()
		fp, who, err := VerifySignature(o.Keyring, f, sigBytes)
		if errors.Is(err, ErrUnknownSigner) {
			return v, fmt.Errorf("verify %s: %s is not by the dwarves maintainer's key %s: refusing it", name, filepath.Base(sig), keyringIDs(o.Keyring))
		}
		if err != nil {
			return v, fmt.Errorf("verify %s against %s: %w: refusing it", name, filepath.Base(sig), err)
		}
		v.How = fmt.Sprintf("good signature by %s, %s", fp, who)
		v.Sig = sig
	default:
		v.How = "NOT VERIFIED (--insecure)"
	}
	return v, nil
}

func keyringIDs(kr openpgp.EntityList) string {
	var ids []string
	for _, e := range kr {
		ids = append(ids, Fingerprint(e))
	}
	return strings.Join(ids, ", ")
}

// errNotTar is wrapped when a tarball is no (compressed) tar at all.
var errNotTar = errors.New("not a tar archive")

// decompress writes the tar inside a (possibly compressed) tarball to a
// temporary file in dir, capped at maxTar. It stops as soon as ctx is
// done (Ctrl-C), not at the cap. Its errors name the tarball.
func decompress(ctx context.Context, tarball, dir string) (string, error) {
	name := filepath.Base(tarball)
	f, err := openRegular(tarball, maxTarball)
	if err != nil {
		return "", err
	}
	defer f.Close()
	format, stream, err := archives.Identify(ctx, "", f)
	if err != nil {
		return "", fmt.Errorf("%w: %w", errNotTar, err)
	}
	var r io.Reader
	switch format := format.(type) {
	case archives.Tar:
		r = stream
	case archives.CompressedArchive:
		if _, ok := format.Extraction.(archives.Tar); !ok || format.Compression == nil {
			return "", errNotTar
		}
		rc, err := format.Compression.OpenReader(stream)
		if err != nil {
			return "", fmt.Errorf("decompress %s: %w", name, err)
		}
		defer rc.Close()
		r = rc
	default:
		return "", errNotTar
	}
	out, err := os.CreateTemp(dir, ".verify-*.tar")
	if err != nil {
		return "", fmt.Errorf("decompress %s: %w", name, err)
	}
	n, err := io.Copy(out, io.LimitReader(ctxReader{ctx, r}, maxTar+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > maxTar {
		err = fmt.Errorf("it decompresses to more than %d bytes", maxTar)
	}
	if err != nil {
		os.Remove(out.Name())
		return "", fmt.Errorf("decompress %s: %w", name, err)
	}
	return out.Name(), nil
}

// ctxReader stops reading once ctx is done, so that a long copy (a
// decompression bomb runs on to its cap) ends at Ctrl-C. The error wraps
// ctx's, for the caller's errors.Is(err, context.Canceled).
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, fmt.Errorf("interrupted: %w", err)
	}
	return c.r.Read(p)
}

func readCapped(p string, limit int64) ([]byte, error) {
	f, err := openRegular(p, limit)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err == nil && int64(len(b)) > limit {
		err = fmt.Errorf("more than the %d-byte limit", limit)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	return b, nil
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// libbpfHeader is how a tree shows it carries the libbpf submodule.
const libbpfHeader = "lib/bpf/src/libbpf.h"

// Unpack extracts the verified tar into dir/dwarves-<v>-<hash>, named by
// the tarball's hash so a different tarball of the same version is never
// mixed up with it, and returns the source tree. A tree already there is
// reused: it was renamed into place only once complete. A tree without the
// libbpf submodule is refused, leaving nothing behind.
// Zero limits are DefaultLimits.
func Unpack(ctx context.Context, v *Verified, dir string, limits unpack.Limits) (tree string, reused bool, err error) {
	if limits == (unpack.Limits{}) {
		limits = DefaultLimits
	}
	dest := filepath.Join(dir, fmt.Sprintf("dwarves-%s-%s", v.Source.Version, v.SHA256[:12]))
	if fi, err := os.Stat(dest); err == nil && fi.IsDir() {
		if top, err := topDir(os.DirFS(dest)); err == nil {
			return filepath.Join(dest, top), true, nil
		}
		// Not a tree this code made; start again.
		if err := os.RemoveAll(dest); err != nil {
			return "", false, fmt.Errorf("remove %s: %w", dest, err)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", false, fmt.Errorf("create %s: %w", dir, err)
	}
	f, err := os.Open(v.tar)
	if err != nil {
		return "", false, fmt.Errorf("unpack %s: %w", filepath.Base(v.Path), err)
	}
	defer f.Close()
	_, err = unpack.Extract(ctx, f, filepath.Base(v.Path), dest, unpack.Options{
		Limits: limits,
		Check: func(tree fs.FS) error {
			_, err := topDir(tree)
			return err
		},
	})
	if err != nil {
		return "", false, err
	}
	top, _ := topDir(os.DirFS(dest))
	return filepath.Join(dest, top), false, nil
}

// topDir finds the source tree in an unpacked release: its single top
// directory ("dwarves-1.31"), or the root itself. The tree must hold the
// libbpf submodule.
func topDir(fsys fs.FS) (string, error) {
	top := "."
	if ents, err := fs.ReadDir(fsys, "."); err == nil && len(ents) == 1 && ents[0].IsDir() {
		top = ents[0].Name()
	}
	if fi, err := fs.Stat(fsys, path.Join(top, libbpfHeader)); err != nil || !fi.Mode().IsRegular() {
		return "", errNoLibbpf
	}
	return top, nil
}

var errNoLibbpf = errors.New("it has no " + libbpfHeader + ": this is a git snapshot or a GitHub release tarball, which leave out the libbpf submodule")

// NoLibbpfHint names the tarball to use instead of one without lib/bpf.
func NoLibbpfHint(v pahole.Version) string {
	return "use the release tarball from " + ReleaseURL(v) + ", which includes it"
}

// IsNoLibbpf reports whether err is the missing-submodule refusal.
func IsNoLibbpf(err error) bool { return errors.Is(err, errNoLibbpf) }
