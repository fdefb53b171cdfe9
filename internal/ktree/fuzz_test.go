package ktree

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// maxErr bounds an error message: it may quote the input, but clipped.
const maxErr = 512

// FuzzReadMakefileVersion: a version read is a real one (major > 0, no
// negative part), the message of a refusal stays short whatever the line,
// and the version read back from its own Makefile lines is the same.
func FuzzReadMakefileVersion(f *testing.F) {
	for _, s := range []string{
		"# SPDX-License-Identifier: GPL-2.0\nVERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 0\nEXTRAVERSION =\nNAME = Baby Opossum Posse\n",
		"VERSION = 5\nPATCHLEVEL = 4\nSUBLEVEL =\n", "VERSION=0\nPATCHLEVEL=1\n", "VERSION = -1\n",
		"VERSION = 99999999999999999999\nPATCHLEVEL = 1\n", "PATCHLEVEL = 1\nVERSION = 2\nVERSION = 3\n",
		"", "=", "VERSION", "\x00\xff", "VERSION = 6\r\nPATCHLEVEL = 1\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Add([]byte("VERSION = " + strings.Repeat("x", 600) + "\n")) // once quoted whole
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := ReadMakefileVersion(bytes.NewReader(data))
		if err != nil {
			if len(err.Error()) > maxErr {
				t.Fatalf("error of %d bytes: %.200s...", len(err.Error()), err)
			}
			return
		}
		if v.Major <= 0 || v.Minor < 0 || v.Patch < 0 {
			t.Fatalf("impossible version %+v", v)
		}
		mk := fmt.Sprintf("VERSION = %d\nPATCHLEVEL = %d\nSUBLEVEL = %d\n", v.Major, v.Minor, v.Patch)
		again, err := ReadMakefileVersion(strings.NewReader(mk))
		if err != nil || again != v {
			t.Fatalf("round trip of %+v: %+v, %v", v, again, err)
		}
	})
}
