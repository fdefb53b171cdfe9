package bpfobj

import (
	"context"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
)

// switchSource is the probe clang.pitfalls builds too.
const switchSource = SwitchProbe

// legitRodataSource is --target=bpf code that reads .rodata the way real
// programs do, none of it a switch table: a const volatile config, a
// static table, a bpf_printk-style format, a string literal and a local
// array initializer (anonymous data in .rodata.cst32).
const legitRodataSource = `
char _license[] __attribute__((section("license"), used)) = "GPL";
const volatile int cfg = 3;
static const int tbl[8] = {10, 23, 35, 41, 57, 66, 78, 90};
static long (*trace_printk)(const char *fmt, unsigned int fmt_size, ...) = (void *)6;
struct ctx { unsigned int data; };

__attribute__((section("xdp"), used))
int prog(struct ctx *c)
{
	static const char fmt[] = "hello %d\n";
	int arr[8] = {4, 8, 1, 9, 3, 7, 2, 6};
	volatile int *q = arr;

	trace_printk(fmt, sizeof(fmt), c->data);
	trace_printk("lit %d\n", 8, c->data);
	return tbl[c->data & 7] + cfg + q[c->data & 7];
}
`

// build compiles src into a BPF object and returns its path. With native,
// clang compiles for the host and llc for BPF, as
// `clang -emit-llvm -c -o - | llc -march=bpf -filetype=obj` does.
func build(t testing.TB, src string, native bool, flags ...string) string {
	t.Helper()
	testkit.Tool(t, "clang")
	if native {
		testkit.Tool(t, "llc")
	}
	dir := t.TempDir()
	c := filepath.Join(dir, "prog.c")
	testkit.WriteFile(t, c, src, 0o644)
	obj := filepath.Join(dir, "prog.o")
	if native {
		bc := filepath.Join(dir, "prog.bc")
		run(t, "clang", slices.Concat(flags, []string{"-emit-llvm", "-c", c, "-o", bc})...)
		run(t, "llc", "-march=bpf", "-filetype=obj", bc, "-o", obj)
	} else {
		run(t, "clang", slices.Concat(flags, []string{"-c", c, "-o", obj})...)
	}
	return obj
}

func run(t testing.TB, name string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %q: %v\n%s", name, args, err, out)
	}
}
