package llvm

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// ErrNoCPUs is wrapped by ParseCPUHelp when the output has no CPU list,
// e.g. clang 14's "clang: error: no input files" for -mcpu=help.
var ErrNoCPUs = errors.New(`no "Available CPUs" section`)

// CPUHelp is the BPF CPU and feature list printed by
// `llc -march=bpf -mcpu=help` or `clang --target=bpf -mcpu=help`.
type CPUHelp struct {
	// CPUs in the order printed, e.g. generic, probe, v1, v2, v3, v4.
	CPUs []string
	// Features in the order printed, e.g. alu32, dummy, dwarfris.
	Features []string
}

// Rows are "  name - description" (llc) or "\tname" (clang's
// -print-supported-cpus); the name is all that matters.
var cpuRowRe = regexp.MustCompile(`^\s+([A-Za-z0-9][A-Za-z0-9_.+\-]*)(?:\s+-(?:\s.*)?)?\s*$`)

// ParseCPUHelp parses the CPU help. Headers and trailing prose ("Use
// +feature to enable ...") start at column 0, rows are indented; clang also
// prints its version banner first, which is skipped.
func ParseCPUHelp(out string) (CPUHelp, error) {
	const (
		none = iota
		cpus
		features
	)
	var h CPUHelp
	section, sawCPUs := none, false
	for _, l := range lines(out) {
		t := strings.TrimSpace(l)
		switch {
		case t == "":
			continue
		case strings.HasPrefix(t, "Available CPUs for this target"):
			section, sawCPUs = cpus, true
			continue
		case strings.HasPrefix(t, "Available features for this target"):
			section = features
			continue
		}
		m := cpuRowRe.FindStringSubmatch(l)
		if m == nil {
			section = none
			continue
		}
		switch section {
		case cpus:
			h.CPUs = append(h.CPUs, m[1])
		case features:
			h.Features = append(h.Features, m[1])
		}
	}
	if !sawCPUs {
		return CPUHelp{}, fmt.Errorf("parse cpu help: %w", ErrNoCPUs)
	}
	if len(h.CPUs) == 0 {
		return CPUHelp{}, fmt.Errorf("parse cpu help: %w: section is empty", ErrNoCPUs)
	}
	return h, nil
}

// Has reports whether cpu is listed.
func (c CPUHelp) Has(cpu string) bool { return slices.Contains(c.CPUs, cpu) }

// Best returns the highest instruction-set version "vN" listed, "" if none.
// "probe" and "generic" are not versions: probe asks the running kernel.
func (c CPUHelp) Best() string {
	var best string
	var bestN uint64
	for _, cpu := range c.CPUs {
		n, ok := cpuVersion(cpu)
		if ok && (best == "" || n > bestN) {
			best, bestN = cpu, n
		}
	}
	return best
}

// cpuVersion returns N for "vN".
func cpuVersion(cpu string) (uint64, bool) {
	digits, ok := strings.CutPrefix(cpu, "v")
	if !ok || digits == "" {
		return 0, false
	}
	for _, r := range digits {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	return n, err == nil
}
