package bpfobj

import (
	"debug/dwarf"
	"fmt"
	"slices"
	"strings"

	"github.com/cilium/ebpf/btf"
)

// longNames are the spellings of C's long in DWARF (clang: "long", GCC:
// "long int") and in BTF.
var longNames = []string{"long", "long int", "unsigned long", "long unsigned int", "unsigned long int", "long unsigned"}

// bits32 looks for what a 32-bit target leaves: a 4-byte long, 4-byte
// pointers. llc -march=bpf always writes ELFCLASS64, so only the types
// tell: DWARF base types, and struct layouts, since clang gives pointer
// types no size of their own (a pointer member followed 4 bytes later by
// the next member is a 32-bit pointer).
func (o *Object) bits32(rd *reader) *Problem {
	var long, ptr []string
	add := func(list *[]string, s string) {
		if len(*list) < 3 && !slices.Contains(*list, s) {
			*list = append(*list, s)
		}
	}
	// A BTF-defined map's definition (an anonymous struct of pointers in
	// .maps, from __uint and __type) is read by libbpf from BTF, field by
	// field, never by layout: its 4-byte pointers change nothing.
	var skipped []string
	mapDef := func(s string) { skipped = append(skipped, s) }
	if !o.HasSection(".maps") {
		mapDef = nil
	}
	if d, err := rd.dwarf(); err != nil {
		o.Notes = append(o.Notes, "DWARF unreadable: "+err.Error())
	} else if d != nil {
		o.dwarfBits(d, func(s string) { add(&long, s) }, func(s string) { add(&ptr, s) }, mapDef)
	}
	if spec, err := rd.btf(); err == nil && spec != nil {
		btfBits(spec, func(s string) { add(&long, s) }, func(s string) { add(&ptr, s) }, mapDef)
	}
	if len(skipped) > 0 {
		o.Notes = append(o.Notes, "4-byte pointers in a .maps definition, which libbpf reads from BTF: no problem ("+skipped[0]+")")
	}
	if len(long) == 0 && len(ptr) == 0 {
		return nil
	}
	var what []string
	if len(long) > 0 {
		what = append(what, "long is 4 bytes")
	}
	if len(ptr) > 0 {
		what = append(what, "pointers are 4 bytes")
	}
	return &Problem{Pitfall: Bits32, Level: Fail,
		Message: strings.Join(what, " and ") + ": built for a 32-bit target, but BPF is 64-bit, so sizes and field offsets disagree with the kernel's",
		Details: slices.Concat(long, ptr)}
}

// dwarf builds debug/dwarf's reader from the raw sections. elf.File.DWARF
// refuses EM_BPF ("applyRelocations: not implemented"); BPF objects use
// REL relocations against section symbols at 0, whose addends are already
// in place, so the unrelocated data reads right.
func (rd *reader) dwarf() (*dwarf.Data, error) {
	data := func(name string) []byte {
		s := rd.f.Section(name)
		if s == nil {
			return nil
		}
		b, _ := s.Data()
		return b
	}
	info := data(".debug_info")
	if info == nil {
		return nil, nil
	}
	d, err := dwarf.New(data(".debug_abbrev"), nil, nil, info, nil, nil, nil, data(".debug_str"))
	if err != nil {
		return nil, err
	}
	for _, n := range []string{".debug_str_offsets", ".debug_addr", ".debug_line_str", ".debug_rnglists"} {
		if b := data(n); b != nil {
			if err := d.AddSection(n, b); err != nil {
				return nil, err
			}
		}
	}
	return d, nil
}

// maxDIEs bounds the DWARF walk: a BPF object has hundreds of entries, a
// kernel-sized one a few million.
const maxDIEs = 1 << 22

