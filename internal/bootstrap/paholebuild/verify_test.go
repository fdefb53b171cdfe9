package paholebuild

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
)

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// The embedded key is the real one: it parses, has the maintainer's
// fingerprint and identity, can sign, and has not expired.
func TestMaintainerKeyring(t *testing.T) {
	kr, err := MaintainerKeyring()
	if err != nil {
		t.Fatal(err)
	}
	if len(kr) != 1 || Fingerprint(kr[0]) != "2DBF5BAA46FB4DED338A335BD65016F35352AA40" {
		t.Fatalf("keyring = %d keys, fingerprint %s", len(kr), Fingerprint(kr[0]))
	}
	if _, ok := kr[0].Identities["Arnaldo Carvalho de Melo <acme@kernel.org>"]; !ok {
		var ids []string
		for id := range kr[0].Identities {
			ids = append(ids, id)
		}
		t.Errorf("identities = %q", ids)
	}
	if _, ok := kr[0].SigningKey(kr[0].PrimaryKey.CreationTime.AddDate(10, 0, 0)); !ok {
		t.Error("no usable signing key")
	}
	// The key signs for its own key ID: lookups by issuer work.
	if ks := kr.KeysById(kr[0].PrimaryKey.KeyId); len(ks) == 0 {
		t.Error("KeysById finds nothing")
	}
}

func TestVerifySignature(t *testing.T) {
	key := testKey(t, "Test Maintainer")
	other := testKey(t, "Someone Else")
	data := []byte("the uncompressed tar")
	armored := sign(t, key, data)
	var binary bytes.Buffer
	if err := openpgp.DetachSign(&binary, key, bytes.NewReader(data), nil); err != nil {
		t.Fatal(err)
	}
	kr := openpgp.EntityList{key}
	tests := []struct {
		name    string
		data    []byte
		sig     []byte
		wantErr error
		want    string
	}{
		{name: "armored", data: data, sig: armored},
		{name: "binary", data: data, sig: binary.Bytes()},
		{name: "changed data", data: append([]byte("x"), data...), sig: armored, wantErr: ErrBadSignature},
		{name: "other key", data: data, sig: sign(t, other, data), wantErr: ErrUnknownSigner},
		{name: "empty", data: data, sig: nil, wantErr: ErrUnknownSigner},
		{name: "not a signature", data: data, sig: []byte("hello"), want: "check signature"},
		{name: "huge", data: data, sig: bytes.Repeat([]byte("a"), maxSignature+1), want: "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fp, who, err := VerifySignature(kr, bytes.NewReader(tt.data), tt.sig)
			switch {
			case tt.wantErr == nil && tt.want == "":
				if err != nil || fp != Fingerprint(key) || !strings.Contains(who, "test@example.com") {
					t.Errorf("= %s, %s, %v", fp, who, err)
				}
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("err = %v, want %v", err, tt.wantErr)
				}
			default:
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("err = %v, want %q", err, tt.want)
				}
			}
		})
	}
}

// A signature made by a test key is refused by the real maintainer key.
func TestVerifyAgainstMaintainerKey(t *testing.T) {
	kr, err := MaintainerKeyring()
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("tar")
	if _, _, err := VerifySignature(kr, bytes.NewReader(data), sign(t, testKey(t, "Mallory Example"), data)); !errors.Is(err, ErrUnknownSigner) {
		t.Errorf("err = %v", err)
	}
}

func TestParseSHA256(t *testing.T) {
	h := sha256Hex([]byte("x"))
	if got, err := ParseSHA256(" " + strings.ToUpper(h) + "\n"); err != nil || got != h {
		t.Errorf("= %q, %v", got, err)
	}
	for _, bad := range []string{"", "abc", h + "00", strings.Repeat("g", 64)} {
		if _, err := ParseSHA256(bad); err == nil {
			t.Errorf("ParseSHA256(%q) accepted", bad)
		}
	}
}
