package bpfobj

import (
	"debug/elf"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cilium/ebpf/btf"
)

// R_BPF_64_64 is the relocation of a 64-bit immediate load (ld_imm64): how
// code takes the address of data. Its addend sits in the instruction's
// 32-bit immediate (BPF objects use REL, not RELA).
const rBPF64_64 = 1

// detect runs the object-only detectors on a 64-bit EM_BPF object.
func (o *Object) detect(rd *reader) {
	var ps []Problem
	if o.Data != hostData() {
		// libbpf refuses an object of the other byte order ("elf:
		// endianness mismatch"): a failure for this host. ProblemsFor
		// judges it for another machine.
		ps = append(ps, Problem{Pitfall: ByteOrder, Level: Fail,
			Message: fmt.Sprintf("%s object on a %s host: libbpf refuses it (\"elf: endianness mismatch\")", endian(o.Data), endian(hostData()))})
	}
	eh := o.ehFrame()
	bits := o.bits32(rd)
	ps = append(ps, o.jumpTables(rd, eh != nil || bits != nil)...)
	if o.HasSection(".jumptables") {
		// Without a target to judge for, the level is the one for an
		// unknown loader: ProblemsFor judges it against libbpf and kernel.
		ps = append(ps, Problem{Pitfall: BPFJumpTables, Level: Warn,
			Message: "BPF jump tables (.jumptables, gotox): LLVM's indirect jumps for cpu v4; they load only with libbpf >= 1.7 on kernels >= 6.19 (x86-64 and arm64)"})
	}
	if eh != nil {
		ps = append(ps, *eh)
	}
	if bits != nil {
		ps = append(ps, *bits)
	}
	if p := o.readBTF(rd); p != nil {
		ps = append(ps, *p)
	}
	o.problems = append(o.problems, ps...)
}

func endian(d elf.Data) string {
	if d == elf.ELFDATA2MSB {
		return "big-endian"
	}
	return "little-endian"
}

// rodataRef is a load of a .rodata* address from program code.
type rodataRef struct {
	prog string
	at   uint64 // byte offset of the instruction in prog
	sec  *elf.Section
	off  int64
}

func (r rodataRef) String() string {
	return fmt.Sprintf("%s+%#x loads %s+%#x", r.prog, r.at, r.sec.Name, r.off)
}

