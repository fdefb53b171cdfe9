package selftests

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
)

// real612 opens the selftests files copied from Debian's linux-source-6.12.
func real612(t *testing.T, arch string) *Suite {
	t.Helper()
	s, err := Open(os.DirFS("testdata/linux-6.12"), "linux-6.12", arch)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// tree builds a fake tree whose selftests Makefile is mk.
func tree(mk string, files ...string) fstest.MapFS {
	fsys := fstest.MapFS{Dir + "/Makefile": {Data: []byte(mk)}}
	for i := 0; i+1 < len(files); i += 2 {
		fsys[files[i]] = &fstest.MapFile{Data: []byte(files[i+1])}
	}
	return fsys
}

func TestLinker(t *testing.T) {
	for _, tc := range []struct {
		name, mk, arch, want, from string
	}{
		{"6.12 on x86", "", "x86", "lld", "tools/testing/selftests/bpf/Makefile:266"},
		{"6.12 on riscv", "", "riscv", "lld", "tools/testing/selftests/bpf/Makefile:266"},
		{"6.12 on arm64: the system ld", "", "arm64", "", "tools/testing/selftests/bpf/Makefile:268"},
		{"older form: ifeq x86 else", "ifeq ($(SRCARCH),x86)\nLLD := lld\nelse\nLLD := ld\nendif\nx:\n\t$(CLANG) -fuse-ld=$(LLD) -o $@\n", "x86", "lld", "tools/testing/selftests/bpf/Makefile:2"},
		{"older form on s390", "ifeq ($(SRCARCH),x86)\nLLD := lld\nelse\nLLD := ld\nendif\nx:\n\t$(CLANG) -fuse-ld=$(LLD) -o $@\n", "s390", "ld", "tools/testing/selftests/bpf/Makefile:4"},
		{"written out", "x:\n\t$(CLANG) \\\n\t  -fuse-ld=lld -o $@\n", "x86", "lld", "tools/testing/selftests/bpf/Makefile:2"},
		{"none", "x:\n\t$(CC) -o $@\n", "x86", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s *Suite
			if tc.mk == "" {
				s = real612(t, tc.arch)
			} else {
				var err error
				if s, err = Open(tree(tc.mk), "t", tc.arch); err != nil {
					t.Fatal(err)
				}
			}
			got, from := s.Linker()
			if got != tc.want || from.String() != tc.from {
				t.Errorf("Linker() = %q, %s; want %q, %s", got, from, tc.want, tc.from)
			}
		})
	}
}

func TestReal612(t *testing.T) {
	s := real612(t, "x86")
	if tool, from, ok := s.Docs(); !ok || tool != "rst2man" || from.String() != "tools/testing/selftests/bpf/Makefile.docs:53" {
		t.Errorf("Docs() = %q, %s, %v", tool, from, ok)
	}
	if got, _, ok := s.Interpreter(); !ok || got != "python3" {
		t.Errorf("Interpreter() = %q, %v", got, ok)
	}
	var libs []string
	for _, l := range s.Libraries() {
		n := l.Name
		if l.Optional {
			n += "?" + l.Adds
		}
		libs = append(libs, n)
	}
	if want := []string{"libelf", "zlib", "libpcap?-DTRAFFIC_MONITOR", "libcrypto"}; !slices.Equal(libs, want) {
		t.Errorf("Libraries() = %q, want %q", libs, want)
	}
	var opts []string
	for _, o := range s.Optionals() {
		opts = append(opts, o.Name)
	}
	if want := []string{"bpf-gcc", "cpuv4", "llvm"}; !slices.Equal(opts, want) {
		t.Errorf("Optionals() = %q, want %q", opts, want)
	}
	if got := s.MCPU(); got != "v3" {
		t.Errorf("MCPU() = %q", got)
	}
	if got, want := s.Modules(), []string{"bpf_testmod.ko", "bpf_test_no_cfi.ko", "bpf_test_modorder_x.ko", "bpf_test_modorder_y.ko"}; !slices.Equal(got, want) {
		t.Errorf("Modules() = %q", got)
	}
	for uname, want := range map[string]string{"x86_64": "qemu-system-x86_64", "aarch64": "qemu-system-aarch64", "s390x": "qemu-system-s390x", "riscv64": "qemu-system-riscv64", "mips": ""} {
		q, tools, ok := s.QEMU(uname)
		if !ok || q != want || !slices.Equal(tools, []string{"zstd"}) {
			t.Errorf("QEMU(%s) = %q, %q, %v; want %q, [zstd]", uname, q, tools, ok, want)
		}
	}
}

