// Package bpfobj reads compiled BPF objects and finds in them the pitfalls
// of building BPF code the wrong way (bpf_devel_QA.rst, "LLVM"): switch
// tables in .rodata, .eh_frame, 32-bit long and pointers, missing BTF; and
// the kfuncs an object calls that a kernel does not have. It is the
// doctor's one ELF reader, and holds the probe programs and clang
// arguments it builds to test a toolchain.
//
// It reads with debug/elf, debug/dwarf and github.com/cilium/ebpf/btf, so
// it needs no readelf, llvm-objdump or bpftool. It never prints: callers turn
// Problems into findings.
package bpfobj

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/cilium/ebpf/btf"

	"github.com/bpfdoctor/bpfdoctor/internal/clip"
	"github.com/bpfdoctor/bpfdoctor/internal/host"
)

// ErrNotELF is wrapped by Read when the input does not start with the ELF
// magic: not an object at all, as opposed to an object of the wrong kind.
var ErrNotELF = errors.New("not an ELF file")

// maxObject bounds what Open reads: BPF objects are kilobytes to a few
// megabytes; a path to a disk image must not eat the machine's memory.
const maxObject = 256 << 20

// Object is what the detectors need from one ELF object.
type Object struct {
	Machine elf.Machine
	Class   elf.Class
	Data    elf.Data // byte order
	// Sections lists the section names in file order, without the null
	// section's empty name.
	Sections []string
	// Programs lists the sections that hold code (SHF_EXECINSTR, not empty).
	Programs []string
	// HasBTF and HasBTFExt say whether .BTF and .BTF.ext are present.
	HasBTF, HasBTFExt bool
	// Kfuncs are the extern functions the object declares in .ksyms, read
	// from its BTF (none without BTF).
	Kfuncs []Kfunc
	// Notes are things worth showing that are no problem: what a detector
	// could not read, or constant data it judged harmless.
	Notes []string

	problems []Problem
}

// Kfunc is an extern function of an object's .ksyms: a kfunc call.
type Kfunc struct {
	Name  string
	Weak  bool      // declared __weak: libbpf loads the object without it
	Proto *btf.Func // the object's declaration
	spec  *btf.Spec // the object's BTF, for formatting
	proto *btf.FuncProto
}

// Open reads the object at path.
func Open(path string) (*Object, error) {
	b, err := readFile(path)
	if err != nil {
		return nil, fmt.Errorf("read object: %w", err)
	}
	return Read(bytes.NewReader(b))
}

// readFile reads an object or a BTF file the user named: only a regular
// file (a FIFO would block forever), at most maxObject bytes.
func readFile(path string) ([]byte, error) {
	return host.ReadRegular(path, maxObject)
}

// Read reads an object and runs every detector that needs only the object.
// Garbage gives an error wrapping ErrNotELF; a truncated or corrupt ELF an
// error, never a panic. An ELF for another machine is no error: Problems
// says so.
func Read(r io.ReaderAt) (obj *Object, err error) {
	if r == nil {
		return nil, fmt.Errorf("read object: %w: no input", ErrNotELF)
	}
	var magic [4]byte
	if _, err := r.ReadAt(magic[:], 0); err != nil {
		return nil, fmt.Errorf("read object: %w: %w", ErrNotELF, err)
	}
	if string(magic[:]) != elf.ELFMAG {
		return nil, fmt.Errorf("read object: %w: bad magic %q", ErrNotELF, magic[:])
	}
	// debug/elf, debug/dwarf and the BTF decoder are not hardened against
	// every hostile input, and a broken toolchain writes anything: a panic
	// becomes an error.
	defer func() {
		if p := recover(); p != nil {
			obj, err = nil, fmt.Errorf("read object: malformed ELF: %v", p)
		}
	}()
	f, err := elf.NewFile(r)
	if err != nil {
		return nil, fmt.Errorf("read object: %w", err)
	}
	o := &Object{Machine: f.Machine, Class: f.Class, Data: f.Data}
	for _, s := range f.Sections {
		if s.Name == "" {
			continue
		}
		o.Sections = append(o.Sections, s.Name)
		if s.Type == elf.SHT_PROGBITS && s.Flags&elf.SHF_EXECINSTR != 0 && s.Size > 0 {
			o.Programs = append(o.Programs, s.Name)
		}
	}
	o.HasBTF, o.HasBTFExt = o.HasSection(".BTF"), o.HasSection(".BTF.ext")
	if p, ok := inBounds(f, r); !ok {
		// libbpf reads every section's data and refuses the object; the
		// detectors would read past the end too.
		o.problems = append(o.problems, p)
		return o, nil
	}
	if p, ok := o.identity(); !ok {
		// The other detectors read BPF relocations and BPF BTF; on an
		// x86 object they would only add noise to the one real problem.
		o.problems = append(o.problems, p)
		return o, nil
	}
	rd, err := newReader(f)
	if err != nil {
		return nil, fmt.Errorf("read object: %w", err)
	}
	o.detect(rd)
	return o, nil
}

// HasSection reports whether a section of that exact name exists.
func (o *Object) HasSection(name string) bool { return slices.Contains(o.Sections, name) }

// IsBPF reports whether the object is a 64-bit EM_BPF object, the only kind
// the kernel loads.
func (o *Object) IsBPF() bool { return o.Machine == elf.EM_BPF && o.Class == elf.ELFCLASS64 }

// Problems returns what the object-only detectors found, in the order of
// Pitfalls. The kfunc lookup is Kernel.Check's.
func (o *Object) Problems() []Problem { return slices.Clone(o.problems) }

// hostData is the byte order of the machine bpfdoctor runs on, which is
// the order of the kernel that loads what is built here.
func hostData() elf.Data {
	if binary.NativeEndian.Uint16([]byte{1, 0}) == 1 {
		return elf.ELFDATA2LSB
	}
	return elf.ELFDATA2MSB
}