// jumpTables finds switch tables: constant data in .rodata* that program
// code reads, which clang's native target makes of a switch
// (@switch.table.*), and code addresses in .rodata* (an indirect-branch
// jump table). A local array initializer compiled with --target=bpf looks
// the same as a lookup table (anonymous data in .rodata.cst32, say), so
// anonymous data counts only when the object shows it was built for the
// host target (.eh_frame, 32-bit long): otherwise it is a note.
func (o *Object) jumpTables(rd *reader, hostBuilt bool) []Problem {
	var named, anon []rodataRef
	var jump []string
	for pi, ps := range rd.f.Sections {
		if ps.Type != elf.SHT_PROGBITS || ps.Flags&elf.SHF_EXECINSTR == 0 || ps.Size == 0 {
			continue
		}
		rels, err := rd.relocs(pi)
		if err != nil {
			o.Notes = append(o.Notes, "relocations of "+ps.Name+": "+err.Error())
			continue
		}
		var code []byte // read only when an addend is needed
		for _, r := range rels {
			sym, ok := rd.symbol(r.sym)
			if !ok {
				continue
			}
			sec := rd.section(sym)
			if sec == nil || !strings.HasPrefix(sec.Name, ".rodata") {
				continue
			}
			addend := r.addend
			if !r.rela && r.typ == rBPF64_64 {
				if code == nil {
					code, _ = ps.Data()
				}
				if r.off+8 <= uint64(len(code)) {
					addend = int64(int32(rd.f.ByteOrder.Uint32(code[r.off+4:])))
				}
			}
			ref := rodataRef{prog: ps.Name, at: r.off, sec: sec, off: int64(sym.Value) + addend}
			switch {
			case strings.Contains(sym.Name, "switch.table"):
				named = append(named, ref)
			case sec.Flags&elf.SHF_STRINGS != 0:
				// A string literal (.rodata.str1.1): bpf_printk's format.
			case elf.ST_TYPE(sym.Info) == elf.STT_OBJECT && sym.Name != "":
				// A named constant: const volatile config, static tables.
			case rd.covered(sec, ref.off):
			default:
				anon = append(anon, ref)
			}
		}
	}
	// Code addresses in .rodata*: a jump table for an indirect branch,
	// which BPF before gotox cannot execute.
	for ti, ts := range rd.f.Sections {
		if !strings.HasPrefix(ts.Name, ".rodata") {
			continue
		}
		rels, _ := rd.relocs(ti)
		for _, r := range rels {
			if sym, ok := rd.symbol(r.sym); ok {
				if s := rd.section(sym); s != nil && s.Flags&elf.SHF_EXECINSTR != 0 {
					jump = append(jump, fmt.Sprintf("%s+%#x holds an address in %s", ts.Name, r.off, s.Name))
				}
			}
		}
	}
	var details []string
	for _, r := range named {
		details = append(details, r.String()+" (a switch table symbol)")
	}
	details = append(details, jump...)
	if len(named) > 0 || len(jump) > 0 || (len(anon) > 0 && hostBuilt) {
		for _, r := range anon {
			details = append(details, r.String()+" (no variable there)")
		}
		secs := refSections(named, anon)
		msg := fmt.Sprintf("lookup table in %s read by %s: clang's native target turned a switch into a table of constants, which loaders without global data refuse (kernels before 5.2, iproute2's own loader)",
			strings.Join(secs, ", "), strings.Join(refProgs(named, anon), ", "))
		if len(jump) > 0 && len(named)+len(anon) == 0 {
			msg = fmt.Sprintf("jump table of code addresses in .rodata (%d entries): BPF has no indirect jumps", len(jump))
		}
		if hostBuilt && len(named) == 0 && len(jump) == 0 {
			details = append(details, "built for the host target: it has .eh_frame or 32-bit types",
				"a local array initializer reads the same way, and -fno-jump-tables removes only switch tables")
		}
		kind := lookupTable
		if len(jump) > 0 {
			kind = plainProblem
		}
		return []Problem{{Pitfall: JumpTable, Level: Fail, Message: msg, Details: details, kind: kind}}
	}
	for _, r := range anon {
		o.Notes = append(o.Notes, r.String()+": anonymous constant data, a local array initializer with --target=bpf (a switch table if built for the host target)")
	}
	return nil
}

// covered reports whether a named data symbol spans off in sec.
func (rd *reader) covered(sec *elf.Section, off int64) bool {
	idx := slices.Index(rd.f.Sections, sec)
	for _, s := range rd.objects[idx] {
		if off >= int64(s.Value) && off < int64(s.Value+max(s.Size, 1)) {
			return true
		}
	}
	return false
}

func refSections(lists ...[]rodataRef) []string {
	var out []string
	for _, l := range lists {
		for _, r := range l {
			if !slices.Contains(out, r.sec.Name) {
				out = append(out, r.sec.Name)
			}
		}
	}
	return out
}

func refProgs(lists ...[]rodataRef) []string {
	var out []string
	for _, l := range lists {
		for _, r := range l {
			if !slices.Contains(out, r.prog) {
				out = append(out, r.prog)
			}
		}
	}
	return out
}

// ehFrame finds unwind tables: the host target's, which BPF never needs.
func (o *Object) ehFrame() *Problem {
	var have []string
	for _, n := range []string{".eh_frame", ".rel.eh_frame", ".rela.eh_frame"} {
		if o.HasSection(n) {
			have = append(have, n)
		}
	}
	if len(have) == 0 {
		return nil
	}
	return &Problem{Pitfall: EHFrame, Level: Warn,
		Message: fmt.Sprintf("%s: unwind tables from the host target, which BPF never uses; loaders that relocate every section refuse them", strings.Join(have, " and "))}
}

