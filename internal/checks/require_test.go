package checks

import (
	"slices"
	"testing"

	"github.com/bpfdoctor/bpfdoctor/internal/require"
)

// Every name --require accepts reads the finding of a check that exists:
// a renamed check ID must not leave a requirement that always errors.
func TestRequireSubjectsNameChecks(t *testing.T) {
	var ids []string
	for _, c := range All() {
		ids = append(ids, c.ID)
	}
	for _, name := range require.Names() {
		// A bare name, a version bound or a CPU level: one of the three
		// forms parses for each kind of subject.
		var r require.Requirement
		var err error
		for _, expr := range []string{name, name + ">=1", name + "=v1"} {
			if r, err = require.Parse(expr); err == nil {
				break
			}
		}
		if err != nil {
			t.Errorf("--require %s: no expression form parses: %v", name, err)
			continue
		}
		if !slices.Contains(ids, r.Check()) {
			t.Errorf("--require %s reads check %q, which checks.All() does not have", name, r.Check())
		}
	}
}
