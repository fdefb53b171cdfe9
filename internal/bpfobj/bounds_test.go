package bpfobj

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"os"
	"strings"
	"testing"
)

// withSection returns a copy of the ELF64 little-endian object b with the
// section header of name changed by edit: offset or size.
func withSection(t *testing.T, b []byte, name string, edit func(off, size *uint64)) []byte {
	t.Helper()
	f, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	shoff := binary.LittleEndian.Uint64(b[0x28:])
	shentsize := uint64(binary.LittleEndian.Uint16(b[0x3a:]))
	c := bytes.Clone(b)
	for i, s := range f.Sections {
		if s.Name != name {
			continue
		}
		h := c[shoff+uint64(i)*shentsize:]
		off, size := binary.LittleEndian.Uint64(h[0x18:]), binary.LittleEndian.Uint64(h[0x20:])
		edit(&off, &size)
		binary.LittleEndian.PutUint64(h[0x18:], off)
		binary.LittleEndian.PutUint64(h[0x20:], size)
		return c
	}
	t.Fatalf("no section %s", name)
	return nil
}

// A section whose data lies past the end of the file is refused by libbpf
// ("failed to get section(3) xdp data"): lint fails and names it.
func TestSectionPastEnd(t *testing.T) {
	b, err := os.ReadFile(build(t, legitRodataSource, false, "--target=bpf", "-O2", "-g"))
	if err != nil {
		t.Fatal(err)
	}
	n := uint64(len(b))
	for _, tt := range []struct {
		name, section string
		edit          func(off, size *uint64)
	}{
		{"code offset", "xdp", func(off, _ *uint64) { *off = n + 16 }},
		{"code ends past the end", "xdp", func(off, _ *uint64) { *off = n - 4 }},
		{"BTF.ext size", ".BTF.ext", func(_, size *uint64) { *size = n }},
		{"debug_info size", ".debug_info", func(_, size *uint64) { *size += n }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o, err := Read(bytes.NewReader(withSection(t, b, tt.section, tt.edit)))
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			ps := o.Problems()
			if len(ps) == 0 || ps[0].Level != Fail || !strings.Contains(ps[0].Message, "section "+tt.section) ||
				!strings.Contains(ps[0].Message, "past the end of the file") {
				t.Fatalf("problems = %+v, want a fail naming section %s", ps, tt.section)
			}
		})
	}
}