// readBTF reads .BTF, finds the kfunc externs in it, and reports missing or
// unreadable BTF.
func (o *Object) readBTF(rd *reader) *Problem {
	if !o.HasBTF {
		p := &Problem{Pitfall: NoBTF, Level: Warn,
			Message: "no .BTF or .BTF.ext: built without -g; libbpf needs BTF for CO-RE, BTF-defined maps, skeletons and kfunc calls"}
		// What libbpf cannot load without BTF: externs (kfuncs, ksyms),
		// which it resolves through the object's BTF ("failed to find BTF
		// for extern"), and BTF-defined maps, whose definitions are BTF
		// ("BTF is required, but is missing or corrupted"); both seen with
		// libbpf 1.1 in the corpus test.
		var needs []string
		if calls := rd.externCalls(); len(calls) > 0 {
			p.Details = append(p.Details, fmt.Sprintf("calls undefined functions without BTF to resolve them: %s", strings.Join(calls, ", ")))
			needs = append(needs, "extern functions (kfuncs)")
		}
		if o.HasSection(".maps") {
			needs = append(needs, "BTF-defined maps (.maps)")
		}
		if len(needs) > 0 {
			p.Level = Fail
			p.Message = "no .BTF: built without -g, but it has " + strings.Join(needs, " and ") + ", which libbpf cannot load without BTF"
		}
		return p
	}
	spec, err := rd.btf()
	if err == nil {
		err = o.readKfuncs(rd, spec)
	}
	if err != nil {
		return &Problem{Pitfall: NoBTF, Level: Fail, Message: fmt.Sprintf("cannot read .BTF: %v", err)}
	}
	if !o.HasBTFExt {
		return &Problem{Pitfall: NoBTF, Level: Warn,
			Message: "no .BTF.ext: no func and line info and no CO-RE relocations; build with -g"}
	}
	return nil
}

// readKfuncs fills o.Kfuncs from the extern functions in DATASEC .ksyms.
func (o *Object) readKfuncs(rd *reader, spec *btf.Spec) error {
	types, err := spec.AnyTypesByName(".ksyms")
	if errors.Is(err, btf.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	weak := map[string]bool{}
	for _, s := range rd.syms {
		if elf.ST_BIND(s.Info) == elf.STB_WEAK {
			weak[s.Name] = true
		}
	}
	for _, t := range types {
		ds, ok := t.(*btf.Datasec)
		if !ok {
			continue
		}
		for _, v := range ds.Vars {
			fn, ok := v.Type.(*btf.Func)
			if !ok {
				continue // a typed ksym variable, not a call
			}
			fp, ok := fn.Type.(*btf.FuncProto)
			if !ok {
				return fmt.Errorf("extern %s: type is %T, not a FUNC_PROTO", fn.Name, fn.Type)
			}
			o.Kfuncs = append(o.Kfuncs, Kfunc{Name: fn.Name, Weak: weak[fn.Name], Proto: fn, proto: fp})
		}
	}
	return nil
}

// externCalls lists the undefined functions program code calls: kfuncs, or
// functions of another object for static linking.
func (rd *reader) externCalls() []string {
	const rBPF64_32 = 10 // the relocation of a call instruction
	var out []string
	for pi, ps := range rd.f.Sections {
		if ps.Flags&elf.SHF_EXECINSTR == 0 {
			continue
		}
		rels, _ := rd.relocs(pi)
		for _, r := range rels {
			if sym, ok := rd.symbol(r.sym); ok && r.typ == rBPF64_32 && sym.Section == elf.SHN_UNDEF && sym.Name != "" && !slices.Contains(out, sym.Name) {
				out = append(out, sym.Name)
			}
		}
	}
	return out
}
