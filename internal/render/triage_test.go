package render

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"
	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
)

func TestTriageGolden(t *testing.T) {
	var b bytes.Buffer
	if err := Triage(&b, sample()); err != nil {
		t.Fatal(err)
	}
	testkit.Golden(t, "triage.md", b.Bytes())
}

// TestRedact: homes as path prefixes, user and host names as path
// components (case-insensitively), host names between non-alphanumerics;
// never parts of words or kernel paths. The old text-wide replacement made
// "alice@build-07" and "malice" cases of whole words; user names are now
// left alone in prose, where they are often words.
func TestRedact(t *testing.T) {
	sec := Secrets{Hosts: []string{"build-07"}, Users: []string{"alice", "", "bpf", "kernel", "null"},
		Homes: []string{"/home/alice", "/", "/home/al"}}
	for in, want := range map[string]string{
		"llc at /home/alice/llvm/bin/llc":      "llc at ~/llvm/bin/llc",
		"/home/alice":                          "~",
		"/home/alicesmith/x":                   "/home/alicesmith/x",
		"/home/al-tools/bin and /home/al/bin":  "/home/al-tools/bin and ~/bin",
		"PATH=/home/al/bin:/usr/bin":           "PATH=~/bin:/usr/bin",
		"in /home/al.":                         "in ~.",
		"/opt/ALICE/bin/llc":                   "/opt/<user>/bin/llc",
		"/srv/Build-07/llvm":                   "/srv/<host>/llvm",
		"malice and build-070 stay":            "malice and build-070 stay",
		"kernel 6.1.0-build-07 (build-07.lan)": "kernel 6.1.0-<host> (<host>.lan)",
		"kconfig fix -o bpf-selftests.config":  "kconfig fix -o bpf-selftests.config",
		"/sys/kernel/btf/vmlinux":              "/sys/kernel/btf/vmlinux",
		"/usr/include/bpf/libbpf_version.h":    "/usr/include/bpf/libbpf_version.h",
		"the kernel has no BTF":                "the kernel has no BTF",
		"null":                                 "null",
	} {
		if got := Redact(in, sec); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

// RedactReport works on the values: the JSON stays valid whatever the
// names are, and every field that carries a path is redacted.
func TestRedactReport(t *testing.T) {
	sec := Secrets{Hosts: []string{"box"}, Users: []string{"null", "true", "status", "al"}, Homes: []string{"/home/al"}}
	rep := sample()
	rep.Kernel = "6.1.0-box"
	rep.Findings[0].Source = "/home/al/bin/llc"
	rep.Findings[0].Facts = map[string]string{"path": "/home/al/bin/llc"}
	rep.Findings[0].Details = []string{"found /opt/AL/llc"}
	rep.Findings[0].Fix = &finding.Fix{Text: "add /home/al/bin to PATH", Commands: []string{"export PATH=/home/al/bin:$PATH"}}
	orig := rep.Findings[0].Source
	red := RedactReport(rep, sec)
	if rep.Findings[0].Source != orig {
		t.Errorf("the input report was changed")
	}
	f := red.Findings[0]
	if red.Kernel != "6.1.0-<host>" || f.Source != "~/bin/llc" || f.Facts["path"] != "~/bin/llc" ||
		f.Details[0] != "found /opt/<user>/llc" || f.Fix.Text != "add ~/bin to PATH" || f.Fix.Commands[0] != "export PATH=~/bin:$PATH" {
		t.Errorf("redacted: kernel %q, finding %+v, fix %+v", red.Kernel, f, f.Fix)
	}
	var b bytes.Buffer
	if err := JSON(&b, red); err != nil {
		t.Fatal(err)
	}
	if !json.Valid(b.Bytes()) {
		t.Errorf("invalid JSON:\n%s", b.String())
	}
	if !bytes.Contains(b.Bytes(), []byte(`"status":`)) || !bytes.Contains(b.Bytes(), []byte(`"fix": null`)) {
		t.Errorf("JSON keys or values were redacted:\n%s", b.String())
	}
}
