package bpfobj

import (
	"bytes"
	"debug/elf"
	"errors"
	"maps"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// levels maps each pitfall found to its level, for comparing whole sets.
func levels(ps []Problem) map[Pitfall]Level {
	m := map[Pitfall]Level{}
	for _, p := range ps {
		if _, dup := m[p.Pitfall]; dup {
			panic("two problems for one pitfall: " + string(p.Pitfall))
		}
		m[p.Pitfall] = p.Level
	}
	return m
}

func problem(ps []Problem, pf Pitfall) Problem {
	for _, p := range ps {
		if p.Pitfall == pf {
			return p
		}
	}
	return Problem{}
}

// TestPitfalls compiles objects the right and the wrong ways with the real
// clang and llc and checks that each pitfall is found exactly where it is:
// every case lists the whole set of problems it must give.
func TestPitfalls(t *testing.T) {
	otherOrder, otherTarget := "bpfeb", "big-endian"
	if hostData() == elf.ELFDATA2MSB {
		otherOrder, otherTarget = "bpfel", "little-endian"
	}
	tests := []struct {
		name   string
		src    string
		native bool
		flags  []string
		want   map[Pitfall]Level
		// in says which strings the problems' messages and details hold.
		in map[Pitfall][]string
		// notes must appear among Object.Notes.
		notes []string
		// strip removes DWARF (llvm-strip -g), which keeps .BTF.
		strip bool
	}{
		{name: "native switch through llc: lookup table in .rodata.cst32", src: switchSource, native: true, flags: []string{"-O2"},
			want: map[Pitfall]Level{JumpTable: Fail, EHFrame: Warn, NoBTF: Warn},
			in:   map[Pitfall][]string{JumpTable: {"lookup table in .rodata.cst32 read by xdp", "no variable there", "built for the host target"}, EHFrame: {".eh_frame and .rel.eh_frame"}}},
		{name: "native with -fno-jump-tables: no table", src: switchSource, native: true, flags: []string{"-O2", "-fno-jump-tables"},
			want: map[Pitfall]Level{EHFrame: Warn, NoBTF: Warn}},
		{name: "native with -g: table and .eh_frame stay", src: switchSource, native: true, flags: []string{"-O2", "-g"},
			want: map[Pitfall]Level{JumpTable: Fail, EHFrame: Warn}},
		{name: "native with every fix: clean", src: switchSource, native: true, flags: []string{"-O2", "-g", "-fno-jump-tables", "-fno-asynchronous-unwind-tables"},
			want: map[Pitfall]Level{}},
		{name: "--target=bpf -O2 -g: clean", src: switchSource, flags: []string{"--target=bpf", "-O2", "-g"},
			want: map[Pitfall]Level{}},
		{name: "--target=bpf without -g: no BTF", src: switchSource, flags: []string{"--target=bpf", "-O2"},
			want: map[Pitfall]Level{NoBTF: Warn}, in: map[Pitfall][]string{NoBTF: {"built without -g"}}},
		{name: "-m32 through llc: 32-bit long and pointers", src: switchSource, native: true, flags: []string{"-O2", "-g", "-m32", "-fno-jump-tables"},
			want: map[Pitfall]Level{Bits32: Fail, EHFrame: Warn},
			in: map[Pitfall][]string{Bits32: {"long is 4 bytes and pointers are 4 bytes", `DWARF base type "long" is 4 bytes`,
				"struct bpfdoctor_layout: pointer p takes 4 bytes (offset 4, struct size 12)"}}},
		{name: "-m32 with DWARF stripped: BTF tells", native: true, flags: []string{"-O2", "-g", "-m32", "-fno-asynchronous-unwind-tables"}, strip: true,
			src: "struct layout { long l; void *p; int i; };\nstruct layout g;\nlong n;\n" +
				`__attribute__((section("xdp"), used)) int prog(void *ctx) { return g.i + n; }`,
			want: map[Pitfall]Level{Bits32: Fail},
			in:   map[Pitfall][]string{Bits32: {`BTF int "long" is 4 bytes`, "BTF struct layout: pointer p takes 4 bytes (offset 4, struct size 12)"}}},
		{name: "-m32 without debug info: nothing to tell by", src: switchSource, native: true, flags: []string{"-O2", "-m32", "-fno-jump-tables", "-fno-asynchronous-unwind-tables"},
			want: map[Pitfall]Level{NoBTF: Warn}},
		{name: "real .rodata uses with --target=bpf: no switch table", src: legitRodataSource, flags: []string{"--target=bpf", "-O2", "-g"},
			want:  map[Pitfall]Level{},
			notes: []string{".rodata.cst32+0x0: anonymous constant data"}},
		{name: "function pointers in .rodata: code addresses", flags: []string{"--target=bpf", "-O2", "-g"},
			src: `static __attribute__((noinline)) int f(int x) { return x + 1; }
typedef int (*fn)(int);
__attribute__((section(".rodata.fns"), used)) const fn fns[1] = { f };
__attribute__((section("xdp"), used)) int prog(void *ctx) { return f((long)ctx); }`,
			want: map[Pitfall]Level{JumpTable: Fail}, in: map[Pitfall][]string{JumpTable: {"jump table of code addresses", ".rodata.fns+0x0 holds an address in .text"}}},
		{name: "LLVM's BPF jump tables: warn without a target", flags: []string{"--target=bpf", "-O2", "-g"},
			src:  `__attribute__((section(".jumptables"), used)) const long jt[2] = { 0, 8 };` + "\n" + `__attribute__((section("xdp"), used)) int prog(void *ctx) { return 0; }`,
			want: map[Pitfall]Level{BPFJumpTables: Warn}, in: map[Pitfall][]string{BPFJumpTables: {"gotox", "kernels >= 6.19", "libbpf >= 1.7"}}},
		{name: "the other byte order", src: switchSource, flags: []string{"--target=" + otherOrder, "-O2", "-g"},
			want: map[Pitfall]Level{ByteOrder: Fail}, in: map[Pitfall][]string{ByteOrder: {otherTarget + " object", "endianness mismatch"}}},
		{name: "a host object: not EM_BPF", src: switchSource, flags: []string{"-O2"},
			want: map[Pitfall]Level{NotBPF: Fail}, in: map[Pitfall][]string{NotBPF: {"not EM_BPF"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.want[NotBPF] == Fail && runtime.GOARCH == "bpf" {
				t.Skip("the host is BPF")
			}
			obj := build(t, tt.src, tt.native, tt.flags...)
			if tt.strip {
				if _, err := exec.LookPath("llvm-strip"); err != nil {
					t.Skip("no llvm-strip") // optional even in CI: another package on some distributions
				}
				run(t, "llvm-strip", "-g", obj)
			}
			o, err := Open(obj)
			if err != nil {
				t.Fatal(err)
			}
			ps := o.Problems()
			for _, p := range ps {
				t.Logf("%s %s: %s %q", p.Level, p.Pitfall, p.Message, p.Details)
			}
			if got := levels(ps); !maps.Equal(got, tt.want) {
				t.Errorf("problems = %v, want %v", got, tt.want)
			}
			for pf, subs := range tt.in {
				p := problem(ps, pf)
				text := p.Message + "\n" + strings.Join(p.Details, "\n")
				for _, s := range subs {
					if !strings.Contains(text, s) {
						t.Errorf("%s does not say %q:\n%s", pf, s, text)
					}
				}
			}
			for _, n := range tt.notes {
				if !slices.ContainsFunc(o.Notes, func(s string) bool { return strings.Contains(s, n) }) {
					t.Errorf("notes %q lack %q", o.Notes, n)
				}
			}
			if _, bad := tt.want[NoBTF]; !bad && o.IsBPF() && (!o.HasBTF || !o.HasBTFExt) {
				t.Errorf("HasBTF=%v HasBTFExt=%v without a BTF problem", o.HasBTF, o.HasBTFExt)
			}
		})
	}
}

// TestReadErrors: what is not an object is an error that says so, and a
// cut-off object an error, never a panic.
func TestReadErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "not an ELF file"},
		{"text", []byte("int main(void) { return 0; }\n"), `not an ELF file: bad magic "int "`},
		{"magic only", []byte("\x7fELF"), "read object: "},
		{"bad class", append([]byte("\x7fELF\x09\x01\x01"), make([]byte, 57)...), "read object: "},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(bytes.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
	if _, err := Read(bytes.NewReader([]byte("garbage"))); !errors.Is(err, ErrNotELF) {
		t.Errorf("garbage: %v does not wrap ErrNotELF", err)
	}
	if _, err := Open(t.TempDir()); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("a directory: %v", err)
	}
	if _, err := Open("/nonexistent/prog.o"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing file: %v", err)
	}
}

// TestTruncated cuts a real object (DWARF, BTF, relocations) at many
// lengths and flips bytes in it: errors or partial results, no panic.
func TestTruncated(t *testing.T) {
	b, err := os.ReadFile(build(t, switchSource, true, "-O2", "-g"))
	if err != nil {
		t.Fatal(err)
	}
	step := max(1, len(b)/400)
	for n := 0; n < len(b); n += step {
		if o, err := Read(bytes.NewReader(b[:n])); err == nil {
			_ = o.Problems()
		}
	}
	for i := 0; i < len(b); i += step {
		c := bytes.Clone(b)
		c[i] ^= 0xff
		if o, err := Read(bytes.NewReader(c)); err == nil {
			_ = o.Problems()
		}
	}
}
