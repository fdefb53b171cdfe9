package host

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func tools(t *testing.T, scripts map[string]string) *Host {
	t.Helper()
	bin := t.TempDir()
	for name, body := range scripts {
		if err := os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return &Host{Root: t.TempDir(), Path: []string{bin}, Timeout: 5 * time.Second}
}

func TestRun(t *testing.T) {
	h := tools(t, map[string]string{
		"ok":      "echo out; echo err >&2",
		"fails":   "echo; echo '  first\tline  ' >&2; echo second >&2; exit 3",
		"silent":  "exit 4",
		"killed":  "kill -9 $$",
		"garbage": `printf '\001\033[31mred\n'; printf '\001\033[31mred\n' >&2; exit 1`,
	})
	tests := []struct {
		name    string
		wantOut string
		wantErr string
	}{
		{"ok", "out\n", ""},
		{"fails", "\n", "`fails` exited with status 3: first line"},
		{"silent", "", "`silent` exited with status 4"},
		{"killed", "", "run `killed`: signal: killed"},
		{"garbage", "\x01\x1b[31mred\n", "`garbage` exited with status 1: ??[31mred"},
		{"missing", "", `exec: "missing": executable file not found in $PATH`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := h.Run(context.Background(), tt.name)
			if string(out.Stdout) != tt.wantOut {
				t.Errorf("stdout = %q, want %q", out.Stdout, tt.wantOut)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("err = %v", err)
			case tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr):
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
	if _, err := h.Run(context.Background(), "missing"); !NotFound(err) {
		t.Errorf("NotFound(%v) = false", err)
	}
}

// The deadline kills the whole process group: a grandchild holding the
// pipes open must not keep Run waiting.
func TestRunTimeoutKillsGroup(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	h := tools(t, map[string]string{"hang": "/bin/sleep 30 &\necho $! > " + pidFile + "\n/bin/sleep 30"})
	h.Timeout = 300 * time.Millisecond
	start := time.Now()
	_, err := h.Run(context.Background(), "hang", "--version")
	if el := time.Since(start); el > h.Timeout+time.Second {
		t.Errorf("Run took %s", el)
	}
	var ce *CmdError
	if !errors.As(err, &ce) || !ce.TimedOut {
		t.Fatalf("err = %v, want a timeout", err)
	}
	if want := "`hang --version` did not finish within 300ms and was killed"; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
	waitGone(t, pidFile)
}

// waitGone waits until the process whose pid a tool wrote to pidFile is
// gone (or a zombie about to be reaped by init), and fails the test if it
// outlives two seconds.
func waitGone(t *testing.T, pidFile string) {
	t.Helper()
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for syscall.Kill(pid, 0) == nil && !isZombie(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("grandchild %d still running after the deadline", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func isZombie(pid int) bool {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return true
	}
	f := strings.Fields(string(b))
	return len(f) > 2 && f[2] == "Z"
}

func TestRunCapsOutput(t *testing.T) {
	h := tools(t, map[string]string{"flood": "/usr/bin/yes"})
	h.Timeout = 500 * time.Millisecond
	out, err := h.Run(context.Background(), "flood")
	if err == nil {
		t.Fatal("want the timeout")
	}
	if len(out.Stdout) > maxOutput {
		t.Errorf("kept %d bytes, cap is %d", len(out.Stdout), maxOutput)
	}
}

func TestRoot(t *testing.T) {
	h := tools(t, nil)
	if err := os.MkdirAll(filepath.Join(h.Root, "proc/sys/kernel"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(h.Root, "proc/sys/kernel/osrelease"), []byte("6.1.0-test\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r, err := h.Release(); err != nil || r != "6.1.0-test" {
		t.Errorf("Release = %q, %v", r, err)
	}
	_, err := h.ReadFile("/etc/os-release")
	if err == nil || err.Error() != "open /etc/os-release: no such file or directory" {
		t.Errorf("error names the temporary root or is wrong: %v", err)
	}
	os.MkdirAll(filepath.Join(h.Root, "usr/lib/llvm-14/bin"), 0o755)
	os.MkdirAll(filepath.Join(h.Root, "usr/lib/llvm-19/bin"), 0o755)
	got, err := h.Glob("/usr/lib/llvm-*/bin")
	if err != nil || strings.Join(got, " ") != "/usr/lib/llvm-14/bin /usr/lib/llvm-19/bin" {
		t.Errorf("Glob = %v, %v", got, err)
	}
	if h.Abs("/x") != filepath.Join(h.Root, "x") || Real().Abs("/x") != "/x" {
		t.Errorf("Abs maps wrongly")
	}
}

func TestLookAll(t *testing.T) {
	h := tools(t, map[string]string{"llc-14": "", "llc-19": "", "llc": ""})
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "llc-19"), []byte("#!/bin/sh\n"), 0o755)
	os.WriteFile(filepath.Join(other, "llc-20"), []byte("not executable"), 0o644)
	h.Path = append(h.Path, other)
	var names []string
	for _, p := range h.LookAll("llc-*") {
		names = append(names, filepath.Base(filepath.Dir(p))+"/"+filepath.Base(p))
	}
	// llc-19 from the first directory only; llc-20 is not executable.
	if len(names) != 2 || !strings.HasSuffix(names[0], "/llc-14") || !strings.HasSuffix(names[1], "/llc-19") || !strings.HasPrefix(names[1], filepath.Base(h.Path[0])) {
		t.Errorf("LookAll = %v", names)
	}
}

func TestFirstLine(t *testing.T) {
	for in, want := range map[string]string{
		"":                       "",
		"\n\n  x  \ny":           "x",
		"a\x00b":                 "a?b",
		"\xff\xfe":               "?", // a run of invalid bytes is one mark
		strings.Repeat("z", 200): strings.Repeat("z", 157) + "...",
	} {
		if got := FirstLine([]byte(in)); got != want {
			t.Errorf("FirstLine(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestGetenv(t *testing.T) {
	t.Setenv("BPFDOCTOR_TEST_GETENV", "process")
	for _, tc := range []struct {
		env  []string
		want string
	}{
		{nil, "process"},
		{[]string{"BPFDOCTOR_TEST_GETENV=a", "X=1", "BPFDOCTOR_TEST_GETENV=b"}, "b"},
		{[]string{"X=1"}, ""},
		{[]string{"BPFDOCTOR_TEST_GETENVX=no"}, ""},
	} {
		if got := (&Host{Env: tc.env}).Getenv("BPFDOCTOR_TEST_GETENV"); got != tc.want {
			t.Errorf("Getenv with Env %q = %q, want %q", tc.env, got, tc.want)
		}
	}
}
