package bpfobj

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
)

func readObjectFile(t *testing.T, path string) *Object {
	t.Helper()
	o, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func writeProbe(t *testing.T) (dir, src string) {
	t.Helper()
	dir = t.TempDir()
	src = filepath.Join(dir, "probe.c")
	testkit.WriteFile(t, src, probeSource, 0o644)
	return dir, src
}

func TestProbeArgs(t *testing.T) {
	got := ProbeArgs("/tmp/p.c", "/tmp/p.o")
	want := []string{"--target=bpf", "-O2", "-g", "-c", "/tmp/p.c", "-o", "/tmp/p.o"}
	if !slices.Equal(got, want) {
		t.Errorf("ProbeArgs = %q, want %q", got, want)
	}
}

func TestProbeSourceIsSelfContained(t *testing.T) {
	for _, bad := range []string{"#include", "`"} {
		if strings.Contains(probeSource, bad) {
			t.Errorf("probeSource contains %q", bad)
		}
	}
	for _, need := range []string{`section("xdp")`, "used", "struct "} {
		if !strings.Contains(probeSource, need) {
			t.Errorf("probeSource lacks %q", need)
		}
	}
}

// Objects compiled from probeSource by Debian clang 14.0.6, so the object
// checks are tested even where clang is missing.
func TestReadProbeTestdata(t *testing.T) {
	tests := []struct {
		file     string
		machine  elf.Machine
		problems []string // substrings, one per expected problem
	}{
		{"probe-clang14.bpf.o", elf.EM_BPF, nil},
		{"probe-clang14-nog.bpf.o", elf.EM_BPF, []string{"no .BTF section", "no .BTF.ext section"}},
		{"probe-clang14.x86_64.o", elf.EM_X86_64, []string{"not EM_BPF", "no .BTF section", "no .BTF.ext section"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			o := readObjectFile(t, filepath.Join("testdata", tt.file))
			if o.Machine != tt.machine || o.IsBPF() != (tt.machine == elf.EM_BPF) {
				t.Errorf("machine = %v, IsBPF = %v", o.Machine, o.IsBPF())
			}
			if o.Class != elf.ELFCLASS64 || o.Data != elf.ELFDATA2LSB {
				t.Errorf("class/order = %v %v", o.Class, o.Data)
			}
			if !o.HasSection("xdp") || !o.HasSection("license") || o.HasSection("") || o.HasSection("xd") {
				t.Errorf("sections = %q", o.Sections)
			}
			assertProblems(t, o.ProbeProblems(), tt.problems)
		})
	}
}

func assertProblems(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("ProbeProblems = %q, want %d matching %q", got, len(want), want)
	}
	for i := range want {
		if !strings.Contains(got[i], want[i]) {
			t.Errorf("problem %d = %q, want it to mention %q", i, got[i], want[i])
		}
	}
}

func TestProbeProblemsSynthetic(t *testing.T) {
	tests := []struct {
		name string
		obj  Object
		want []string
	}{
		{"fine", Object{Machine: elf.EM_BPF, Class: elf.ELFCLASS64, Sections: []string{"xdp", ".BTF", ".BTF.ext"}}, nil},
		{"32-bit", Object{Machine: elf.EM_BPF, Class: elf.ELFCLASS32, Sections: []string{".BTF", ".BTF.ext"}}, []string{"not ELFCLASS64"}},
		{"BTF without ext", Object{Machine: elf.EM_BPF, Class: elf.ELFCLASS64, Sections: []string{".BTF"}}, []string{"no .BTF.ext"}},
		{"zero", Object{}, []string{"not EM_BPF", "not ELFCLASS64", "no .BTF section", "no .BTF.ext"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertProblems(t, tt.obj.ProbeProblems(), tt.want)
		})
	}
}

func TestReadGarbage(t *testing.T) {
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"text", []byte("hello, this is not an object file at all")},
		{"short magic", []byte("\x7fEL")},
		{"wrong magic", []byte("\x7fELG\x02\x01\x01")},
		{"ar archive", []byte("!<arch>\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(bytes.NewReader(tt.data))
			if !errors.Is(err, ErrNotELF) || !strings.HasPrefix(err.Error(), "read object: not an ELF file: ") {
				t.Fatalf("err = %v, want read object: not an ELF file: ...", err)
			}
		})
	}
	if _, err := Read(nil); !errors.Is(err, ErrNotELF) {
		t.Errorf("Read(nil) err = %v", err)
	}
}

// Every proper prefix of a real object is a truncated file: an error, no panic.
func TestReadTruncatedProbe(t *testing.T) {
	for _, file := range []string{"probe-clang14-nog.bpf.o", "probe-clang14.x86_64.o", "probe-clang14.bpf.o"} {
		data := []byte(testkit.ReadTestdata(t, file))
		for n := range len(data) {
			if _, err := Read(bytes.NewReader(data[:n])); err == nil {
				t.Fatalf("%s truncated to %d bytes: no error", file, n)
			}
		}
	}
}

