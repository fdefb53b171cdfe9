package distro

import (
	"bytes"

	"github.com/bpfdoctor/bpfdoctor/internal/host"
)

// osReleasePaths are where os-release(5) says to look, in its order.
var osReleasePaths = []string{"/etc/os-release", "/usr/lib/os-release"}

// OfHost returns the distribution of h, read from the first os-release file
// that exists; the zero OS when there is none or it does not parse, so the
// callers fall back to prose instead of a command.
func OfHost(h *host.Host) OS {
	for _, p := range osReleasePaths {
		b, err := h.ReadFile(p)
		if err != nil {
			continue
		}
		o, err := ParseOSRelease(bytes.NewReader(b))
		if err != nil {
			return OS{}
		}
		return o
	}
	return OS{}
}
