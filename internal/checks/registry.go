package checks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"
)

// registered holds each area file's checks; see register.
var registered [][]Check

// register adds an area file's checks; each file calls it from init, so
// adding an area touches no shared list.
func register(cs []Check) { registered = append(registered, cs) }

// All returns every check, in report order: by area as in Areas, then in
// the order registered.
func All() []Check {
	all := slices.Concat(registered...)
	slices.SortStableFunc(all, func(a, b Check) int { return areaIndex(a.Area) - areaIndex(b.Area) })
	return all
}

func areaIndex(name string) int {
	for i, a := range finding.Areas {
		if a.Name == name {
			return i
		}
	}
	return len(finding.Areas)
}

// Select keeps the checks of the areas in only (all when empty) and drops
// the IDs in skip. Unknown names are an error, so a typo in CI does not
// silently check nothing.
func Select(all []Check, only, skip []string) ([]Check, error) {
	areas := map[string]bool{}
	ids := map[string]bool{}
	for _, c := range all {
		areas[c.Area] = true
		ids[c.ID] = true
	}
	for _, a := range only {
		if !areas[a] {
			return nil, fmt.Errorf("unknown area %q for --only (areas: %s)", a, strings.Join(areaNames(areas), ", "))
		}
	}
	for _, id := range skip {
		if !ids[id] {
			return nil, fmt.Errorf("unknown check %q for --skip (see `bpfdoctor list`)", id)
		}
	}
	var out []Check
	for _, c := range all {
		if (len(only) == 0 || slices.Contains(only, c.Area)) && !slices.Contains(skip, c.ID) {
			out = append(out, c)
		}
	}
	return out, nil
}

// areaNames lists the areas that have checks, in report order.
func areaNames(have map[string]bool) []string {
	var n []string
	for _, a := range finding.Areas {
		if have[a.Name] {
			n = append(n, a.Name)
		}
	}
	return n
}

// WithIDs adds to the selection the checks named by ids that it lacks,
// keeping report order: --require needs its checks whatever --only says.
func WithIDs(sel []Check, ids []string) []Check {
	var out []Check
	for _, c := range All() {
		if slices.ContainsFunc(sel, func(s Check) bool { return s.ID == c.ID }) || slices.Contains(ids, c.ID) {
			out = append(out, c)
		}
	}
	return out
}
