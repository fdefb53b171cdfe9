package host

import (
	"os"
	"slices"
	"syscall"
	"testing"
)

func TestTermSignals(t *testing.T) {
	for _, s := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		if !slices.Contains(TermSignals, s) {
			t.Errorf("TermSignals %v lacks %v", TermSignals, s)
		}
	}
}
