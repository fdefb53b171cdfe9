package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/bpfdoctor/bpfdoctor/internal/testkit"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"
)

// sample is a fixed run with every status, a fix, details and a source.
func sample() Report {
	return Report{
		Version: "1.2.3",
		OS:      "Debian GNU/Linux 12 (bookworm)",
		Kernel:  "6.1.0-test",
		Findings: []finding.Finding{
			{ID: "llvm.llc", Area: "llvm", Title: "llc", Status: finding.Pass, Message: "llc 14.0.6 (Debian) at /usr/bin/llc",
				Details: []string{"Optimized build."}, Source: "/usr/bin/llc --version", Duration: 12 * time.Millisecond,
				Facts: map[string]string{"version": "14.0.6"}},
			{ID: "llvm.bpf-targets", Area: "llvm", Title: "BPF back end", Status: finding.Fail,
				Message: "llc 21.1.8 lacks the BPF back end (missing: bpf, bpfel, bpfeb)",
				Fix:     &finding.Fix{Text: "Use an LLVM built with BPF.", Commands: []string{"sudo apt-get install -y llvm", "bpfdoctor bootstrap llvm"}}},
			{ID: "kernel.bpffs", Area: "kernel", Title: "bpffs", Status: finding.Warn, Message: "no bpf file system at /sys/fs/bpf",
				Fix: &finding.Fix{Text: "Mount it.", Commands: []string{"sudo mount -t bpf bpf /sys/fs/bpf"}}},
			{ID: "kernel.config", Area: "kernel", Title: "kernel config", Status: finding.Error, Message: "no kernel config found"},
			{ID: "kernel.memlock", Area: "kernel", Title: "memlock limit", Status: finding.Skip, Message: "not needed since 5.11"},
		},
	}
}

func TestTextGolden(t *testing.T) {
	for _, tt := range []struct {
		name string
		o    Options
	}{
		{"report.txt", Options{}},
		{"report-verbose.txt", Options{Verbose: true}},
		{"report-color.txt", Options{Color: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Text(&b, sample(), tt.o); err != nil {
				t.Fatal(err)
			}
			testkit.Golden(t, tt.name, b.Bytes())
		})
	}
}

func TestTextNoColorHasNoEscapes(t *testing.T) {
	var b bytes.Buffer
	if err := Text(&b, sample(), Options{Verbose: true}); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b.Bytes(), []byte("\x1b[")) {
		t.Errorf("colour escape in uncoloured output:\n%q", b.String())
	}
}

func TestJSON(t *testing.T) {
	var b bytes.Buffer
	if err := JSON(&b, sample()); err != nil {
		t.Fatal(err)
	}
	testkit.Golden(t, "report.json", b.Bytes())

	var doc struct {
		SchemaVersion int            `json:"schema_version"`
		Summary       map[string]int `json:"summary"`
		Findings      []map[string]any
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("invalid JSON: %v", err)
	}
	if doc.SchemaVersion != 1 || len(doc.Findings) != 5 {
		t.Fatalf("schema_version %d, %d findings", doc.SchemaVersion, len(doc.Findings))
	}
	if doc.Summary["fail"] != 1 || doc.Summary["warn"] != 1 || doc.Summary["pass"] != 1 || doc.Summary["error"] != 1 || doc.Summary["skip"] != 1 {
		t.Errorf("summary = %v", doc.Summary)
	}
	for _, f := range doc.Findings {
		for _, k := range []string{"id", "area", "status", "message", "fix"} {
			if _, ok := f[k]; !ok {
				t.Errorf("finding %v has no %q", f["id"], k)
			}
		}
	}
	if s := doc.Findings[1]["status"]; s != "fail" {
		t.Errorf("status = %v, want the lowercase word", s)
	}
}

func TestWriteUnknownFormat(t *testing.T) {
	err := Write(&bytes.Buffer{}, "yaml", sample(), Options{})
	if err == nil || !strings.Contains(err.Error(), `unknown format "yaml"`) {
		t.Fatalf("err = %v", err)
	}
}

// TestTextAreaMark: the area's heading shows its worst status, but a skip
// (a check that did not apply) never outranks a pass.
func TestTextAreaMark(t *testing.T) {
	for _, tt := range []struct {
		name     string
		statuses []finding.Status
		want     string
	}{
		{"all pass", []finding.Status{finding.Pass, finding.Pass}, "[✓] Running kernel"},
		{"passes and one skip", []finding.Status{finding.Pass, finding.Skip, finding.Pass}, "[✓] Running kernel"},
		{"skip first", []finding.Status{finding.Skip, finding.Pass}, "[✓] Running kernel"},
		{"all skip", []finding.Status{finding.Skip, finding.Skip}, "[-] Running kernel"},
		{"one skip", []finding.Status{finding.Skip}, "[-] Running kernel"},
		{"skip and warn", []finding.Status{finding.Skip, finding.Warn}, "[!] Running kernel"},
		{"pass skip error", []finding.Status{finding.Pass, finding.Skip, finding.Error}, "[?] Running kernel"},
		{"fail wins", []finding.Status{finding.Fail, finding.Skip, finding.Warn, finding.Pass}, "[✗] Running kernel"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var r Report
			for i, st := range tt.statuses {
				r.Findings = append(r.Findings, finding.Finding{ID: "kernel.c" + string(rune('a'+i)), Area: "kernel", Title: "c", Status: st, Message: "m"})
			}
			var b bytes.Buffer
			if err := Text(&b, r, Options{}); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(b.String(), "\n"+tt.want+"\n") {
				t.Errorf("heading: want %q in\n%s", tt.want, b.String())
			}
		})
	}
}
