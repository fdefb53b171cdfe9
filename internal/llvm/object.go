package llvm

import (
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
)

// ErrNotELF is wrapped by ReadObject when the input does not start with the
// ELF magic.
var ErrNotELF = errors.New("not an ELF file")

// Object is what the doctor needs to know about a compiled object.
type Object struct {
	Machine   elf.Machine
	ByteOrder binary.ByteOrder
	Class     elf.Class
	// Sections lists the section names in file order, without the empty
	// name of the null section.
	Sections []string
}

// ReadObject reads the ELF header and section names with debug/elf, so the
// doctor needs no readelf. Garbage gives "read object: not an ELF file: ...";
// truncated or corrupt ELF gives an error, never a panic.
func ReadObject(r io.ReaderAt) (obj Object, err error) {
	if r == nil {
		return Object{}, fmt.Errorf("read object: %w: no input", ErrNotELF)
	}
	var magic [4]byte
	if _, err := r.ReadAt(magic[:], 0); err != nil {
		return Object{}, fmt.Errorf("read object: %w: %w", ErrNotELF, err)
	}
	if string(magic[:]) != elf.ELFMAG {
		return Object{}, fmt.Errorf("read object: %w: bad magic %q", ErrNotELF, magic[:])
	}
	// debug/elf is not hardened against every hostile input; the doctor
	// reads whatever a broken toolchain wrote, so a panic becomes an error.
	defer func() {
		if p := recover(); p != nil {
			obj, err = Object{}, fmt.Errorf("read object: malformed ELF: %v", p)
		}
	}()
	f, err := elf.NewFile(r)
	if err != nil {
		return Object{}, fmt.Errorf("read object: %w", err)
	}
	obj = Object{Machine: f.Machine, ByteOrder: f.ByteOrder, Class: f.Class}
	for _, s := range f.Sections {
		if s.Name != "" {
			obj.Sections = append(obj.Sections, s.Name)
		}
	}
	return obj, nil
}

// IsBPF reports whether the object is for the BPF machine (EM_BPF).
func (o Object) IsBPF() bool { return o.Machine == elf.EM_BPF }

// HasSection reports whether a section of that exact name exists.
func (o Object) HasSection(name string) bool { return slices.Contains(o.Sections, name) }

// ProbeProblems lists, as lines for a human, what an object built by
// `clang --target=bpf -O2 -g` lacks. It is empty when the object is fine.
func (o Object) ProbeProblems() []string {
	var p []string
	if !o.IsBPF() {
		p = append(p, fmt.Sprintf("machine is %s, not EM_BPF: clang did not compile for --target=bpf", o.Machine))
	}
	if o.Class != elf.ELFCLASS64 {
		p = append(p, fmt.Sprintf("class is %s, not ELFCLASS64: BPF objects are 64-bit", o.Class))
	}
	if !o.HasSection(".BTF") {
		p = append(p, "no .BTF section: clang emitted no BTF (needs -g); libbpf cannot use BTF-defined maps or CO-RE")
	}
	if !o.HasSection(".BTF.ext") {
		p = append(p, "no .BTF.ext section: no func/line info or CO-RE relocations (needs -g)")
	}
	return p
}

// ProbeArgs returns the clang arguments that compile srcPath to the BPF
// object outPath, as the selftests do: --target=bpf (not the native target,
// which can add jump tables and .eh_frame), -O2 (the verifier rejects -O0
// code) and -g (which makes clang emit .BTF and .BTF.ext).
func ProbeArgs(srcPath, outPath string) []string {
	return []string{"--target=bpf", "-O2", "-g", "-c", srcPath, "-o", outPath}
}
