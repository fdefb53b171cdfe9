package usage

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"
)

func TestIs(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"plain", errors.New("x"), false},
		{"errorf", Errorf("bad --jobs %d", -1), true},
		{"wrapped twice", fmt.Errorf("plan: %w", Errorf("bad")), true},
		{"wrap", Wrap(fs.ErrNotExist), true},
		{"wrap nil", Wrap(nil), false},
	} {
		if got := Is(tc.err); got != tc.want {
			t.Errorf("%s: Is(%v) = %v, want %v", tc.name, tc.err, got, tc.want)
		}
	}
	if err := Errorf("read %s: %w", "f", fs.ErrNotExist); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Errorf does not keep %%w: %v", err)
	}
}
