package host

import (
	"os"
	"syscall"
)

// TermSignals are the signals that ask bpfdoctor to stop: Ctrl-C and a
// polite kill. They live here so that syscall stays inside host.
var TermSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}

// SignalExitCode is the exit status a shell gives a process killed by sig:
// 128 + its number (130 for SIGINT, 143 for SIGTERM).
func SignalExitCode(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 1
}
