package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"bpfdoctor": main})
}

// TestScripts runs the end-to-end scripts in testdata/script. Each script
// builds its own PATH of fake tools and its own root for /proc and /sys, so
// it sees what no real machine has: an old pahole, an llc without BPF, a
// tool that hangs or prints garbage.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("..", "..", "testdata", "script"),
		Setup: func(env *testscript.Env) error {
			// The directory holding the bpfdoctor command, so a script
			// can run it with a PATH of nothing else.
			path := env.Getenv("PATH")
			env.Setenv("BPFDOCTOR_BIN", strings.Split(path, string(os.PathListSeparator))[0])
			// The test's own PATH, for a script that builds an input with a
			// real tool before it runs bpfdoctor with fakes.
			env.Setenv("REAL_PATH", path)
			env.Setenv("NO_COLOR", "")
			return nil
		},
		RequireExplicitExec: true,
		Cmds:                map[string]func(*testscript.TestScript, bool, []string){"exits": cmdExits},
	})
}

// cmdExits runs a command and asserts its exit code: `exits 2 bpfdoctor
// --only nosuch`. The exit codes are bpfdoctor's contract with CI, so the
// scripts check the number, not just success or failure.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE command [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: bad code %q", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exits: run %s: %v", args[1], err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with %d, want %d", args[1], got, want)
	}
}
