package bpfobj

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/cilium/ebpf/btf"

	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
)

// FuzzRead feeds the object reader garbage, cut-off and corrupted objects:
// it must return an error or an object whose detectors run, never panic.
// Real objects (the probe objects in testdata, and ones clang builds when it
// is here) are kept in the target, not added as seeds: a seed is a few bytes
// that say which object to cut or patch (see mutate), so the fuzzer spends
// its time reading objects, not minimizing kilobytes of ELF.
func FuzzRead(f *testing.F) {
	objs, err := filepath.Glob(filepath.Join("testdata", "*.o"))
	if err != nil || len(objs) == 0 {
		f.Fatalf("no testdata/*.o: %v", err)
	}
	var bases [][]byte
	for _, m := range objs {
		bases = append(bases, []byte(testkit.ReadTestdata(f, filepath.Base(m))))
	}
	if _, err := exec.LookPath("llc"); err == nil {
		if _, err := exec.LookPath("clang"); err == nil {
			for _, obj := range []string{
				build(f, switchSource, true, "-O2", "-g"),
				build(f, switchSource, false, "--target=bpf", "-O2", "-g"),
				build(f, kfuncProgram("extern int bpf_x(int) __ksym __weak;", "r = bpf_x(1);"), false, "--target=bpf", "-O2", "-g"),
			} {
				b, err := os.ReadFile(obj)
				if err != nil {
					f.Fatal(err)
				}
				bases = append(bases, b)
			}
		}
	}
	for i := range bases {
		f.Add([]byte{'P', byte(i)})                                     // the object as it is
		f.Add([]byte{'T', byte(i), 0x40, 0x00})                         // cut after the ELF header
		f.Add([]byte{'P', byte(i), 0x28, 0x00, 0xff, 0x3c, 0x00, 0xff}) // e_shoff, e_shnum
	}
	f.Add([]byte("\x7fELF"))
	f.Add([]byte("not elf"))
	f.Add(append([]byte("\x7fELF\x02\x01\x01"), make([]byte, 57)...))
	k := fuzzKernel(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		o, err := Read(bytes.NewReader(mutate(bases, b)))
		if err != nil {
			return
		}
		if slices.Contains(o.Sections, "") {
			t.Fatal("empty section name listed")
		}
		_ = o.ProbeProblems()
		for _, p := range append(o.Problems(), k.Check(o)...) {
			if p.Pitfall == "" || p.Message == "" {
				t.Fatalf("incomplete problem %+v", p)
			}
		}
	})
}

// FuzzReadKernel does the same for kernel BTF, raw or in an ELF.
func FuzzReadKernel(f *testing.F) {
	f.Add([]byte{})
	f.Add(rawBTF([][]uint32{{1, 1 << 24, 4, 1<<24 | 32}, {0, 13 << 24, 1}, {5, 12<<24 | 1, 2}, {7, 17 << 24, 3, 0xffffffff}}, "\x00int\x00f\x00bpf_kfunc\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := ReadKernel(b)
		if err != nil {
			return
		}
		_ = k.Check(objectCalling(Kfunc{Name: "f", proto: plainP}))
	})
}

func fuzzKernel(f *testing.F) *Kernel {
	b, err := btf.NewBuilder([]btf.Type{&btf.Func{Name: "bpf_x", Type: plainP, Linkage: btf.GlobalFunc, Tags: []string{KfuncTag}}}, nil)
	if err != nil {
		f.Fatal(err)
	}
	raw, err := b.Marshal(nil, nil)
	if err != nil {
		f.Fatal(err)
	}
	k, err := ReadKernel(raw)
	if err != nil {
		f.Fatal(err)
	}
	return k
}

// mutate reads "P" i (offset-lo offset-hi value)...: object i with the byte
// at each offset (modulo its size) set to value; "T" i lo hi: object i cut
// to that many bytes. Any other input is itself the object.
func mutate(bases [][]byte, b []byte) []byte {
	if len(b) < 2 || (b[0] != 'P' && b[0] != 'T') {
		return b
	}
	base := bases[int(b[1])%len(bases)]
	if b[0] == 'T' {
		if len(b) < 4 {
			return base
		}
		return base[:min(len(base), int(b[2])|int(b[3])<<8)]
	}
	obj := slices.Clone(base)
	for p := b[2:]; len(p) >= 3 && len(obj) > 0; p = p[3:] {
		obj[(int(p[0])|int(p[1])<<8)%len(obj)] = p[2]
	}
	return obj
}
