package bpfobj

// Pitfall names one kind of problem a detector finds. The values are
// stable: callers build check IDs from them (lint.jump-table).
type Pitfall string

// The pitfalls, in the order they are reported.
const (
	NotBPF        Pitfall = "object"          // not EM_BPF, or not 64-bit
	ByteOrder     Pitfall = "byte-order"      // not the host's byte order
	JumpTable     Pitfall = "jump-table"      // a switch table in .rodata*
	BPFJumpTables Pitfall = "bpf-jump-tables" // LLVM's .jumptables for gotox: info
	EHFrame       Pitfall = "eh-frame"        // .eh_frame from the host target
	Bits32        Pitfall = "32-bit"          // 32-bit long or pointers
	NoBTF         Pitfall = "btf"             // no .BTF/.BTF.ext, or unreadable
	Kfuncs        Pitfall = "kfuncs"          // the summary of the kfunc lookup: info
	KfuncMissing  Pitfall = "kfunc-missing"   // absent from the kernel
	KfuncNotKfunc Pitfall = "kfunc-not-kfunc" // a kernel FUNC without the bpf_kfunc tag
	KfuncProto    Pitfall = "kfunc-prototype" // present with another prototype
	KfuncWeak     Pitfall = "kfunc-weak"      // __weak and absent (or incompatible)
)

// Pitfalls lists every pitfall in report order.
var Pitfalls = []Pitfall{NotBPF, ByteOrder, JumpTable, BPFJumpTables, EHFrame, Bits32, NoBTF,
	Kfuncs, KfuncMissing, KfuncNotKfunc, KfuncProto, KfuncWeak}

// Level is how bad a problem is.
type Level int

const (
	Info Level = iota // worth knowing, loads fine
	Warn              // loads, but something will bite
	Fail              // the kernel or libbpf will refuse it
)

func (l Level) String() string {
	switch l {
	case Info:
		return "info"
	case Warn:
		return "warn"
	case Fail:
		return "fail"
	}
	return "level?"
}

// Problem is one pitfall found in one object: what was seen, in a line, and
// the evidence. What to do about it is the caller's: it depends only on
// the Pitfall.
type Problem struct {
	Pitfall Pitfall
	Level   Level
	Message string
	Details []string

	kind problemKind // what ProblemsFor judges by target
}

// problemKind tells apart the problems of one Pitfall that ProblemsFor
// judges differently.
type problemKind int

const (
	plainProblem problemKind = iota
	// lookupTable is a switch table of constants in .rodata: global data,
	// which loads where the kernel and libbpf have it. A table of code
	// addresses never loads.
	lookupTable
)
