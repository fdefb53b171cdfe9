package bpfobj

import (
	"bytes"
	"encoding/binary"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"

	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
)

// kfuncProgram is a program calling the externs in decls, each __ksym.
func kfuncProgram(decls string, calls string) string {
	return `#define __ksym __attribute__((section(".ksyms")))
#define __weak __attribute__((weak))
char _license[] __attribute__((section("license"), used)) = "GPL";
` + decls + `
__attribute__((section("tc"), used))
int prog(void *ctx)
{
	int r = 0;
	` + calls + `
	return r;
}
`
}

func realKernel(t *testing.T) *Kernel {
	t.Helper()
	const vmlinux = "/sys/kernel/btf/vmlinux"
	if _, err := os.Stat(vmlinux); err != nil {
		testkit.Missing(t, "no kernel BTF: %v", err)
	}
	k, err := LoadKernel(vmlinux, "")
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestKfuncsRealKernel compiles programs that call kfuncs and looks them up
// in the running kernel's BTF. bpf_rcu_read_lock/unlock exist since 6.2;
// schedule is a kernel function that no kfunc set holds.
func TestKfuncsRealKernel(t *testing.T) {
	k := realKernel(t)
	t.Logf("%s: %d %s decl tags", k.Path, k.Tags, KfuncTag)
	tests := []struct {
		name         string
		decls, calls string
		want         map[Pitfall]Level
		in           map[Pitfall][]string
	}{
		{name: "kfuncs the kernel has",
			decls: "extern void bpf_rcu_read_lock(void) __ksym;\nextern void bpf_rcu_read_unlock(void) __ksym;",
			calls: "bpf_rcu_read_lock(); bpf_rcu_read_unlock();",
			want:  map[Pitfall]Level{Kfuncs: Info},
			in:    map[Pitfall][]string{Kfuncs: {"2 of 2 kfuncs match /sys/kernel/btf/vmlinux", "bpf_rcu_read_lock (vmlinux)"}}},
		{name: "a kfunc the kernel lacks",
			decls: "extern void bpf_rcu_read_lock(void) __ksym;\nextern int bpf_kfunc_that_does_not_exist(int) __ksym;",
			calls: "bpf_rcu_read_lock(); r = bpf_kfunc_that_does_not_exist(1);",
			want:  map[Pitfall]Level{Kfuncs: Info, KfuncMissing: Fail},
			in:    map[Pitfall][]string{KfuncMissing: {"bpf_kfunc_that_does_not_exist not in /sys/kernel/btf/vmlinux", "not found in kernel or module BTFs"}}},
		{name: "a __weak kfunc the kernel lacks",
			decls: "extern int bpf_kfunc_that_does_not_exist(int) __ksym __weak;",
			calls: "if (bpf_kfunc_that_does_not_exist) r = bpf_kfunc_that_does_not_exist(1);",
			want:  map[Pitfall]Level{Kfuncs: Info, KfuncWeak: Warn},
			in:    map[Pitfall][]string{KfuncWeak: {"__weak bpf_kfunc_that_does_not_exist", "bpf_ksym_exists"}}},
		{name: "a kfunc declared with another prototype",
			decls: "extern int bpf_rcu_read_lock(int) __ksym;",
			calls: "r = bpf_rcu_read_lock(7);",
			want:  map[Pitfall]Level{Kfuncs: Info, KfuncProto: Fail},
			in:    map[Pitfall][]string{KfuncProto: {"the object declares int bpf_rcu_read_lock(int), vmlinux has void bpf_rcu_read_lock(void)", "1 parameter, not 0"}}},
		{name: "a flavoured name finds the kfunc",
			decls: "extern void bpf_rcu_read_lock___new(void) __ksym;",
			calls: "bpf_rcu_read_lock___new();",
			want:  map[Pitfall]Level{Kfuncs: Info}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := Open(build(t, kfuncProgram(tt.decls, tt.calls), false, "--target=bpf", "-O2", "-g"))
			if err != nil {
				t.Fatal(err)
			}
			if len(o.Kfuncs) == 0 {
				t.Fatalf("no kfuncs read from the object (sections %q)", o.Sections)
			}
			checkProblems(t, k.Check(o), tt.want, tt.in)
		})
	}

	t.Run("a kernel function that is no kfunc", func(t *testing.T) {
		o, err := Open(build(t, kfuncProgram("extern void schedule(void) __ksym;", "schedule();"), false, "--target=bpf", "-O2", "-g"))
		if err != nil {
			t.Fatal(err)
		}
		if !k.Tagged() {
			// Without tags the plain FUNC lookup takes it, and says so.
			checkProblems(t, k.Check(o), map[Pitfall]Level{Kfuncs: Info}, map[Pitfall][]string{Kfuncs: {"looked up as plain FUNCs"}})
			return
		}
		checkProblems(t, k.Check(o), map[Pitfall]Level{Kfuncs: Info, KfuncNotKfunc: Fail},
			map[Pitfall][]string{KfuncNotKfunc: {"schedule: a FUNC in vmlinux without the bpf_kfunc decl tag"}, Kfuncs: {"this kernel tags its kfuncs"}})
	})
}

