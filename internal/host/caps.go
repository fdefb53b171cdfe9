package host

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/bpfdoctor/bpfdoctor/internal/clip"
)

// EffectiveCaps reads the CapEff mask of this process from
// /proc/self/status under the host's root, so a test root stands in for an
// unprivileged process.
func (h *Host) EffectiveCaps() (uint64, error) {
	const p = "/proc/self/status"
	b, err := h.ReadFile(p)
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", p, err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "CapEff:"); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			if err != nil {
				return 0, fmt.Errorf("read %s: bad CapEff %q", p, clip.String(strings.TrimSpace(v), clip.Short))
			}
			return n, nil
		}
	}
	return 0, fmt.Errorf("read %s: no CapEff line", p)
}