func TestReadCorrupt(t *testing.T) {
	data := []byte(testkit.ReadTestdata(t, "probe-clang14.bpf.o"))
	// Point e_shoff (offset 0x28 in ELF64) far beyond the file and make
	// e_shstrndx (0x3e) out of range.
	shoff := slices.Clone(data)
	binary.LittleEndian.PutUint64(shoff[0x28:], 1<<62)
	strndx := slices.Clone(data)
	binary.LittleEndian.PutUint16(strndx[0x3e:], 0xfffe)
	for name, d := range map[string][]byte{"shoff": shoff, "shstrndx": strndx} {
		if _, err := Read(bytes.NewReader(d)); err == nil || !strings.HasPrefix(err.Error(), "read object: ") {
			t.Errorf("%s: err = %v, want read object: ...", name, err)
		}
	}
}

// The tests below compile probeSource with the real clang and read the
// object with Read, as clang.probe does.

func TestProbeCompileRealClang(t *testing.T) {
	clang := testkit.Tool(t, "clang")
	dir, src := writeProbe(t)
	out := filepath.Join(dir, "probe.o")
	run(t, clang, ProbeArgs(src, out)...)
	o := readObjectFile(t, out)
	if !o.IsBPF() || o.Class != elf.ELFCLASS64 {
		t.Errorf("machine/class = %v %v", o.Machine, o.Class)
	}
	for _, s := range []string{".BTF", ".BTF.ext", "xdp"} {
		if !o.HasSection(s) {
			t.Errorf("no %s section in %q", s, o.Sections)
		}
	}
	if p := o.ProbeProblems(); len(p) != 0 {
		t.Errorf("ProbeProblems = %q", p)
	}
}

func TestProbeCompileRealClangWithoutDebugInfo(t *testing.T) {
	clang := testkit.Tool(t, "clang")
	dir, src := writeProbe(t)
	out := filepath.Join(dir, "probe.o")
	args := slices.DeleteFunc(ProbeArgs(src, out), func(a string) bool { return a == "-g" })
	run(t, clang, args...)
	o := readObjectFile(t, out)
	if !o.IsBPF() {
		t.Errorf("machine = %v", o.Machine)
	}
	p := o.ProbeProblems()
	if !slices.ContainsFunc(p, func(s string) bool { return strings.Contains(s, ".BTF") }) {
		t.Errorf("ProbeProblems = %q, want a .BTF problem", p)
	}
}

func TestProbeCompileRealClangNative(t *testing.T) {
	clang := testkit.Tool(t, "clang")
	dir, src := writeProbe(t)
	out := filepath.Join(dir, "probe.o")
	run(t, clang, "-O2", "-c", src, "-o", out)
	o := readObjectFile(t, out)
	if o.IsBPF() {
		t.Fatalf("native object is EM_BPF")
	}
	p := o.ProbeProblems()
	if len(p) == 0 || !strings.Contains(p[0], "not EM_BPF") {
		t.Errorf("ProbeProblems = %q, want not EM_BPF first", p)
	}
}

// probeSource is a BPF C program that proves the toolchain works. It has no includes, so it builds without kernel or libbpf headers;
// the section attribute stands in for libbpf's SEC("xdp"), and the structs
// give -g something to describe in .BTF, the function func/line info for
// .BTF.ext.
const probeSource = `/* bpfdoctor probe: clang --target=bpf -O2 -g -c probe.c -o probe.o */

struct bpfdoctor_ctx {
	unsigned int data;
	unsigned int data_end;
};

struct bpfdoctor_pair {
	unsigned int a;
	unsigned long long b;
};

char _license[] __attribute__((section("license"), used)) = "GPL";

__attribute__((section("xdp"), used))
int bpfdoctor_probe(struct bpfdoctor_ctx *ctx)
{
	struct bpfdoctor_pair p = { ctx->data, ctx->data_end };

	return p.b > p.a ? 2 : 1; /* XDP_PASS : XDP_DROP */
}
`

// IsBPF is the one test of "a BPF object": EM_BPF and ELFCLASS64, as the
// kernel loads; ProbeProblems names each half that fails.
func TestIsBPF(t *testing.T) {
	tests := []struct {
		obj  Object
		want bool
	}{
		{Object{Machine: elf.EM_BPF, Class: elf.ELFCLASS64}, true},
		{Object{Machine: elf.EM_BPF, Class: elf.ELFCLASS32}, false},
		{Object{Machine: elf.EM_X86_64, Class: elf.ELFCLASS64}, false},
	}
	for _, tt := range tests {
		if got := tt.obj.IsBPF(); got != tt.want {
			t.Errorf("%v %v: IsBPF = %v, want %v", tt.obj.Machine, tt.obj.Class, got, tt.want)
		}
		bad := slices.ContainsFunc(tt.obj.ProbeProblems(), func(p string) bool {
			return strings.Contains(p, "not EM_BPF") || strings.Contains(p, "not ELFCLASS64")
		})
		if bad == tt.want {
			t.Errorf("%v %v: ProbeProblems = %q disagrees with IsBPF", tt.obj.Machine, tt.obj.Class, tt.obj.ProbeProblems())
		}
	}
}
