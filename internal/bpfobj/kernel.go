package bpfobj

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cilium/ebpf/btf"
)

// KfuncTag is the decl tag pahole (>= 1.27, kernels >= 6.11) puts on every
// kfunc in vmlinux BTF.
const KfuncTag = "bpf_kfunc"

// Kernel is a kernel's BTF, for looking up the kfuncs objects call.
type Kernel struct {
	// Path names the vmlinux BTF read.
	Path string
	// Tags counts the bpf_kfunc decl tags in vmlinux. Without any, a kfunc
	// is found as a plain FUNC of its name, which a kernel function that
	// is no kfunc also is.
	Tags int
	// Modules names the module BTFs read, when asked.
	Modules []string
	// Notes say what could not be read (a module's BTF).
	Notes []string

	base *btf.Spec
	mods []module
}

type module struct {
	name string
	spec *btf.Spec
}

// Tagged reports whether the kernel marks its kfuncs with decl tags.
func (k *Kernel) Tagged() bool { return k.Tags > 0 }

// LoadKernel reads a kernel's BTF: vmlinux raw BTF (/sys/kernel/btf/vmlinux)
// or a vmlinux ELF with a .BTF section; and, when moduleDir is not empty,
// the split BTF of each module in it (/sys/kernel/btf/<module>).
func LoadKernel(vmlinux, moduleDir string) (*Kernel, error) {
	b, err := readFile(vmlinux)
	if err != nil {
		return nil, fmt.Errorf("load kernel BTF: %w", err)
	}
	k, err := ReadKernel(b)
	if err != nil {
		return nil, fmt.Errorf("load kernel BTF %s: %w", vmlinux, err)
	}
	k.Path = vmlinux
	if moduleDir == "" {
		return k, nil
	}
	ents, err := os.ReadDir(moduleDir)
	if err != nil {
		return nil, fmt.Errorf("load module BTF: %w", err)
	}
	for _, e := range ents {
		p := filepath.Join(moduleDir, e.Name())
		if e.IsDir() || filepath.Clean(p) == filepath.Clean(vmlinux) || e.Name() == "vmlinux" {
			continue
		}
		spec, err := btf.LoadSplitSpec(p, k.base)
		if err != nil {
			k.Notes = append(k.Notes, fmt.Sprintf("module %s: %v", e.Name(), err))
			continue
		}
		k.mods = append(k.mods, module{e.Name(), spec})
		k.Modules = append(k.Modules, e.Name())
	}
	return k, nil
}

