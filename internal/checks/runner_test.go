package checks

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"
	"github.com/bpfdoctor/bpfdoctor/internal/testkit"

	"github.com/bpfdoctor/bpfdoctor/internal/host"
)

// fakeHost is the machine the checks' tests run on: the tools as shell
// scripts alone on PATH, an empty root, an unprivileged user, and a
// timeout that a loaded CI machine meets.
func fakeHost(t *testing.T, tools map[string]string) *host.Host {
	t.Helper()
	return testkit.Fake{Tools: tools, UID: 1000, Timeout: 10 * time.Second}.Host(t)
}

func TestRunPanicBecomesError(t *testing.T) {
	e := NewEnv(fakeHost(t, nil))
	cs := []Check{
		{ID: "t.panics", Area: "t", Title: "panics", Run: func(context.Context, *Env) finding.Finding {
			var m map[string]int
			m["x"]++ //nolint:staticcheck // SA5000: a real nil-map panic, not a panic(string), is the point
			return finding.Finding{}
		}},
		{ID: "t.fine", Area: "t", Title: "fine", Run: func(context.Context, *Env) finding.Finding { return finding.Result(finding.Pass, "ok") }},
	}
	got := Run(context.Background(), e, cs)
	if got[0].Status != finding.Error || !strings.Contains(got[0].Message, "check t.panics crashed: assignment to entry in nil map") {
		t.Errorf("panicking check: got %v %q", got[0].Status, got[0].Message)
	}
	if got[0].ID != "t.panics" || got[0].Area != "t" {
		t.Errorf("panicking check lost its identity: %+v", got[0])
	}
	if got[1].Status != finding.Pass || got[1].ID != "t.fine" {
		t.Errorf("other check: got %+v", got[1])
	}
}

// A hanging tool and a check that ignores its context must not hold the
// run past the deadline plus Grace, and every other check still reports.
func TestRunHangIsBounded(t *testing.T) {
	h := fakeHost(t, map[string]string{"llc": "/bin/sleep 30 &\n/bin/sleep 30"})
	h.Timeout = 500 * time.Millisecond
	e := NewEnv(h)
	block := make(chan struct{})
	defer close(block)
	cs := []Check{
		{ID: "t.stuck", Area: "t", Title: "stuck", Run: func(context.Context, *Env) finding.Finding { <-block; return finding.Finding{} }},
		{ID: "t.fine", Area: "t", Title: "fine", Run: func(context.Context, *Env) finding.Finding { return finding.Result(finding.Pass, "ok") }},
	}
	llc, _ := Select(All(), []string{"llvm"}, nil)
	cs = append(cs, llc...)
	start := time.Now()
	got := Run(context.Background(), e, cs)
	if el := time.Since(start); el > h.Timeout+time.Second {
		t.Errorf("run took %s, want at most %s", el, h.Timeout+time.Second)
	}
	byID := map[string]finding.Finding{}
	for _, f := range got {
		byID[f.ID] = f
	}
	if f := byID["t.stuck"]; f.Status != finding.Error || !strings.Contains(f.Message, "t.stuck did not finish within 1.25s") {
		t.Errorf("stuck check: %v %q", f.Status, f.Message)
	}
	if f := byID["t.fine"]; f.Status != finding.Pass {
		t.Errorf("fine check: %v %q", f.Status, f.Message)
	}
	if f := byID["llvm.llc"]; f.Status != finding.Error || !strings.Contains(f.Message, "`llc --version` did not finish within 500ms and was killed") {
		t.Errorf("llvm.llc: %v %q", f.Status, f.Message)
	}
}

func TestSelect(t *testing.T) {
	all := All()
	tests := []struct {
		name       string
		only, skip []string
		wantN      int
		wantErr    string
	}{
		{name: "all", wantN: len(all)},
		{name: "one area", only: []string{"pahole"}, wantN: 3},
		{name: "skip one", only: []string{"pahole"}, skip: []string{"pahole.kernel"}, wantN: 2},
		{name: "bad area", only: []string{"llvmm"}, wantErr: `unknown area "llvmm"`},
		{name: "bad id", skip: []string{"pahole.nope"}, wantErr: `unknown check "pahole.nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Select(all, tt.only, tt.skip)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || len(got) != tt.wantN {
				t.Fatalf("got %d checks, err %v; want %d", len(got), err, tt.wantN)
			}
		})
	}
}

// IDs are a contract with CI: unique, dotted, prefixed by their area.
func TestIDsStable(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range All() {
		if seen[c.ID] {
			t.Errorf("duplicate ID %s", c.ID)
		}
		seen[c.ID] = true
		if !strings.HasPrefix(c.ID, c.Area+".") || c.Title == "" || c.Looks == "" || c.Run == nil {
			t.Errorf("check %q is incomplete: %+v", c.ID, c)
		}
		if !slices.ContainsFunc(finding.Areas, func(a finding.Area) bool { return a.Name == c.Area }) {
			t.Errorf("check %s has an area that is not in Areas: %s", c.ID, c.Area)
		}
	}
}
