package paholebuild

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"

	"github.com/bpfdoctor/bpfdoctor/internal/clip"
	"github.com/bpfdoctor/bpfdoctor/internal/host"
)

// MaintainerFingerprint is the key that signs dwarves release tarballs:
// Arnaldo Carvalho de Melo's, as published in kernel.org's pgpkeys
// repository (keys/D65016F35352AA40.asc).
const MaintainerFingerprint = "2DBF5BAA46FB4DED338A335BD65016F35352AA40"

//go:embed keys/acme-kernel-org-D65016F35352AA40.asc
var maintainerKey []byte

// MaintainerKeyring returns the embedded maintainer key, checked against
// MaintainerFingerprint so that a swapped file cannot go unnoticed.
func MaintainerKeyring() (openpgp.EntityList, error) {
	// The file starts with gpg's human-readable listing; the armor decoder
	// looks for the BEGIN line.
	el, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(maintainerKey))
	if err != nil {
		return nil, fmt.Errorf("read the embedded dwarves signing key: %w", err)
	}
	if len(el) != 1 || Fingerprint(el[0]) != MaintainerFingerprint {
		return nil, fmt.Errorf("read the embedded dwarves signing key: want the single key %s", MaintainerFingerprint)
	}
	return el, nil
}

// Fingerprint is the primary key's fingerprint in upper-case hex.
func Fingerprint(e *openpgp.Entity) string {
	return strings.ToUpper(hex.EncodeToString(e.PrimaryKey.Fingerprint))
}

// maxSignature bounds a .sign file; a real one is under 1 KiB.
const maxSignature = 64 << 10

// ErrBadSignature is wrapped when the signature is by a trusted key but
// does not match the data: the tarball was changed or is corrupt.
var ErrBadSignature = errors.New("BAD signature: the tarball was changed after it was signed, or is corrupt")

// ErrUnknownSigner is wrapped when no trusted key made the signature.
var ErrUnknownSigner = errors.New("the signature is not by a trusted key")

// VerifySignature checks sig, a detached OpenPGP signature, armored as
// kernel.org publishes it or binary, over the bytes read from signed. It
// returns the signer's primary fingerprint and the first user ID.
func VerifySignature(keyring openpgp.KeyRing, signed io.Reader, sig []byte) (fingerprint, who string, err error) {
	if len(sig) > maxSignature {
		return "", "", fmt.Errorf("read signature: larger than %d bytes", maxSignature)
	}
	var signer *openpgp.Entity
	if bytes.HasPrefix(bytes.TrimSpace(sig), []byte("-----BEGIN PGP SIGNATURE-----")) {
		signer, err = openpgp.CheckArmoredDetachedSignature(keyring, signed, bytes.NewReader(sig), nil)
	} else {
		signer, err = openpgp.CheckDetachedSignature(keyring, signed, bytes.NewReader(sig), nil)
	}
	var se pgperrors.SignatureError
	switch {
	case err == nil:
	case errors.Is(err, pgperrors.ErrUnknownIssuer):
		return "", "", ErrUnknownSigner
	case errors.As(err, &se):
		return "", "", fmt.Errorf("%w (%v)", ErrBadSignature, err)
	default:
		return "", "", fmt.Errorf("check signature: %w", err)
	}
	for name := range signer.Identities {
		if who == "" || name < who {
			who = name
		}
	}
	return Fingerprint(signer), who, nil
}

// ParseSHA256 accepts 64 hex digits in either case, as sha256sum prints
// them, and returns them in lower case.
func ParseSHA256(s string) (string, error) {
	s = strings.TrimSpace(s)
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != sha256.Size {
		return "", fmt.Errorf("invalid SHA-256 %q: want 64 hex digits", clip.String(s, clip.Short))
	}
	return strings.ToLower(s), nil
}

// FileSHA256 hashes a release file: a regular file of at most maxTarball
// bytes, the cap a download has too.
func FileSHA256(path string) (string, error) {
	f, err := openRegular(path, maxTarball)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(f, maxTarball+1))
	if err == nil && n > maxTarball {
		err = fmt.Errorf("more than the %d-byte limit", maxTarball)
	}
	if err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// openRegular opens a local file (a --url path, its signature, a cached
// download) only if it is a regular file (host.OpenRegular: a FIFO would
// block the open) of at most limit bytes (/dev/zero would be hashed
// forever).
func openRegular(path string, limit int64) (*os.File, error) {
	f, err := host.OpenRegular(path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil && fi.Size() > limit {
		err = fmt.Errorf("read %s: %d bytes, more than the %d-byte limit", path, fi.Size(), limit)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
