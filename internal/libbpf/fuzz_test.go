package libbpf

import (
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

// maxErr bounds an error message: it may quote the input, but clipped.
const maxErr = 512

// FuzzParseBpftoolText: a version read is set, the features are named like
// identifiers, the notes are at most one per known feature, a refusal's
// message stays short, and the output bpftool would print for what was read
// reads back the same.
func FuzzParseBpftoolText(f *testing.F) {
	for _, s := range []string{
		"bpftool v7.1.0\nusing libbpf v1.1\nfeatures: libbfd, skeletons\n",
		"/usr/sbin/bpftool v7.1.0\nusing libbpf v1.1\nfeatures:\n", "bpftool v5.10.0\n",
		"/opt/my tools/bpftool v7.4.0\nfeatures: llvm, bootstrap\n", "bpftool v\n", "features: a b\n", "", "v1", " v1.2.3-rc1+x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, out string) {
		b, err := ParseBpftoolText(out)
		if err != nil {
			if len(err.Error()) > maxErr {
				t.Fatalf("error of %d bytes", len(err.Error()))
			}
			return
		}
		if b.Version == nil || b.Features == nil {
			t.Fatalf("incomplete %+v", b)
		}
		for name := range b.Features {
			if !isIdent(name) {
				t.Fatalf("feature %q", name)
			}
		}
		if n := len(b.FeatureNotes()); n > 5 {
			t.Fatalf("%d notes", n)
		}
		var on []string
		for _, name := range slices.Sorted(maps.Keys(b.Features)) {
			if b.Features[name] {
				on = append(on, name)
			}
		}
		text := fmt.Sprintf("bpftool v%s\nfeatures: %s\n", b.Version, strings.Join(on, ", "))
		if b.LibbpfVersion != "" && !strings.ContainsAny(b.LibbpfVersion, "\r\n") {
			text += "using libbpf v" + b.LibbpfVersion + "\n"
		}
		again, err := ParseBpftoolText(text)
		if err != nil || !again.Version.Equal(b.Version) {
			t.Fatalf("round trip of %q: %+v, %v", text, again, err)
		}
		for _, name := range on {
			if !again.Features[name] {
				t.Fatalf("round trip lost feature %s", name)
			}
		}
	})
}

// FuzzParseVersionHeader: a version read has no patch level and is what
// the header's two defines, written back, say.
func FuzzParseVersionHeader(f *testing.F) {
	for _, s := range []string{
		"#ifndef __LIBBPF_VERSION_H\n#define __LIBBPF_VERSION_H\n\n#define LIBBPF_MAJOR_VERSION 1\n#define LIBBPF_MINOR_VERSION 1\n\n#endif\n",
		"# define LIBBPF_MAJOR_VERSION 0\n# define LIBBPF_MINOR_VERSION 6\n", "#define LIBBPF_MAJOR_VERSION x\n",
		"#define LIBBPF_MAJOR_VERSION 99999999999\n", "", "#define",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		v, err := ParseVersionHeader(src)
		if err != nil {
			if len(err.Error()) > maxErr {
				t.Fatalf("error of %d bytes", len(err.Error()))
			}
			return
		}
		if v.Patch() != 0 || v.Prerelease() != "" {
			t.Fatalf("version %s from a header", v)
		}
		h := fmt.Sprintf("#define LIBBPF_MAJOR_VERSION %d\n#define LIBBPF_MINOR_VERSION %d\n", v.Major(), v.Minor())
		again, err := ParseVersionHeader(h)
		if err != nil || !again.Equal(v) {
			t.Fatalf("round trip of %s: %v, %v", v, again, err)
		}
	})
}

// FuzzParsePkgConfigVersion: a version read prints as a version that reads
// back the same; a refusal's message stays short.
func FuzzParsePkgConfigVersion(f *testing.F) {
	for _, s := range []string{"1.1.2\n", "1.1", "v1.4.0", "1.5.0-rc1", "", "1 2", "Package libbpf was not found\n", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, out string) {
		v, err := ParsePkgConfigVersion(out)
		if err != nil {
			if len(err.Error()) > maxErr {
				t.Fatalf("error of %d bytes", len(err.Error()))
			}
			return
		}
		again, err := ParsePkgConfigVersion(v.String() + "\n")
		if err != nil || !again.Equal(v) {
			t.Fatalf("round trip of %s: %v, %v", v, again, err)
		}
	})
}

// FuzzScanBTF: ScanBTF never panics on any bytes, a refusal stays short,
// the kinds it counts add up to the types it scanned, and no kind beyond
// KindMax is counted.
func FuzzScanBTF(f *testing.F) {
	f.Add(marshalBTF(f, binary.LittleEndian, newKinds()...))
	f.Add(marshalBTF(f, binary.BigEndian, newKinds()...))
	f.Add([]byte{0x9f, 0xeb, 1, 0, 24, 0, 0, 0, 0, 0, 0, 0, 12, 0, 0, 0, 12, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0, 0, 0})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, raw []byte) {
		k, err := ScanBTF(raw)
		if err != nil {
			if len(err.Error()) > maxErr {
				t.Fatalf("error of %d bytes", len(err.Error()))
			}
			return
		}
		sum := 0
		for _, n := range k.Count {
			sum += n
		}
		if sum != k.Types || k.Count[0] != 0 {
			t.Fatalf("counts %v do not add up to %d types", k.Count, k.Types)
		}
		if k.Unknown != 0 && k.Unknown <= KindMax {
			t.Fatalf("unknown kind %d is known", k.Unknown)
		}
	})
}
