// Package selftests reads a kernel tree's BPF selftests (the Makefiles and
// programs under tools/testing/selftests/bpf) and the log of building them,
// so the doctor's predictions can be checked against what make really hit.
package selftests
