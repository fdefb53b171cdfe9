// Package cmake reads what a cmake + ninja build leaves behind: the
// CMakeCache.txt of a configured build, and ninja's "[n/N]" status lines.
// Both bootstraps, LLVM's and pahole's, build this way.
package cmake

import (
	"regexp"
	"strconv"
)

// NinjaStatusFormat is the NINJA_STATUS a build runs with: ninja's own
// default, set explicitly so a user's NINJA_STATUS cannot hide the count.
const NinjaStatusFormat = "[%f/%t] "

// Status is one ninja status line: Done of Total edges finished, and the
// edge's description ("Building CXX object ...", "Linking CXX executable
// bin/clang-23").
type Status struct {
	Done, Total int64
	Edge        string
}

var ninjaStatusRe = regexp.MustCompile(`^\[(\d{1,12})/(\d{1,12})\] ?(.*)$`)

// ParseNinjaStatus reads a "[n/N] description" line. A line that is not a
// status (compiler output, "FAILED: ...", "ninja: no work to do.") or
// whose numbers make no sense gives ok false.
func ParseNinjaStatus(line string) (s Status, ok bool) {
	m := ninjaStatusRe.FindStringSubmatch(line)
	if m == nil {
		return Status{}, false
	}
	done, err1 := strconv.ParseInt(m[1], 10, 64)
	total, err2 := strconv.ParseInt(m[2], 10, 64)
	if err1 != nil || err2 != nil || total <= 0 || done > total {
		return Status{}, false
	}
	return Status{Done: done, Total: total, Edge: m[3]}, true
}

// Ninja's own summary lines, read to tell what a run did.
const (
	NinjaNoWork      = "ninja: no work to do."
	NinjaInterrupted = "ninja: build stopped: interrupted by user."
)