func checkProblems(t *testing.T, ps []Problem, want map[Pitfall]Level, in map[Pitfall][]string) {
	t.Helper()
	for _, p := range ps {
		t.Logf("%s %s: %s %q", p.Level, p.Pitfall, p.Message, p.Details)
	}
	if got := levels(ps); !maps.Equal(got, want) {
		t.Errorf("problems = %v, want %v", got, want)
	}
	for pf, subs := range in {
		p := problem(ps, pf)
		text := p.Message + "\n" + strings.Join(p.Details, "\n")
		for _, s := range subs {
			if !strings.Contains(text, s) {
				t.Errorf("%s does not say %q:\n%s", pf, s, text)
			}
		}
	}
}

// The synthetic kernel: a task_struct, a tagged kfunc that takes and
// returns a pointer to one, and a plain function.
var (
	intType  = &btf.Int{Name: "int", Size: 4, Encoding: btf.Signed}
	task     = &btf.Struct{Name: "task_struct", Size: 4, Members: []btf.Member{{Name: "pid", Type: intType}}}
	taskPtr  = &btf.Pointer{Target: task}
	acquireP = &btf.FuncProto{Return: taskPtr, Params: []btf.FuncParam{{Name: "p", Type: taskPtr}}}
	plainP   = &btf.FuncProto{Return: intType}
)