func (o *Object) identity() (Problem, bool) {
	switch {
	case o.Machine != elf.EM_BPF:
		return Problem{Pitfall: NotBPF, Level: Fail,
			Message: fmt.Sprintf("machine is %s, not EM_BPF: compiled for a machine, not for BPF", o.Machine)}, false
	case o.Class != elf.ELFCLASS64:
		return Problem{Pitfall: NotBPF, Level: Fail,
			Message: fmt.Sprintf("class is %s: BPF objects are ELFCLASS64", o.Class)}, false
	}
	return Problem{}, true
}

// inBounds checks that the data of every section lies within the file:
// libbpf refuses an object where one does not ("failed to get section(3)
// xdp data"). The last byte of each is read, so any io.ReaderAt will do.
func inBounds(f *elf.File, r io.ReaderAt) (Problem, bool) {
	var b [1]byte
	for i, s := range f.Sections {
		if s.Type == elf.SHT_NOBITS || s.Type == elf.SHT_NULL || s.Size == 0 {
			continue
		}
		end := s.Offset + s.Size
		if end < s.Offset || end > math.MaxInt64 {
			end = math.MaxInt64
		}
		if _, err := r.ReadAt(b[:], int64(end-1)); err == nil {
			continue
		}
		return Problem{Pitfall: NotBPF, Level: Fail,
			Message: fmt.Sprintf("section %s (index %d) lies past the end of the file: offset %d, size %d; libbpf refuses the object",
				clip.String(clip.Printable(s.Name), clip.Short), i, s.Offset, s.Size)}, false
	}
	return Problem{}, true
}

// reader holds the parsed ELF the detectors share.
type reader struct {
	f    *elf.File
	syms []elf.Symbol // index i is symbol table index i+1
	// objects lists the named data symbols per section index, to tell a
	// variable from anonymous constant data.
	objects map[int][]elf.Symbol

	spec     *btf.Spec // .BTF, read once by btf
	specErr  error
	specRead bool

	relSecs map[int][]*elf.Section // the SHT_REL and SHT_RELA sections by the section they apply to
}

// btf returns the object's BTF, nil without a .BTF section.
func (rd *reader) btf() (*btf.Spec, error) {
	if rd.specRead {
		return rd.spec, rd.specErr
	}
	rd.specRead = true
	sec := rd.f.Section(".BTF")
	if sec == nil {
		return nil, nil
	}
	raw, err := sec.Data()
	if err != nil {
		rd.specErr = err
		return nil, err
	}
	// The raw blob, not the ELF: cilium's ELF path fixes up every DATASEC
	// against the symbol table and fails on objects that libbpf loads.
	rd.spec, rd.specErr = btf.LoadSpecFromReader(bytes.NewReader(raw))
	return rd.spec, rd.specErr
}

func newReader(f *elf.File) (*reader, error) {
	rd := &reader{f: f, objects: map[int][]elf.Symbol{}}
	syms, err := f.Symbols()
	if err != nil && !errors.Is(err, elf.ErrNoSymbols) {
		return nil, fmt.Errorf("read symbols: %w", err)
	}
	rd.syms = syms
	for _, s := range syms {
		if elf.ST_TYPE(s.Info) == elf.STT_OBJECT && s.Name != "" && int(s.Section) < len(f.Sections) {
			rd.objects[int(s.Section)] = append(rd.objects[int(s.Section)], s)
		}
	}
	return rd, nil
}

// symbol returns the symbol of a relocation's symbol index.
func (rd *reader) symbol(idx uint32) (elf.Symbol, bool) {
	if idx == 0 || int(idx) > len(rd.syms) {
		return elf.Symbol{}, false
	}
	return rd.syms[idx-1], true
}

// section returns the section a symbol is defined in, nil for undefined,
// absolute and common symbols.
func (rd *reader) section(s elf.Symbol) *elf.Section {
	if s.Section == elf.SHN_UNDEF || s.Section >= elf.SHN_LORESERVE || int(s.Section) >= len(rd.f.Sections) {
		return nil
	}
	return rd.f.Sections[s.Section]
}

// reloc is one relocation, REL or RELA.
type reloc struct {
	off    uint64
	sym    uint32
	typ    uint32
	addend int64
	rela   bool
}

// relocs returns the relocations that apply to section index target.
func (rd *reader) relocs(target int) ([]reloc, error) {
	// Indexed once by target: a scan of every section per code section was
	// quadratic, 10 s for an object with 40k code sections.
	if rd.relSecs == nil {
		rd.relSecs = map[int][]*elf.Section{}
		for _, s := range rd.f.Sections {
			if s.Type == elf.SHT_REL || s.Type == elf.SHT_RELA {
				rd.relSecs[int(s.Info)] = append(rd.relSecs[int(s.Info)], s)
			}
		}
	}
	var out []reloc
	for _, s := range rd.relSecs[target] {
		b, err := s.Data()
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", s.Name, err)
		}
		bo := rd.f.ByteOrder
		size := 16
		if s.Type == elf.SHT_RELA {
			size = 24
		}
		for i := 0; i+size <= len(b); i += size {
			info := bo.Uint64(b[i+8:])
			r := reloc{off: bo.Uint64(b[i:]), sym: uint32(info >> 32), typ: uint32(info), rela: s.Type == elf.SHT_RELA}
			if r.rela {
				r.addend = int64(bo.Uint64(b[i+16:]))
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// essentialName drops a libbpf flavour suffix ("bpf_foo___v2" is looked up
// as "bpf_foo").
func essentialName(n string) string {
	if i := strings.Index(n, "___"); i > 0 {
		return n[:i]
	}
	return n
}
