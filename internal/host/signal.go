package host

import (
	"os"
	"syscall"
)

// TermSignals are the signals that ask bpfdoctor to stop: Ctrl-C and a
// polite kill. They live here so that syscall stays inside host.
var TermSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}