func syntheticKernel(t *testing.T, tagged bool) *Kernel {
	t.Helper()
	var tags []string
	if tagged {
		tags = []string{KfuncTag}
	}
	types := []btf.Type{
		&btf.Func{Name: "bpf_demo_acquire", Type: acquireP, Linkage: btf.GlobalFunc, Tags: tags},
		&btf.Func{Name: "demo_plain", Type: plainP, Linkage: btf.GlobalFunc},
	}
	b, err := btf.NewBuilder(types, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := b.Marshal(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ReadKernel(raw)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func objectCalling(kfs ...Kfunc) *Object {
	for i := range kfs {
		kfs[i].Proto = &btf.Func{Name: kfs[i].Name, Type: kfs[i].proto, Linkage: btf.ExternFunc}
	}
	return &Object{Kfuncs: kfs}
}

// TestKfuncsSynthetic covers what the running kernel cannot be made to show:
// a kernel with and without bpf_kfunc tags, and prototypes that differ only
// in ways libbpf ignores or does not.
func TestKfuncsSynthetic(t *testing.T) {
	myInt := &btf.Typedef{Name: "s32", Type: intType}
	other := &btf.Pointer{Target: &btf.Struct{Name: "sk_buff", Size: 4}}
	tests := []struct {
		name   string
		tagged bool
		kf     Kfunc
		want   map[Pitfall]Level
		in     map[Pitfall][]string
	}{
		{name: "tagged kernel, same prototype", tagged: true, kf: Kfunc{Name: "bpf_demo_acquire", proto: acquireP},
			want: map[Pitfall]Level{Kfuncs: Info}, in: map[Pitfall][]string{Kfuncs: {"1 of 1 kfuncs", "this kernel tags its kfuncs (1 bpf_kfunc decl tags)"}}},
		{name: "typedefs, qualifiers and forward declarations match", tagged: true,
			kf: Kfunc{Name: "bpf_demo_acquire", proto: &btf.FuncProto{
				Return: &btf.Pointer{Target: &btf.Fwd{Name: "task_struct", Kind: btf.FwdStruct}},
				Params: []btf.FuncParam{{Name: "t", Type: &btf.Const{Type: &btf.Pointer{Target: &btf.Struct{Name: "task_struct___local"}}}}}}},
			want: map[Pitfall]Level{Kfuncs: Info}},
		{name: "another parameter type", tagged: true,
			kf:   Kfunc{Name: "bpf_demo_acquire", proto: &btf.FuncProto{Return: taskPtr, Params: []btf.FuncParam{{Name: "x", Type: myInt}}}},
			want: map[Pitfall]Level{Kfuncs: Info, KfuncProto: Fail},
			in: map[Pitfall][]string{KfuncProto: {
				"the object declares struct task_struct *bpf_demo_acquire(s32 x), vmlinux has struct task_struct *bpf_demo_acquire(struct task_struct *p)",
				"parameter 1: int vs struct task_struct *"}}},
		{name: "a pointer to another struct", tagged: true,
			kf:   Kfunc{Name: "bpf_demo_acquire", proto: &btf.FuncProto{Return: taskPtr, Params: []btf.FuncParam{{Name: "skb", Type: other}}}},
			want: map[Pitfall]Level{Kfuncs: Info, KfuncProto: Fail},
			in:   map[Pitfall][]string{KfuncProto: {"parameter 1: struct sk_buff * vs struct task_struct *"}}},
		{name: "__weak with another prototype is a warning", tagged: true,
			kf:   Kfunc{Name: "bpf_demo_acquire", Weak: true, proto: plainP},
			want: map[Pitfall]Level{Kfuncs: Info, KfuncWeak: Warn},
			in:   map[Pitfall][]string{KfuncWeak: {"libbpf treats a __weak kfunc of another prototype as missing"}}},
		{name: "tagged kernel, untagged function", tagged: true, kf: Kfunc{Name: "demo_plain", proto: plainP},
			want: map[Pitfall]Level{Kfuncs: Info, KfuncNotKfunc: Fail}},
		{name: "untagged kernel: plain FUNC lookup, said so", kf: Kfunc{Name: "demo_plain", proto: plainP},
			want: map[Pitfall]Level{Kfuncs: Info},
			in:   map[Pitfall][]string{Kfuncs: {"1 of 1 kfuncs", "no bpf_kfunc decl tags (pahole < 1.27 or kernel < 6.11), so kfuncs were looked up as plain FUNCs"}}},
		{name: "untagged kernel, missing", kf: Kfunc{Name: "bpf_gone", proto: plainP},
			want: map[Pitfall]Level{Kfuncs: Info, KfuncMissing: Fail}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := syntheticKernel(t, tt.tagged)
			if k.Tagged() != tt.tagged {
				t.Fatalf("Tagged() = %v with %d tags", k.Tagged(), k.Tags)
			}
			checkProblems(t, k.Check(objectCalling(tt.kf)), tt.want, tt.in)
		})
	}
	// A prototype that takes a pointer to a function of its own type:
	// the comparison must end (libbpf too gives up, at depth 32).
	cyc := &btf.FuncProto{Return: intType}
	cyc.Params = []btf.FuncParam{{Name: "cb", Type: &btf.Pointer{Target: cyc}}}
	if why := compatible(cyc, cyc); !strings.HasPrefix(why, "parameter 1: ") {
		t.Errorf("compatible(cyclic) = %q", why)
	}
	if ps := syntheticKernel(t, true).Check(&Object{}); ps != nil {
		t.Errorf("an object without kfuncs: %v", ps)
	}
}

// rawBTF encodes little-endian BTF from type records (each a header of
// three words and its trailing words) and a string table.
func rawBTF(types [][]uint32, strs string) []byte {
	var body bytes.Buffer
	for _, ty := range types {
		binary.Write(&body, binary.LittleEndian, ty)
	}
	var out bytes.Buffer
	binary.Write(&out, binary.LittleEndian, struct {
		Magic                            uint16
		Version, Flags                   uint8
		HdrLen                           uint32
		TypeOff, TypeLen, StrOff, StrLen uint32
	}{0xeb9f, 1, 0, 24, 0, uint32(body.Len()), uint32(body.Len()), uint32(len(strs))})
	out.Write(body.Bytes())
	out.WriteString(strs)
	return out.Bytes()
}

// TestModules reads module BTF, split on vmlinux's: a kfunc only a module
// has is found there with --modules, and missing without.
func TestModules(t *testing.T) {
	dir := t.TempDir()
	// vmlinux: [1] INT int. Its strings are "\0int\0", 5 bytes, so the
	// module's string offsets start at 5.
	base := rawBTF([][]uint32{{1, 1 << 24, 4, 1<<24 | 32}}, "\x00int\x00")
	// demo: [2] FUNC_PROTO int(void), [3] FUNC bpf_mod_kfunc (global),
	// [4] DECL_TAG bpf_kfunc on it.
	mod := rawBTF([][]uint32{
		{0, 13 << 24, 1},
		{5, 12<<24 | 1, 2},
		{5 + 14, 17 << 24, 3, 0xffffffff},
	}, "bpf_mod_kfunc\x00bpf_kfunc\x00")
	vmlinux := filepath.Join(dir, "vmlinux")
	testkit.WriteFile(t, vmlinux, string(base), 0o644)
	testkit.WriteFile(t, filepath.Join(dir, "demo"), string(mod), 0o644)
	testkit.WriteFile(t, filepath.Join(dir, "broken"), "not BTF", 0o644)
	o := objectCalling(Kfunc{Name: "bpf_mod_kfunc", proto: plainP})

	k, err := LoadKernel(vmlinux, "")
	if err != nil {
		t.Fatal(err)
	}
	checkProblems(t, k.Check(o), map[Pitfall]Level{Kfuncs: Info, KfuncMissing: Fail}, nil)

	k, err = LoadKernel(vmlinux, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(k.Modules) != 1 || k.Modules[0] != "demo" || len(k.Notes) != 1 || !strings.Contains(k.Notes[0], "module broken") {
		t.Errorf("Modules = %q, Notes = %q", k.Modules, k.Notes)
	}
	checkProblems(t, k.Check(o), map[Pitfall]Level{Kfuncs: Info},
		map[Pitfall][]string{Kfuncs: {"bpf_mod_kfunc (module demo)", "and 1 modules", "module broken"}})
}

func TestCountDeclTags(t *testing.T) {
	tagged := rawBTF([][]uint32{
		{1, 1 << 24, 4, 1<<24 | 32},   // [1] INT
		{0, 13<<24 | 1, 1, 0, 1},      // [2] FUNC_PROTO int(int)
		{5, 12<<24 | 1, 2},            // [3] FUNC f
		{7, 17 << 24, 3, 0xffffffff},  // [4] DECL_TAG bpf_kfunc
		{17, 17 << 24, 3, 0},          // [5] DECL_TAG other, on a parameter
		{0, 4<<24 | 1, 4, 22, 1, 0},   // [6] STRUCT s { int x; }
		{0, 6<<24 | 2, 4, 7, 0, 7, 1}, // [7] ENUM
	}, "\x00int\x00f\x00bpf_kfunc\x00other\x00s\x00x\x00")
	if n, err := countDeclTags(tagged, KfuncTag); n != 1 || err != nil {
		t.Errorf("countDeclTags = %d, %v; want 1", n, err)
	}
	for _, bad := range [][]byte{nil, []byte("short"), bytes.Repeat([]byte{0xff}, 32), tagged[:30]} {
		if _, err := countDeclTags(bad, KfuncTag); err == nil {
			t.Errorf("countDeclTags(%q) gave no error", bad)
		}
	}
	if _, err := ReadKernel([]byte("\x7fELF garbage")); err == nil {
		t.Error("ReadKernel of a broken ELF gave no error")
	}
}
