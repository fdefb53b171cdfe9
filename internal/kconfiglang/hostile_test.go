package kconfiglang

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"github.com/bpfdoctor/bpfdoctor/internal/kconfig"
)

// A sourced Kconfig that is a FIFO, or a symlink to /dev/zero, is refused
// at once, naming it; a huge regular one is refused at its size cap.
func TestReadKconfigHostileFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "zero")); err != nil {
		t.Fatal(err)
	}
	write("huge", strings.Repeat("# comment\n", maxKconfigFile/10+1))
	for _, tt := range []struct{ src, want string }{
		{"fifo", "read Kconfig fifo: read fifo: not a regular file (a FIFO)"},
		{"zero", "read Kconfig zero: read zero: not a regular file (a character device)"},
		{"huge", "read Kconfig huge: read huge: too large: more than 4 MiB"},
	} {
		write("Kconfig", fmt.Sprintf("source %q\n", tt.src))
		done := make(chan error, 1)
		go func() { _, err := ReadKconfig(os.DirFS(dir), nil); done <- err }()
		select {
		case err := <-done:
			if err == nil || err.Error() != tt.want {
				t.Errorf("source %s: err = %v, want %q", tt.src, err, tt.want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("source %s: still reading after 10s", tt.src)
		}
	}
	// The total: files each under the cap that add up past it.
	part := []byte(strings.Repeat("# comment\n", (maxKconfigFile-1)/10))
	fsys := fstest.MapFS{}
	var top strings.Builder
	for i := 0; i <= maxKconfigTotal/len(part); i++ {
		name := fmt.Sprintf("k%d", i)
		fsys[name] = &fstest.MapFile{Data: part}
		fmt.Fprintf(&top, "source %q\n", name)
	}
	fsys["Kconfig"] = &fstest.MapFile{Data: []byte(top.String())}
	if _, err := ReadKconfig(fsys, nil); err == nil || !strings.Contains(err.Error(), "Kconfig files hold more than 64 MiB") {
		t.Errorf("total: err = %v", err)
	}
}

// Forty `X += $(X)` double X forty times: an error naming the line, not
// terabytes. The same for := chains and statements using the variable.
func TestMacroGrowthBounded(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"+= doubling", "X := a\n" + strings.Repeat("X += $(X)\n", 40), "variable X grows past 16384 bytes"},
		{":= doubling", "X := a\n" + strings.Repeat("X := $(X)$(X)\n", 40), "Kconfig:16: macro expansion exceeds 16384 calls or bytes"},
		{"= chain used", "X = a\n" + strings.Repeat("X := $(X)$(X)$(X)$(X)\n", 6) + "config A\n\tbool \"$(X)$(X)$(X)$(X)$(X)$(X)$(X)$(X)\"\n", "macro expansion exceeds"},
		{"recursive fan-out", "Y = $(1)$(1)\nX = $(Y,$(Y,$(Y,$(Y,$(Y,$(Y,$(Y,$(Y,$(Y,$(Y,$(Y,$(Y,$(Y,$(Y,$(Y,abcd)))))))))))))))\nconfig A\n\tbool \"$(X)\"\n", "Kconfig:4: macro expansion exceeds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readTreeErr(map[string]string{"Kconfig": tt.text})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "Kconfig:") {
				t.Fatalf("err = %v, want Kconfig:LINE: ...%q", err, tt.want)
			}
		})
	}
	// Ordinary use is untouched.
	k := readTree(t, map[string]string{"Kconfig": "X := a\nX += b\nY = $(X)-$(1)\nconfig A\n\tbool \"$(Y,c)\"\n"})
	if s, ok := k.Symbol("A"); !ok || s.prompts[0].text != "a b-c" {
		t.Fatalf("prompt = %+v", s)
	}
}

// hostileTree is a tree whose one wanted option depends on n symbols
// joined by ||, or is written over n continued lines.
func hostileKconfig(n int, continued bool) string {
	var b strings.Builder
	b.WriteString("config X86_64\n\tdef_bool y\nconfig A\n\tbool \"a\"\n\tdepends on S0")
	for i := 1; i < n; i++ {
		if continued {
			b.WriteString(" || \\\n\t\t")
		} else {
			b.WriteString(" || ")
		}
		fmt.Fprintf(&b, "S%d", i)
	}
	b.WriteString("\n")
	return b.String()
}

func explainHostile(tb testing.TB, text string) *kconfig.Explanation {
	fsys := fstest.MapFS{"Kconfig": &fstest.MapFile{Data: []byte(text)}}
	k, err := ReadKconfig(fsys, nil)
	if err != nil {
		tb.Fatal(err)
	}
	cfg, err := kconfig.Parse(strings.NewReader("CONFIG_X86_64=y\n"), "cfg")
	if err != nil {
		tb.Fatal(err)
	}
	set := kconfig.NewFragmentSet("t", []kconfig.Fragment{{Name: "config", Config: mustParseTB(tb, "CONFIG_A=y\n")}})
	return Explain(kconfig.Compare(cfg, set), cfg, k)
}

func mustParseTB(tb testing.TB, s string) *kconfig.Config {
	cfg, err := kconfig.Parse(strings.NewReader(s), "sample")
	if err != nil {
		tb.Fatal(err)
	}
	return cfg
}

// The 50,000-term `depends on` and 80,000 continued lines finish (they
// took minutes, quadratic in the terms); what is printed of the
// expression is clipped. No wall time is asserted: the benchmarks below
// show the growth.
func TestHostileSizesFinish(t *testing.T) {
	for _, continued := range []bool{false, true} {
		n := 50000
		if continued {
			n = 80000
		}
		x := explainHostile(t, hostileKconfig(n, continued))
		if x.Missing() != 1 {
			t.Fatalf("continued %v: %d missing", continued, x.Missing())
		}
	}
	var terms []*Expr
	for i := range 50000 {
		terms = append(terms, symExpr(fmt.Sprintf("S%d", i)))
	}
	if s := chain(opOr, terms).String(); len(s) > maxExprText+3 || !strings.HasPrefix(s, "S0 || S1 || ") || !strings.HasSuffix(s, "...") {
		t.Errorf("printed %d bytes: %.80q", len(s), s)
	}
}

// go test -bench Hostile ./internal/kconfiglang: ns/op grows about 4
// times from n to 4n (it grew 16 times, quadratic, before).
func BenchmarkHostileOr(b *testing.B) {
	for _, n := range []int{4000, 16000} {
		text := hostileKconfig(n, false)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				explainHostile(b, text)
			}
		})
	}
}

func BenchmarkHostileContinued(b *testing.B) {
	for _, n := range []int{20000, 80000} {
		text := hostileKconfig(n, true)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				explainHostile(b, text)
			}
		})
	}
}