// ReadKernel reads vmlinux BTF from raw BTF or from an ELF's .BTF section.
func ReadKernel(b []byte) (k *Kernel, err error) {
	defer func() {
		if p := recover(); p != nil {
			k, err = nil, fmt.Errorf("malformed BTF: %v", p)
		}
	}()
	raw := b
	if bytes.HasPrefix(b, []byte(elf.ELFMAG)) {
		f, err := elf.NewFile(bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		s := f.Section(".BTF")
		if s == nil {
			return nil, errors.New("ELF file without a .BTF section")
		}
		if raw, err = s.Data(); err != nil {
			return nil, err
		}
	}
	tags, err := countDeclTags(raw, KfuncTag)
	if err != nil {
		return nil, err
	}
	spec, err := btf.LoadSpecFromReader(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	return &Kernel{Tags: tags, base: spec}, nil
}

// lookup returns the FUNCs named name, in vmlinux first, then in the
// modules, as libbpf looks them up; where names their BTF.
func (k *Kernel) lookup(name string) (fns []*btf.Func, where string) {
	find := func(s *btf.Spec) []*btf.Func {
		ts, err := s.AnyTypesByName(name)
		if err != nil {
			return nil
		}
		var out []*btf.Func
		for _, t := range ts {
			if fn, ok := t.(*btf.Func); ok {
				out = append(out, fn)
			}
		}
		return out
	}
	if fns := find(k.base); len(fns) > 0 {
		where := "vmlinux"
		if k.Path != "" {
			where = filepath.Base(k.Path)
		}
		return fns, where
	}
	for _, m := range k.mods {
		if fns := find(m.spec); len(fns) > 0 {
			return fns, "module " + m.name
		}
	}
	return nil, ""
}

// Check looks up each kfunc the object calls and reports, one Problem per
// pitfall: missing (fail; warn when __weak), a kernel FUNC that is no kfunc
// here (fail), another prototype (fail showing both; warn when __weak,
// since libbpf then treats it as missing), and a summary (info) that says
// how kfuncs were recognised. It returns nothing for an object without
// kfuncs.
func (k *Kernel) Check(o *Object) []Problem {
	if len(o.Kfuncs) == 0 {
		return nil
	}
	var missing, notKfunc, weak, found []string
	var protoDetails, weakDetails, notDetails []string
	for _, kf := range o.Kfuncs {
		fns, where := k.lookup(essentialName(kf.Name))
		if len(fns) == 0 {
			if kf.Weak {
				weak = append(weak, kf.Name)
				weakDetails = append(weakDetails, kf.Name+": not in the kernel; the program must check bpf_ksym_exists() before calling it")
			} else {
				missing = append(missing, kf.Name)
			}
			continue
		}
		if k.Tagged() {
			tagged := slices.DeleteFunc(slices.Clone(fns), func(f *btf.Func) bool { return !slices.Contains(f.Tags, KfuncTag) })
			if len(tagged) == 0 {
				notKfunc = append(notKfunc, kf.Name)
				notDetails = append(notDetails, fmt.Sprintf("%s: a FUNC in %s without the %s decl tag", kf.Name, where, KfuncTag))
				continue
			}
			fns = tagged
		}
		var why string
		ok := slices.ContainsFunc(fns, func(f *btf.Func) bool {
			fp, isProto := f.Type.(*btf.FuncProto)
			if !isProto {
				return false
			}
			why = compatible(kf.proto, fp)
			return why == ""
		})
		if !ok {
			line := fmt.Sprintf("%s: the object declares %s, %s has %s (%s)", kf.Name, formatFunc(kf.Name, kf.proto), where, formatFunc(kf.Name, fns[0].Type), why)
			if kf.Weak {
				weak = append(weak, kf.Name)
				weakDetails = append(weakDetails, line+"; libbpf treats a __weak kfunc of another prototype as missing")
			} else {
				protoDetails = append(protoDetails, line)
			}
			continue
		}
		found = append(found, kf.Name+" ("+where+")")
	}
	var ps []Problem
	sum := Problem{Pitfall: Kfuncs, Level: Info,
		Message: fmt.Sprintf("%d of %d kfuncs match %s", len(found), len(o.Kfuncs), k.describe()),
		Details: found}
	if k.Tagged() {
		sum.Message += fmt.Sprintf("; this kernel tags its kfuncs (%d %s decl tags)", k.Tags, KfuncTag)
	} else {
		sum.Message += fmt.Sprintf("; this kernel has no %s decl tags (pahole < 1.27 or kernel < 6.11), so kfuncs were looked up as plain FUNCs: a kernel function that is no kfunc passes here and fails in the verifier", KfuncTag)
	}
	sum.Details = append(sum.Details, k.Notes...)
	ps = append(ps, sum)
	if len(missing) > 0 {
		ps = append(ps, Problem{Pitfall: KfuncMissing, Level: Fail,
			Message: fmt.Sprintf("%s not in %s: libbpf fails with \"extern (func ksym) '%s': not found in kernel or module BTFs\"", strings.Join(missing, ", "), k.describe(), missing[0])})
	}
	if len(notKfunc) > 0 {
		ps = append(ps, Problem{Pitfall: KfuncNotKfunc, Level: Fail,
			Message: fmt.Sprintf("%s: kernel functions, but not kfuncs on this kernel: the verifier refuses the call", strings.Join(notKfunc, ", ")),
			Details: notDetails})
	}
	if len(protoDetails) > 0 {
		// Both prototypes go in the message: they are the finding.
		ps = append(ps, Problem{Pitfall: KfuncProto, Level: Fail,
			Message: strings.Join(protoDetails, "; ") + "; libbpf refuses such a call (\"func_proto [...] incompatible with vmlinux\")"})
	}
	if len(weak) > 0 {
		ps = append(ps, Problem{Pitfall: KfuncWeak, Level: Warn,
			Message: fmt.Sprintf("__weak %s not usable on this kernel: the object loads, and calls to it must be guarded", strings.Join(weak, ", ")),
			Details: weakDetails})
	}
	return ps
}

func (k *Kernel) describe() string {
	s := k.Path
	if s == "" {
		s = "the kernel's BTF"
	}
	if len(k.Modules) > 0 {
		s += fmt.Sprintf(" and %d modules", len(k.Modules))
	}
	return s
}

// compatible follows libbpf's bpf_core_types_are_compat, which decides
// whether an extern kfunc may bind to the kernel's: the same number of
// parameters, and each parameter and the return of a compatible kind after
// typedefs and qualifiers (any integer matches any integer; pointers
// compare what they point to). It also wants named structs, unions and
// enums to have the same name (flavour suffixes aside), which libbpf does
// not check but the verifier will, at the call. It returns why not, or "".
func compatible(local, kern *btf.FuncProto) string { return compatProto(local, kern, 0) }

func compatProto(local, kern *btf.FuncProto, depth int) string {
	if len(local.Params) != len(kern.Params) {
		return fmt.Sprintf("%s, not %d", plural(len(local.Params), "parameter"), len(kern.Params))
	}
	for i := range local.Params {
		if why := compatType(local.Params[i].Type, kern.Params[i].Type, depth+1); why != "" {
			return fmt.Sprintf("parameter %d: %s", i+1, why)
		}
	}
	if why := compatType(local.Return, kern.Return, depth+1); why != "" {
		return "return: " + why
	}
	return ""
}

func compatType(a, b btf.Type, depth int) string {
	if depth > 16 {
		return "types nest too deep"
	}
	a, b = btf.UnderlyingType(a), btf.UnderlyingType(b)
	differ := func() string { return fmt.Sprintf("%s vs %s", typeString(a, 0), typeString(b, 0)) }
	switch x := a.(type) {
	case *btf.Void:
		if _, ok := b.(*btf.Void); ok {
			return ""
		}
	case *btf.Int:
		if _, ok := b.(*btf.Int); ok {
			return ""
		}
	case *btf.Enum:
		if y, ok := b.(*btf.Enum); ok && sameName(x.Name, y.Name) {
			return ""
		}
	case *btf.Struct:
		switch y := b.(type) {
		case *btf.Struct:
			if sameName(x.Name, y.Name) {
				return ""
			}
		case *btf.Fwd:
			if y.Kind == btf.FwdStruct && sameName(x.Name, y.Name) {
				return ""
			}
		}
	case *btf.Union:
		switch y := b.(type) {
		case *btf.Union:
			if sameName(x.Name, y.Name) {
				return ""
			}
		case *btf.Fwd:
			if y.Kind == btf.FwdUnion && sameName(x.Name, y.Name) {
				return ""
			}
		}
	case *btf.Fwd:
		switch y := b.(type) {
		case *btf.Fwd:
			if x.Kind == y.Kind && sameName(x.Name, y.Name) {
				return ""
			}
		case *btf.Struct:
			if x.Kind == btf.FwdStruct && sameName(x.Name, y.Name) {
				return ""
			}
		case *btf.Union:
			if x.Kind == btf.FwdUnion && sameName(x.Name, y.Name) {
				return ""
			}
		}
	case *btf.Pointer:
		if y, ok := b.(*btf.Pointer); ok {
			if compatType(x.Target, y.Target, depth+1) == "" {
				return ""
			}
		}
	case *btf.Array:
		if y, ok := b.(*btf.Array); ok {
			if compatType(x.Type, y.Type, depth+1) == "" {
				return ""
			}
		}
	case *btf.FuncProto:
		if y, ok := b.(*btf.FuncProto); ok && compatProto(x, y, depth+1) == "" {
			return ""
		}
	}
	return differ()
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// sameName compares names without libbpf's flavour suffix; an anonymous
// type matches any.
func sameName(a, b string) bool {
	return a == "" || b == "" || essentialName(a) == essentialName(b)
}

// formatFunc writes a prototype as C: "struct task_struct *bpf_task_acquire(struct task_struct *p)".
func formatFunc(name string, t btf.Type) string {
	fp, ok := t.(*btf.FuncProto)
	if !ok {
		return name + ": " + typeString(t, 0)
	}
	var params []string
	for _, p := range fp.Params {
		params = append(params, declare(typeString(p.Type, 0), p.Name))
	}
	if len(params) == 0 {
		params = []string{"void"}
	}
	return declare(typeString(fp.Return, 0), name) + "(" + strings.Join(params, ", ") + ")"
}

func declare(typ, name string) string {
	if name == "" || strings.HasSuffix(typ, "*") {
		return typ + name
	}
	return typ + " " + name
}

func typeString(t btf.Type, depth int) string {
	if depth > 8 {
		return "..."
	}
	switch v := t.(type) {
	case nil, *btf.Void:
		return "void"
	case *btf.Int:
		return v.Name
	case *btf.Float:
		return v.Name
	case *btf.Pointer:
		s := typeString(v.Target, depth+1)
		if strings.HasSuffix(s, "*") {
			return s + "*"
		}
		return s + " *"
	case *btf.Struct:
		return "struct " + anon(v.Name)
	case *btf.Union:
		return "union " + anon(v.Name)
	case *btf.Enum:
		return "enum " + anon(v.Name)
	case *btf.Fwd:
		return v.Kind.String() + " " + v.Name
	case *btf.Typedef:
		return v.Name
	case *btf.Const:
		return "const " + typeString(v.Type, depth+1)
	case *btf.Volatile:
		return "volatile " + typeString(v.Type, depth+1)
	case *btf.Restrict:
		return typeString(v.Type, depth+1)
	case *btf.TypeTag:
		return typeString(v.Type, depth+1)
	case *btf.Array:
		return fmt.Sprintf("%s[%d]", typeString(v.Type, depth+1), v.Nelems)
	case *btf.FuncProto:
		return "function"
	}
	return fmt.Sprintf("%T", t)
}

func anon(n string) string {
	if n == "" {
		return "{...}"
	}
	return n
}
