package paholebuild

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"

	"github.com/bpfdoctor/bpfdoctor/internal/pahole"
)

// maxErr bounds an error message: it may quote the input, but clipped.
const maxErr = 512

// FuzzParseRelease: a release read is at least MinBTF and its own string
// reads back the same.
func FuzzParseRelease(f *testing.F) {
	for _, s := range []string{"1.31", "v1.31", "V1.16", "1.15", "99.99", " 1.30\n", "1.3.1", "", "1.", "\xff", strings.Repeat("9", 600)} {
		f.Add(s) // the last was once quoted whole in the error
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseRelease(s)
		if err != nil {
			if len(err.Error()) > maxErr {
				t.Fatalf("error of %d bytes", len(err.Error()))
			}
			return
		}
		if v.Less(pahole.MinBTF) {
			t.Fatalf("%s is older than %s", v, pahole.MinBTF)
		}
		if again, err := ParseRelease(v.String()); err != nil || again != v {
			t.Fatalf("round trip of %s: %s, %v", v, again, err)
		}
	})
}

// FuzzVersionFromName: the version read from a name is the one the
// official tarball of that version is named by.
func FuzzVersionFromName(f *testing.F) {
	for _, s := range []string{"dwarves-1.31.tar.xz", "pahole-v1.30.tar.gz", "dwarves-1.31.tar", "dwarves-1.31.zip", "../dwarves-1.31.tar.xz", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		v, ok := VersionFromName(name)
		if !ok {
			return
		}
		if again, ok := VersionFromName(TarballName(v)); !ok || again != v {
			t.Fatalf("%q: %s, but %s gives %s, %v", name, v, TarballName(v), again, ok)
		}
	})
}

var sha256Re = regexp.MustCompile(`^[0-9a-f]{64}$`)

// FuzzParseSHA256: a hash read is 64 lower-case hex digits and reads back
// as itself; a refusal's message stays short.
func FuzzParseSHA256(f *testing.F) {
	for _, s := range []string{
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855\n",
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  dwarves-1.31.tar.xz", "", "zz",
		strings.Repeat("z", 600), // once quoted whole in the error
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParseSHA256(s)
		if err != nil {
			if len(err.Error()) > maxErr {
				t.Fatalf("error of %d bytes: %.100s...", len(err.Error()), err)
			}
			return
		}
		if !sha256Re.MatchString(h) {
			t.Fatalf("hash %q", h)
		}
		if again, err := ParseSHA256(h); err != nil || again != h {
			t.Fatalf("round trip of %s: %s, %v", h, again, err)
		}
	})
}

// FuzzVerifySignature gives the maintainer's keyring arbitrary signature
// bytes over fixed data. Nobody here holds the maintainer's private key, so
// every input must be refused with an error, never accepted, never a panic.
// The seeds are real signatures by a test key, binary and armored.
func FuzzVerifySignature(f *testing.F) {
	kr, err := MaintainerKeyring()
	if err != nil {
		f.Fatal(err)
	}
	data := []byte("the uncompressed tar")
	key := testKey(f, "Fuzz Example")
	f.Add(sign(f, key, data))
	var binary bytes.Buffer
	if err := openpgp.DetachSign(&binary, key, bytes.NewReader(data), nil); err != nil {
		f.Fatal(err)
	}
	f.Add(binary.Bytes())
	f.Add([]byte("-----BEGIN PGP SIGNATURE-----\n\n-----END PGP SIGNATURE-----\n"))
	f.Add([]byte{0x88})
	f.Add([]byte{0xc2, 0xff})
	f.Fuzz(func(t *testing.T, sig []byte) {
		fp, who, err := VerifySignature(kr, bytes.NewReader(data), sig)
		if err == nil {
			t.Fatalf("accepted a signature by %s (%s)", fp, who)
		}
		if fp != "" || who != "" {
			t.Fatalf("refused (%v) but named %s %s", err, fp, who)
		}
		if errors.Is(err, ErrBadSignature) && len(sig) == 0 {
			t.Fatalf("no signature called a bad one: %v", err)
		}
		if len(err.Error()) > maxErr {
			t.Fatalf("error of %d bytes", len(err.Error()))
		}
	})
}
