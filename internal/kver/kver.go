// Package kver is the one kernel-version type: a release ("6.18.44-fc",
// "6.1.0-27-amd64") or a tree's Makefile version, parsed once and compared
// by series, as the selftests and the checks' version thresholds need.
package kver

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is a kernel version: 6.12.117.
type Version struct {
	Major, Minor, Patch int
}

func (v Version) String() string {
	if v.Patch == 0 {
		return fmt.Sprintf("%d.%d", v.Major, v.Minor)
	}
	return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
}

// Series is major.minor: the selftests of 6.12.117 are those of 6.12.
func (v Version) Series() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// Compare orders versions by major and minor only: the selftests config
// does not change within a stable series.
func (v Version) Compare(w Version) int {
	if v.Major != w.Major {
		return v.Major - w.Major
	}
	return v.Minor - w.Minor
}

// Parse reads a kernel release or version: "6.18.44-fc-v669",
// "6.1.0-27-amd64", "v6.17", "6.12". It needs at least major.minor.
func Parse(s string) (Version, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "v")
	parts := strings.SplitN(s, ".", 3)
	if len(parts) < 2 {
		return Version{}, false
	}
	var v Version
	var err error
	if v.Major, err = strconv.Atoi(parts[0]); err != nil || v.Major <= 0 {
		return Version{}, false
	}
	minor := leading(parts[1])
	if minor == "" {
		return Version{}, false
	}
	v.Minor, _ = strconv.Atoi(minor)
	if minor != parts[1] {
		return v, true // "6.12-rc1": no patch level
	}
	if len(parts) == 3 {
		v.Patch, _ = strconv.Atoi(leading(parts[2]))
	}
	return v, true
}

func leading(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' && i < 9 {
		i++
	}
	return s[:i]
}

// AtLeast reports whether v is major.minor or newer (patch level ignored,
// as every threshold in the checks is a series).
func (v Version) AtLeast(major, minor int) bool {
	return v.Compare(Version{Major: major, Minor: minor}) >= 0
}

// IsZero reports whether v is unknown.
func (v Version) IsZero() bool { return v == Version{} }
