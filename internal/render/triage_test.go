package render

import (
	"bytes"
	"testing"

	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
)

func TestTriageGolden(t *testing.T) {
	var b bytes.Buffer
	if err := Triage(&b, sample()); err != nil {
		t.Fatal(err)
	}
	testkit.Golden(t, "triage.md", b.Bytes())
}

func TestRedact(t *testing.T) {
	sec := Secrets{Hosts: []string{"build-07"}, Users: []string{"alice", ""}, Homes: []string{"/home/alice", "/"}}
	for in, want := range map[string]string{
		"llc at /home/alice/llvm/bin/llc":      "llc at ~/llvm/bin/llc",
		"/home/alice":                          "~",
		"/home/alicesmith/x":                   "/home/alicesmith/x",
		"alice@build-07:~$":                    "<user>@<host>:~$",
		"malice and build-070 stay":            "malice and build-070 stay",
		"kernel 6.1.0-build-07 (build-07.lan)": "kernel 6.1.0-<host> (<host>.lan)",
	} {
		if got := Redact(in, sec); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}
