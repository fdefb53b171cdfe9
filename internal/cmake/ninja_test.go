package cmake

import (
	"strings"
	"testing"

	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
)

func TestParseNinjaStatus(t *testing.T) {
	tests := []struct {
		line string
		want Status
		ok   bool
	}{
		{"[1/8] Building CXX object lib/Support/S02.cpp.o", Status{1, 8, "Building CXX object lib/Support/S02.cpp.o"}, true},
		{"[4123/4123] Linking CXX executable bin/clang-23", Status{4123, 4123, "Linking CXX executable bin/clang-23"}, true},
		{"[0/1] Re-running CMake...", Status{0, 1, "Re-running CMake..."}, true},
		{"[3/3]", Status{3, 3, ""}, true},
		{"[9/8] more done than total", Status{}, false},
		{"[1/0] no total", Status{}, false},
		{"[ 45%] Building C object", Status{}, false}, // make's format
		{"[-1/8] x", Status{}, false},
		{"[99999999999999/99999999999999] too long", Status{}, false},
		{"FAILED: CMakeFiles/x.o", Status{}, false},
		{"ninja: no work to do.", Status{}, false},
		{"  [1/2] indented", Status{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseNinjaStatus(tt.line)
		if ok != tt.ok || got != tt.want {
			t.Errorf("ParseNinjaStatus(%q) = %+v, %v; want %+v, %v", tt.line, got, ok, tt.want, tt.ok)
		}
	}
}

// Output captured from ninja 1.11.1 (Debian 12) building a small cmake
// project with NINJA_STATUS="[%f/%t] ": a full build, a run with no work
// and a failing one.
func TestParseNinjaStatusRealOutput(t *testing.T) {
	out := testkit.ReadTestdata(t, "ninja-1.11.1-build.txt")
	var runs [][]Status
	var noWork, failed int
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(line, "ninja: Entering directory"):
			runs = append(runs, nil)
		case line == NinjaNoWork:
			noWork++
		case strings.HasPrefix(line, "FAILED: "):
			failed++
		}
		if s, ok := ParseNinjaStatus(line); ok {
			runs[len(runs)-1] = append(runs[len(runs)-1], s)
		}
	}
	if len(runs) != 3 || noWork != 1 || failed != 1 {
		t.Fatalf("runs %d, no-work %d, failed %d", len(runs), noWork, failed)
	}
	full := runs[0]
	if len(full) != 8 || full[7] != (Status{8, 8, "Linking CXX executable llc"}) {
		t.Errorf("full build = %+v", full)
	}
	for i, s := range full {
		if s.Done != int64(i+1) || s.Total != 8 {
			t.Errorf("status %d = %+v", i, s)
		}
	}
	if len(runs[1]) != 0 || len(runs[2]) != 1 || runs[2][0].Total != 3 {
		t.Errorf("no-work run %+v, failing run %+v", runs[1], runs[2])
	}
}