// mapDef, when not nil, takes what an anonymous struct of pointers only
// (a .maps definition's shape) shows instead of ptr.
func (o *Object) dwarfBits(d *dwarf.Data, long, ptr, mapDef func(string)) {
	r := d.Reader()
	depth := 0
	for n := 0; ; n++ {
		e, err := r.Next()
		if err != nil {
			o.Notes = append(o.Notes, "DWARF unreadable: "+err.Error())
			return
		}
		if e == nil {
			return
		}
		// Reader.Next returns null entries forever, without moving, at an
		// unterminated LEB128 (golang/go#79586): a null entry closes a
		// level of children, so more of them than levels opened is that.
		if e.Tag == 0 {
			if depth--; depth < -64 {
				o.Notes = append(o.Notes, "DWARF unreadable: the entries do not advance")
				return
			}
			continue
		}
		if e.Children {
			depth++
		}
		if n > maxDIEs {
			o.Notes = append(o.Notes, fmt.Sprintf("DWARF read only in part: more than %d entries", maxDIEs))
			return
		}
		switch e.Tag {
		case dwarf.TagBaseType:
			name, _ := e.Val(dwarf.AttrName).(string)
			if size, _ := e.Val(dwarf.AttrByteSize).(int64); size == 4 && slices.Contains(longNames, name) {
				long(fmt.Sprintf("DWARF base type %q is 4 bytes", name))
			}
		case dwarf.TagPointerType:
			// GCC sizes pointer types; clang leaves them to the CU.
			if size, _ := e.Val(dwarf.AttrByteSize).(int64); size == 4 {
				ptr("DWARF pointer type of 4 bytes")
			}
		case dwarf.TagStructType:
			if !e.Children {
				continue
			}
			t, err := d.Type(e.Offset)
			if err != nil {
				continue
			}
			if st, ok := t.(*dwarf.StructType); ok && st.Kind == "struct" {
				if s := dwarfPtrSlot(st); s != "" {
					if mapDef != nil && st.StructName == "" && dwarfAllPtrs(st) {
						mapDef(s)
					} else {
						ptr(s)
					}
				}
			}
		}
	}
}

func dwarfPtrSlot(st *dwarf.StructType) string {
	for i, f := range st.Field {
		if f.BitSize != 0 || !isDwarfPtr(f.Type) {
			continue
		}
		next := st.ByteSize
		if i+1 < len(st.Field) {
			next = st.Field[i+1].ByteOffset
		}
		if next-f.ByteOffset == 4 {
			return fmt.Sprintf("struct %s: pointer %s takes 4 bytes (offset %d, struct size %d)", st.StructName, f.Name, f.ByteOffset, st.ByteSize)
		}
	}
	return ""
}

func dwarfAllPtrs(st *dwarf.StructType) bool {
	for _, f := range st.Field {
		if !isDwarfPtr(f.Type) {
			return false
		}
	}
	return len(st.Field) > 0
}

func isDwarfPtr(t dwarf.Type) bool {
	for range 16 {
		switch v := t.(type) {
		case *dwarf.PtrType:
			return true
		case *dwarf.TypedefType:
			t = v.Type
		case *dwarf.QualType:
			t = v.Type
		default:
			return false
		}
	}
	return false
}

// btfBits does for BTF what dwarfBits does for DWARF: an object stripped
// of DWARF (llvm-strip -g) keeps its .BTF.
func btfBits(spec *btf.Spec, long, ptr, mapDef func(string)) {
	for t, err := range spec.All() {
		if err != nil {
			return
		}
		switch v := t.(type) {
		case *btf.Int:
			if v.Size == 4 && slices.Contains(longNames, v.Name) {
				long(fmt.Sprintf("BTF int %q is 4 bytes", v.Name))
			}
		case *btf.Struct:
			for i, m := range v.Members {
				if m.BitfieldSize != 0 {
					continue
				}
				if _, ok := btf.UnderlyingType(m.Type).(*btf.Pointer); !ok {
					continue
				}
				next := btf.Bits(v.Size * 8)
				if i+1 < len(v.Members) {
					next = v.Members[i+1].Offset
				}
				if next-m.Offset == 32 {
					s := fmt.Sprintf("BTF struct %s: pointer %s takes 4 bytes (offset %d, struct size %d)", v.Name, m.Name, m.Offset.Bytes(), v.Size)
					if mapDef != nil && v.Name == "" && btfAllPtrs(v) {
						mapDef(s)
					} else {
						ptr(s)
					}
					break
				}
			}
		}
	}
}

func btfAllPtrs(s *btf.Struct) bool {
	for _, m := range s.Members {
		if _, ok := btf.UnderlyingType(m.Type).(*btf.Pointer); !ok {
			return false
		}
	}
	return len(s.Members) > 0
}
