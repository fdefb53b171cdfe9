package selftests

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
)

// causeSummary is what the tests compare: key, finding, count and the
// targets each cause broke, one string per cause.
func causeSummary(cs []Cause) []string {
	var out []string
	for _, c := range cs {
		out = append(out, fmt.Sprintf("%s %s %d %s", c.Key, c.Finding, c.Count, strings.Join(c.Targets, ",")))
	}
	return out
}

const sel = "/work/ksrc/linux-source-6.12/tools/testing/selftests/bpf"

// TestCausesRealLog: the full real excerpt of a make -k on Debian 12 (clang
// 14, no ld.lld, no rst2man, a 6.18 kernel's BTF, the 6.12 tree not
// configured) shows exactly these causes and nothing unclassified.
func TestCausesRealLog(t *testing.T) {
	cs, err := Causes(strings.NewReader(testkit.ReadTestdata(t, "causes/clang14-debian12.log")))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"lld selftests.lld 1 liburandom_read.so",
		"rst2man selftests.tools 1 docs",
		"tree-kernel selftests.kernel 8 bpf_testmod.ko,bpf_test_no_cfi.ko,bpf_test_modorder_x.ko,bpf_test_modorder_y.ko",
		"vmlinux-btf selftests.vmlinux-btf 23 bpf_iter_task_vmas.bpf.o,bpf_iter_tcp4.bpf.o,bpf_iter_tcp6.bpf.o,btf_type_tag_percpu.bpf.o,connect_unix_prog.bpf.o",
		"compiler selftests.clang 9 rcu_read_lock.bpf.o,verifier_and.bpf.o,verifier_bounds.bpf.o,test_assign_reuse.skel.h",
	}
	if got := causeSummary(cs); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("causes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Three kinds of vmlinux.h mismatch, not one kind three times.
	for _, c := range cs {
		if c.Key == "vmlinux-btf" && len(c.Examples) != maxExamples {
			t.Errorf("vmlinux-btf examples: %q", c.Examples)
		}
	}
}