func TestBTFPaths(t *testing.T) {
	s := real612(t, "x86")
	for _, tc := range []struct {
		name string
		v    Vars
		want []string // path/source
	}{
		{"plain", Vars{Release: "6.18.4", TreeAbs: "/src/linux"}, []string{"/src/linux/vmlinux tree", "/sys/kernel/btf/vmlinux running", "/boot/vmlinux-6.18.4 running"}},
		{"O= first", Vars{O: "/build", Release: "6.12.1", TreeAbs: "/src/linux"}, []string{"/build/vmlinux tree", "/src/linux/vmlinux tree", "/sys/kernel/btf/vmlinux running", "/boot/vmlinux-6.12.1 running"}},
		{"KBUILD_OUTPUT relative to the selftests", Vars{KbuildOutput: "../../../../out", TreeAbs: "/src/linux", Release: "r"}, []string{"/src/linux/out/vmlinux tree", "/src/linux/vmlinux tree", "/sys/kernel/btf/vmlinux running", "/boot/vmlinux-r running"}},
		{"VMLINUX_BTF alone", Vars{VmlinuxBTF: "/tmp/vmlinux", TreeAbs: "/src/linux"}, []string{"/tmp/vmlinux given"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps, from, ok := s.BTFPaths(tc.v)
			if !ok || from.String() != "tools/testing/selftests/bpf/Makefile:230" {
				t.Fatalf("BTFPaths: %v %s", ok, from)
			}
			var got []string
			for _, p := range ps {
				if p.Path != "" {
					got = append(got, p.Path+" "+[]string{"tree", "running", "given"}[p.Source])
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q\nwant %q", got, tc.want)
			}
		})
	}
	if _, _, ok := mustOpen(t, tree("all:\n")).BTFPaths(Vars{}); ok {
		t.Error("BTFPaths found paths in a Makefile without VMLINUX_BTF_PATHS")
	}
}

func mustOpen(t *testing.T, fsys fstest.MapFS) *Suite {
	t.Helper()
	s, err := Open(fsys, "t", "x86")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestOpenErrors(t *testing.T) {
	_, err := Open(fstest.MapFS{"Makefile": {}}, "linux", "x86")
	if !errors.Is(err, ErrNoSelftests) || !strings.Contains(err.Error(), "linux") {
		t.Errorf("Open without selftests: %v", err)
	}
	// A FIFO or device in place of the Makefile is not read.
	if _, err := Open(os.DirFS("/dev"), "/dev", "x86"); err == nil {
		t.Error("Open(/dev) succeeded")
	}
}

func TestDocsNotInAll(t *testing.T) {
	s := mustOpen(t, tree("all: progs\n", Dir+"/Makefile.docs", "$(error \"rst2man not found\")\n"))
	if _, _, ok := s.Docs(); ok {
		t.Error("Docs() = true for a Makefile whose all has no docs")
	}
}

func TestSample(t *testing.T) {
	progs := map[string]string{
		// b: four forms; a: one more (w%=N) and two of b's; c: b's only.
		"a.c": "asm volatile (\"\t\\\n\tr0 = 0;\t\\\n\tw1 %%= 2;\t\\\n\texit;\t\\\n\" ::: __clobber_all);",
		"b.c": "asm volatile (\"r2 = *(u32 *)(r1 + 4); r0 = 1; if r0 == 0 goto l0_%=; l0_%=: exit;\");",
		"c.c": "asm volatile(\"r3 = 7;\\n\");",
		// d has the most forms, but includes vmlinux.h through a header.
		"d.c":      "#include \"common.h\"\nasm volatile (\"r0 = -r0; r1 s>>= 3; w2 = w3; r4 = bswap16 r4; gotol +1; exit;\");",
		"common.h": "#include <vmlinux.h>\n",
		"e.c":      "int x; /* no asm */",
	}
	fsys := tree("all:\n")
	for n, src := range progs {
		fsys[Dir+"/progs/"+n] = &fstest.MapFile{Data: []byte(src)}
	}
	s := mustOpen(t, fsys)
	for n, want := range map[int][]string{1: {"progs/b.c"}, 2: {"progs/b.c", "progs/a.c"}, 5: {"progs/b.c", "progs/a.c"}} {
		got, err := s.Sample(n)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("Sample(%d) = %q, %v; want %q", n, got, err, want)
		}
	}
}

func TestInstructionForms(t *testing.T) {
	src := "asm volatile (\"\t\\\n\tl0_%=: r1 = *(u32*)(r0 + 0);\t\\\n\tr2 = *(u32 *)(r3 - 8);\t\\\n\tw1 %%= 2;\t\\\n\tr1 = %[map] ll;\t\\\n\tif r0 == 0 goto l1_%=;\t\\\n\" :: __imm_addr(map));"
	got := instructionForms(src)
	var keys []string
	for k := range got {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"ifr==NgotoL", "r=*(u32*)(r+N)", "r=Nll", "w%=N"}
	if !slices.Equal(keys, want) {
		t.Errorf("forms = %q, want %q", keys, want)
	}
}

func TestSrcArch(t *testing.T) {
	for in, want := range map[string]string{"x86_64": "x86", "i686": "x86", "aarch64": "arm64", "armv7l": "arm", "s390x": "s390", "riscv64": "riscv", "ppc64le": "powerpc", "loongarch64": "loongarch", "mips": "mips"} {
		if got := SrcArch(in); got != want {
			t.Errorf("SrcArch(%s) = %s, want %s", in, got, want)
		}
	}
}

// TestRealTreeSample reads the whole tree's programs when one is given
// (CI extracts Debian's linux-source-6.12): the sample holds the two
// programs whose asm clang 14 cannot assemble.
func TestRealTreeSample(t *testing.T) {
	dir := os.Getenv("BPFDOCTOR_KERNEL_SRC")
	if dir == "" {
		testkit.Missing(t, "a kernel tree in BPFDOCTOR_KERNEL_SRC")
		return
	}
	s, err := Open(os.DirFS(dir), dir, "x86")
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Sample(6)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 6 || !slices.Contains(got, "progs/verifier_bounds.c") || !slices.Contains(got, "progs/verifier_subreg.c") {
		t.Errorf("Sample(6) = %q", got)
	}
}

func BenchmarkSample(b *testing.B) {
	dir := os.Getenv("BPFDOCTOR_KERNEL_SRC")
	if dir == "" {
		b.Skip("no BPFDOCTOR_KERNEL_SRC")
	}
	s, err := Open(os.DirFS(dir), dir, "x86")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := s.Sample(6); err != nil {
			b.Fatal(err)
		}
	}
}
