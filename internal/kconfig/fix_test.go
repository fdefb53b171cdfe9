package kconfig

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func fixFixture(t *testing.T) *Explanation {
	t.Helper()
	cfg := mustParse(t, "# CONFIG_MODULES is not set\nCONFIG_NR_CPUS=64\nCONFIG_UNPRIV=y\nCONFIG_LSM=\"bpf\"\n")
	set := setOf(t, "config", `CONFIG_MODULES=y
CONFIG_MODULE_SIG=y
CONFIG_TEST_BPF=m
CONFIG_NR_CPUS=128
# CONFIG_UNPRIV is not set
CONFIG_LSM="it's \"quoted\""
CONFIG_PHYSICAL_ALIGN=0x1000000
CONFIG_FONT_8x16=y
`)
	return ExplainByName(Compare(cfg, set))
}

func TestWriteFixFragment(t *testing.T) {
	x := fixFixture(t)
	var b bytes.Buffer
	if err := WriteFix(&b, x, FixFragment); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"# Written by bpfdoctor kconfig fix: what sample still needs for the BPF\n# selftests config test (config).\n",
		"# 7 of 8 wanted options missing; 8 lines, root causes first.\n",
		"#   scripts/kconfig/merge_config.sh .config THIS-FILE\n",
		"\n# CONFIG_MODULES is not set — probably hides MODULE_SIG (judged by name)\nCONFIG_MODULES=y\nCONFIG_MODULE_SIG=y\n",
		"\n# set, the selftests want them off: UNPRIV\n# CONFIG_UNPRIV is not set\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("fragment lacks %q:\n%s", want, out)
		}
	}
	// The fragment is a config fragment: it parses back to the fix.
	back, err := Parse(strings.NewReader(out), "fix")
	if err != nil {
		t.Fatal(err)
	}
	got := back.Entries()
	if len(got) != len(x.Fix) {
		t.Fatalf("parsed %d lines, the fix has %d", len(got), len(x.Fix))
	}
	for i, e := range got {
		w := x.Fix[i].Entry
		e.Line, w.Line = 0, 0
		if e != w {
			t.Errorf("line %d: %v, want %v", i, e, x.Fix[i].Entry)
		}
	}
}

func TestWriteFixNothing(t *testing.T) {
	cfg := mustParse(t, "CONFIG_BPF=y\n")
	x := ExplainByName(Compare(cfg, setOf(t, "config", "CONFIG_BPF=y\n")))
	var b bytes.Buffer
	if err := WriteFix(&b, x, FixFragment); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "# 0 of 1 wanted options missing; 0 lines") || !strings.HasSuffix(b.String(), "# Nothing to add.\n") {
		t.Errorf("empty fix:\n%s", b.String())
	}
	if err := WriteFix(&b, x, "yaml"); err == nil || err.Error() != `write fix: unknown format "yaml" (want fragment or script)` {
		t.Errorf("err = %v", err)
	}
}

// TestWriteFixScript runs the script with a scripts/config and a make that
// record their arguments, so quoting and order are checked by a shell.
func TestWriteFixScript(t *testing.T) {
	x := fixFixture(t)
	var b bytes.Buffer
	if err := WriteFix(&b, x, FixScript); err != nil {
		t.Fatal(err)
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	for name, body := range map[string]string{
		"scripts/config": `printf '%s|' "$@" >>"$LOG"; echo >>"$LOG"`,
		"bin/make":       `echo "make $*" >>"$LOG"`,
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	script := filepath.Join(dir, "fix.sh")
	if err := os.WriteFile(script, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(sh, script)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + filepath.Join(dir, "bin") + ":/usr/bin:/bin", "LOG=" + log, "KCONFIG_CONFIG=my.config"}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("script: %v\n%s\n%s", err, out, b.String())
	}
	got, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"--file|my.config|--keep-case|--undefine|MODULES|--enable|MODULES|",
		"--file|my.config|--keep-case|--undefine|MODULE_SIG|--enable|MODULE_SIG|",
		"--file|my.config|--keep-case|--undefine|NR_CPUS|--set-val|NR_CPUS|128|",
		`--file|my.config|--keep-case|--undefine|LSM|--set-str|LSM|it's "quoted"|`,
		"--file|my.config|--keep-case|--undefine|TEST_BPF|--module|TEST_BPF|",
		"--file|my.config|--keep-case|--undefine|PHYSICAL_ALIGN|--set-val|PHYSICAL_ALIGN|0x1000000|",
		"--file|my.config|--keep-case|--undefine|FONT_8x16|--enable|FONT_8x16|",
		"--file|my.config|--keep-case|--undefine|UNPRIV|--disable|UNPRIV|",
		"make olddefconfig KCONFIG_CONFIG=my.config",
		"",
	}, "\n")
	if string(got) != want {
		t.Errorf("the script ran:\n%s\nwant:\n%s", got, want)
	}
}