func TestCauses(t *testing.T) {
	for _, tc := range []struct {
		name, log string
		want      []string
	}{
		{"lld, and make's echo of it", `  LIB      liburandom_read.so
  SIGN-FILE sign-file
clang: error: invalid linker name in argument '-fuse-ld=lld'
make: *** [Makefile:275: ` + sel + `/liburandom_read.so] Error 1
  BINARY   uprobe_multi
make: Target 'all' not remade because of errors.`,
			[]string{"lld selftests.lld 1 liburandom_read.so"}},
		// Debian 12, llvm-19 first on PATH, make -j2: another compile's
		// progress line cut the "In file included from" line; the note
		// into vmlinux.h still marks a BPF program.
		{"interleaved include line, a header's clash with vmlinux.h", `In file included from progs/test_spin_lock_fail.c  CLNG-BPF [test_progs] test_stack_var_off.bpf.o
:5:
` + sel + `/bpf_experimental.h:222:12: error: conflicting types for 'bpf_path_d_path'
  222 | extern int bpf_path_d_path(struct path *path, char *buf, size_t buf__sz) __ksym;
      |            ^
` + sel + `/tools/include/vmlinux.h:135286:12: note: previous declaration is here
 135286 | extern int bpf_path_d_path(const struct path *path, char *buf, size_t buf__sz) __weak __ksym;
        |            ^
1 error generated.
make: *** [Makefile:752: ` + sel + `/test_spin_lock_fail.bpf.o] Error 1`,
			[]string{"vmlinux-btf selftests.vmlinux-btf 1 test_spin_lock_fail.bpf.o"}},
		// CI's tree after only make olddefconfig: kbuild compiles the
		// module, the kernel's generated asm headers are not there.
		{"a test module against an unprepared tree", `  MOD      bpf_testmod.ko
  CC [M]  ` + sel + `/bpf_testmod/bpf_testmod.o
In file included from ./include/linux/types.h:6,
                 from ./include/uapi/linux/bpf.h:11,
                 from ./include/linux/bpf.h:7,
                 from ` + sel + `/bpf_testmod/bpf_testmod.c:3:
./include/uapi/linux/types.h:5:10: fatal error: asm/types.h: No such file or directory
    5 | #include <asm/types.h>
      |          ^~~~~~~~~~~~~
compilation terminated.
make[3]: *** [scripts/Makefile.build:234: ` + sel + `/bpf_testmod/bpf_testmod.o] Error 1
make[3]: Target '` + sel + `/bpf_testmod/' not remade because of errors.
make[2]: *** [Makefile:2008: ` + sel + `/bpf_testmod] Error 2
make[1]: *** [Makefile:16: all] Error 2
make: *** [Makefile:299: ` + sel + `/bpf_testmod.ko] Error 2
  CLNG-BPF [test_progs] atomics.bpf.o`,
			[]string{"tree-kernel selftests.kernel 1 bpf_testmod.ko"}},
		{"rst2man", `Makefile.docs:76: *** "rst2man not found, but required to generate man pages".  Stop.
make: *** [Makefile:393: docs] Error 2`,
			[]string{"rst2man selftests.tools 1 docs"}},
		{"the tree's kernel, its sub-makes' lines echoes", `  MOD      bpf_testmod.ko

  ERROR: Kernel configuration is invalid.
         include/generated/autoconf.h or include/config/auto.conf are missing.
         Run 'make oldconfig && make prepare' on kernel src to fix it.

make[2]: *** [Makefile:810: include/config/auto.conf] Error 1
make[2]: Failed to remake makefile 'include/config/auto.conf'.
***
*** The present kernel disabled CONFIG_MODULES.
*** You cannot build or install external modules.
***
make[2]: *** [Makefile:1905: __external_modules_error] Error 1
make[2]: Target 'modules' not remade because of errors.
make[1]: *** [Makefile:16: all] Error 2
make: *** [Makefile:299: ` + sel + `/bpf_testmod.ko] Error 2`,
			[]string{"tree-kernel selftests.kernel 2 bpf_testmod.ko"}},
		{"two module builds at once: the second make line is an echo too", `  ERROR: Kernel configuration is invalid.
  ERROR: Kernel configuration is invalid.
make[1]: *** [Makefile:16: all] Error 2
make[1]: *** [Makefile:15: all] Error 2
make: *** [Makefile:299: ` + sel + `/bpf_testmod.ko] Error 2
make: *** [Makefile:305: ` + sel + `/bpf_test_no_cfi.ko] Error 2`,
			[]string{"tree-kernel selftests.kernel 2 bpf_testmod.ko,bpf_test_no_cfi.ko"}},
		{"a kfunc declared otherwise in vmlinux.h", `In file included from progs/connect_unix_prog.c:9:
` + sel + `/bpf_kfuncs.h:72:24: error: conflicting types for 'bpf_lookup_user_key'
extern struct bpf_key *bpf_lookup_user_key(__u32 serial, __u64 flags) __ksym;
                       ^
` + sel + `/tools/include/vmlinux.h:135279:24: note: previous declaration is here
extern struct bpf_key *bpf_lookup_user_key(s32 serial, u64 flags) __weak __ksym;
                       ^
1 error generated.
make: *** [Makefile:752: ` + sel + `/connect_unix_prog.bpf.o] Error 1`,
			[]string{"vmlinux-btf selftests.vmlinux-btf 1 connect_unix_prog.bpf.o"}},
		{"a member turned const: -Werror, but the type is vmlinux.h's", `progs/bpf_iter_task_vmas.c:52:14: error: passing 'const struct path *' to parameter of type 'struct path *' discards qualifiers [-Werror,-Wincompatible-pointer-types-discards-qualifiers]
                bpf_d_path(&file->f_path, d_path_buf, D_PATH_BUF_SIZE);
                           ^~~~~~~~~~~~~
1 error generated.
make: *** [Makefile:752: ` + sel + `/bpf_iter_task_vmas.bpf.o] Error 1`,
			[]string{"vmlinux-btf selftests.vmlinux-btf 1 bpf_iter_task_vmas.bpf.o"}},
		// Not from a log: a message btfRe does not know, blamed on
		// vmlinux.h by its note alone.
		{"a note into vmlinux.h", `progs/x.c:5:3: error: incompatible pointer types passing 'struct foo *' to parameter of type 'struct bar *' [-Werror,-Wincompatible-pointer-types]
        f(p);
          ^
` + sel + `/tools/include/vmlinux.h:100:12: note: passing argument to parameter 'b' here
1 error generated.
make: *** [Makefile:752: ` + sel + `/x.bpf.o] Error 1`,
			[]string{"vmlinux-btf selftests.vmlinux-btf 1 x.bpf.o"}},
		{"one compile, two causes: both broke the target", `  CLNG-BPF [test_progs] rcu_read_lock.bpf.o
progs/rcu_read_lock.c:22:17: error: conflicting types for 'bpf_lookup_user_key'
struct bpf_key *bpf_lookup_user_key(__u32 serial, __u64 flags) __ksym;
                ^
` + sel + `/tools/include/vmlinux.h:135279:24: note: previous declaration is here
extern struct bpf_key *bpf_lookup_user_key(s32 serial, u64 flags) __weak __ksym;
                       ^
progs/rcu_read_lock.c:382:15: error: variable 'ret' set but not used [-Werror,-Wunused-but-set-variable]
        volatile int ret = 0;
                     ^
progs/rcu_read_lock.c:406:15: error: variable 'ret' set but not used [-Werror,-Wunused-but-set-variable]
        volatile int ret = 0;
                     ^
3 errors generated.
make: *** [Makefile:752: ` + sel + `/rcu_read_lock.bpf.o] Error 1`,
			[]string{"vmlinux-btf selftests.vmlinux-btf 1 rcu_read_lock.bpf.o", "compiler selftests.clang 2 rcu_read_lock.bpf.o"}},
		{"inline asm the assembler does not know", `progs/verifier_bounds.c:1230:15: error: invalid operand for instruction
        asm volatile("                  \
                     ^
<inline asm>:1:32: note: instantiated into assembly here
                                        call 7;         w3 = w0;                                w6 = (s8)w0;
                                                                                                     ^
1 error generated.
make: *** [Makefile:757: ` + sel + `/no_alu32/verifier_bounds.bpf.o] Error 1`,
			[]string{"compiler selftests.clang 1 no_alu32/verifier_bounds.bpf.o"}},
		{"memcmp left as a call, bpftool's link failing", `  GEN-SKEL [test_progs] test_assign_reuse.skel.h
libbpf: failed to find BTF info for global/extern symbol 'memcmp'
Error: failed to link '` + sel + `/test_assign_reuse.bpf.o': No such file or directory (2)
make: *** [Makefile:755: ` + sel + `/test_assign_reuse.skel.h] Error 254
  GEN-SKEL [test_progs] test_attach_kprobe_sleepable.skel.h`,
			[]string{"compiler selftests.clang 1 test_assign_reuse.skel.h"}},
		// Debian 12, llvm-19 first on PATH, make -j2 (from the lead's
		// run): another compile's progress line cut the "In file included
		// from" line; put back together, the program is known.
		{"a progress line written into the include line", `In file included from progs/test_spin_lock_fail.c  CLNG-BPF [test_progs] test_stack_var_off.bpf.o
:5:
` + sel + `/bpf_experimental.h:222:12: error: conflicting types for 'bpf_path_d_path'
  222 | extern int bpf_path_d_path(struct path *path, char *buf, size_t buf__sz) __ksym;
      |            ^
` + sel + `/tools/include/vmlinux.h:135286:12: note: previous declaration is here
 135286 | extern int bpf_path_d_path(const struct path *path, char *buf, size_t buf__sz) __weak __ksym;
        |            ^
1 error generated.
make: *** [Makefile:752: ` + sel + `/test_spin_lock_fail.bpf.o] Error 1`,
			[]string{"vmlinux-btf selftests.vmlinux-btf 1 test_spin_lock_fail.bpf.o"}},
		// Real, from a make -j2 of linux-source-6.12 in /work/ksrc2.
		{"make's line written into the middle of clang's", `In file included from progs/verifier_vfs_reject.c:10:
/work/ksrc2/linux-source-6.12/tools/testing/selftests/bpf/bpf_experimental.h:222:12: error: conflicting types for 'bpf_path_d_path'
extern int bpf_path_d_path(struct path *path, char *buf, size_t buf__sz) __ksym;
           ^
/work/ksrc2/linux-source-6.12/tools/testing/selftests/bpf/tools/include/vmlinux.h:135286:12: note: previous declaration is here
extern int bpf_path_d_path(const struct path *path, char *buf, size_t buf__sz) __weak __ksym;
           ^
1 error generated.
In file included from make: *** [Makefile:752: /work/ksrc2/linux-source-6.12/tools/testing/selftests/bpf/verifier_vfs_reject.bpf.o] Error 1
progs/verifier_vfs_accept.c:9:
/work/ksrc2/linux-source-6.12/tools/testing/selftests/bpf/bpf_experimental.h:222:12: error: conflicting types for 'bpf_path_d_path'
extern int bpf_path_d_path(struct path *path, char *buf, size_t buf__sz) __ksym;
           ^
/work/ksrc2/linux-source-6.12/tools/testing/selftests/bpf/tools/include/vmlinux.h:135286:12: note: previous declaration is here
extern int bpf_path_d_path(const struct path *path, char *buf, size_t buf__sz) __weak __ksym;
           ^
  CLNG-BPF [test_progs] verifier_xadd.bpf.o
progs/verifier_vfs_accept.c:79:7: error: assigning to 'struct path *' from 'const struct path *' discards qualifiers [-Werror,-Wincompatible-pointer-types-discards-qualifiers]
        path = &file->f_path;
             ^ ~~~~~~~~~~~~~
2 errors generated.
make: *** [Makefile:752: /work/ksrc2/linux-source-6.12/tools/testing/selftests/bpf/verifier_vfs_accept.bpf.o] Error 1`,
			[]string{"vmlinux-btf selftests.vmlinux-btf 3 verifier_vfs_reject.bpf.o,verifier_vfs_accept.bpf.o"}},
		// Not from a log: the include line lost, the note into vmlinux.h
		// still marks a BPF compile.
		{"no include line, a note into vmlinux.h", sel + `/bpf_experimental.h:222:12: error: conflicting types for 'bpf_path_d_path'
` + sel + `/tools/include/vmlinux.h:135286:12: note: previous declaration is here
1 error generated.`,
			[]string{"vmlinux-btf selftests.vmlinux-btf 1 "}},
		{"two compiles failing at once, their make lines after", `progs/a.c:1:1: error: invalid operand for instruction
progs/b.c:2:2: error: no member named 'x' in 'struct y'
1 error generated.
make: *** [Makefile:752: ` + sel + `/a.bpf.o] Error 1
make: *** [Makefile:752: ` + sel + `/b.bpf.o] Error 1`,
			[]string{"compiler selftests.clang 1 a.bpf.o", "vmlinux-btf selftests.vmlinux-btf 1 b.bpf.o"}},
		// gcc's and the linker's wording, from running them.
		{"a missing user-space header", `  CC      ` + sel + `/tools/build/libbpf/staticobjs/libbpf.o
libbpf.c:36:10: fatal error: gelf.h: No such file or directory
   36 | #include <gelf.h>
      |          ^~~~~~~~
compilation terminated.
make[4]: *** [` + sel + `/tools/build/libbpf/staticobjs/libbpf.o] Error 1
make: *** [Makefile:370: ` + sel + `/tools/build/libbpf/libbpf.a] Error 2`,
			[]string{"lib:libelf selftests.libs 1 tools/build/libbpf/libbpf.a"}},
		{"clang's wording of a missing header", `prog_tests/cap.c:3:10: fatal error: 'sys/capability.h' file not found
1 error generated.
make: *** [Makefile:700: ` + sel + `/cap.test.o] Error 1`,
			[]string{"lib:libcap selftests.libs 1 cap.test.o"}},
		{"a library the linker cannot find", `/usr/bin/ld: cannot find -lelf: No such file or directory
collect2: error: ld returned 1 exit status
make: *** [Makefile:688: ` + sel + `/test_progs] Error 1`,
			[]string{"lib:libelf selftests.libs 1 test_progs"}},
		{"pkg-config", `Package zlib was not found in the pkg-config search path.
Perhaps you should add the directory containing ` + "`zlib.pc'" + `
to the PKG_CONFIG_PATH environment variable
Package 'zlib', required by 'virtual:world', not found`,
			[]string{"lib:zlib selftests.libs 1 "}},
		{"python3, env's and sh's wording", `/usr/bin/env: ‘python3’: No such file or directory
make[1]: *** [Makefile:201: ` + sel + `/tools/build/libbpf/bpf_helper_defs.h] Error 127
/bin/sh: 1: python3: not found`,
			[]string{"python3 selftests.tools 2 "}},
		{"pahole", `/bin/sh: 1: pahole: not found`, []string{"pahole selftests.tools 1 "}},
		{"a user-space error no rule knows", `prog_tests/foo.c:3:1: error: unknown type name 'x'
1 error generated.
make: *** [Makefile:700: ` + sel + `/foo.test.o] Error 1`,
			[]string{"unclassified  1 foo.test.o"}},
		{"a make failure with nothing above it", `  BINARY   test_progs
make: *** [Makefile:688: ` + sel + `/test_progs] Error 139`,
			[]string{"unclassified  1 test_progs"}},
		{"a make failure too far below a cause to be its echo", "clang: error: invalid linker name in argument '-fuse-ld=lld'\n" +
			strings.Repeat("  CC       x.o\n", echoWindow+1) +
			"make: *** [Makefile:1: " + sel + "/y] Error 1",
			[]string{"lld selftests.lld 1 ", "unclassified  1 y"}},
		{"a compile's failure is not another file's echo", `progs/a.c:1:1: error: invalid operand for instruction
1 error generated.
make: *** [Makefile:752: ` + sel + `/b.bpf.o] Error 1`,
			[]string{"compiler selftests.clang 1 ", "unclassified  1 b.bpf.o"}},
		{"a makefile's own error", `Makefile:237: *** Cannot find a vmlinux for VMLINUX_BTF at any of "a b".  Stop.
Makefile:9: *** something else.  Stop.`,
			[]string{"vmlinux-btf selftests.vmlinux-btf 1 ", "unclassified  1 "}},
		{"a clean build", `  BINARY   test_progs
make: Leaving directory '` + sel + `'`, nil},
		{"CRLF line ends", "clang: error: invalid linker name in argument '-fuse-ld=lld'\r\nmake: *** [Makefile:275: x.so] Error 1\r\n",
			[]string{"lld selftests.lld 1 x.so"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs, err := Causes(strings.NewReader(tc.log))
			if err != nil {
				t.Fatal(err)
			}
			if got := causeSummary(cs); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("causes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// TestCausesBounded: a line of megabytes is clipped, many lines of one
// cause keep a few examples, many distinct lib names fold into
// Unclassified past maxCauses.
func TestCausesBounded(t *testing.T) {
	var log bytes.Buffer
	log.WriteString("clang: error: invalid linker name in argument '-fuse-ld=lld' " + strings.Repeat("x", 4<<20) + "\n")
	for i := range 1000 {
		fmt.Fprintf(&log, "progs/p%d.c:1:1: error: conflicting types for 'f%d'\n", i, i)
		fmt.Fprintf(&log, "/usr/bin/ld: cannot find -lx%d\n", i)
	}
	cs, err := Causes(&log)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != maxCauses {
		t.Errorf("%d causes, want %d", len(cs), maxCauses)
	}
	for _, c := range cs {
		if len(c.Example) > exampleLen+3 || len(c.Examples) > maxExamples || len(c.Targets) > maxTargets {
			t.Errorf("%s: example %d bytes, %d examples, %d targets", c.Key, len(c.Example), len(c.Examples), len(c.Targets))
		}
	}
	if cs[0].Key != "lld" || cs[len(cs)-1].Key != Unclassified {
		t.Errorf("first %s, last %s", cs[0].Key, cs[len(cs)-1].Key)
	}
}

func TestCausesReadError(t *testing.T) {
	_, err := Causes(io.MultiReader(strings.NewReader("a\n"), iotest.ErrReader(io.ErrUnexpectedEOF)))
	if err == nil || !strings.Contains(err.Error(), "read make log") {
		t.Errorf("err = %v", err)
	}
}

func FuzzCauses(f *testing.F) {
	f.Add(testkit.ReadTestdata(f, "causes/clang14-debian12.log")[:8000])
	f.Add("In file included from progs/a.c:1:\nvmlinux.h:1:1: error: x\nmake: *** [a:1: b] Error 1\n")
	f.Add("make[1]: *** [] Error 1\nmake: *** [Makefile:1: ] Error 2\n")
	f.Fuzz(func(t *testing.T, log string) {
		cs, err := Causes(strings.NewReader(log))
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) > maxCauses {
			t.Fatalf("%d causes", len(cs))
		}
		for _, c := range cs {
			if c.Count < 1 || len(c.Example) > exampleLen+3 || len(c.Examples) > maxExamples || len(c.Targets) > maxTargets {
				t.Fatalf("unbounded cause %+v", c)
			}
			if (c.Key == Unclassified) != (c.Finding == "") {
				t.Fatalf("key %s, finding %q", c.Key, c.Finding)
			}
		}
	})
}
