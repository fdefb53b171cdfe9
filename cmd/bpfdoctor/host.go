package main

import "github.com/bpfdoctor/bpfdoctor/internal/host"

// newHost is the machine every command looks at: the real one, except
// that BPFDOCTOR_ROOT (tests only) stands a directory in for /, with its
// own /etc, /proc and /sys.
func newHost(io IO) *host.Host {
	h := host.Real()
	if root := io.Getenv("BPFDOCTOR_ROOT"); root != "" {
		h.Root = root
	}
	return h
}
