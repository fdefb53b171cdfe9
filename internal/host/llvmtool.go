package host

import (
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
)

// LLVMTool is one installation of an LLVM tool that LookLLVM found.
type LLVMTool struct {
	Path  string // as found: on PATH, or a machine path such as /usr/lib/llvm-19/bin/ld.lld
	Exec  string // the file to run here: Path, under Root for a machine path
	Major int    // from the name (ld.lld-19, llvm-19/bin), 0 when it has none
}

var llvmMajorRe = regexp.MustCompile(`-(\d+)$|/llvm-(\d+)/bin/[^/]+$`)

// LookLLVM finds the installations of an LLVM tool as Debian and
// apt.llvm.org lay them out: the plain name on PATH first, then the
// versioned name on PATH (ld.lld-19) and /usr/lib/llvm-N/bin/name, the
// highest major first. It does not say which one a compiler driver finds:
// only the plain name on PATH is found by name.
func (h *Host) LookLLVM(name string) []LLVMTool {
	var plain, versioned []LLVMTool
	if p, err := h.LookPath(name); err == nil {
		plain = append(plain, LLVMTool{Path: p, Exec: p, Major: llvmMajor(p)})
	}
	for _, p := range h.LookAll(name + "-[0-9]*") {
		if m := llvmMajor(p); m > 0 {
			versioned = append(versioned, LLVMTool{Path: p, Exec: p, Major: m})
		}
	}
	if ms, err := h.Glob("/usr/lib/llvm-*/bin/" + name); err == nil {
		for _, p := range ms {
			if m := llvmMajor(p); m > 0 && h.IsExecutable(p) {
				versioned = append(versioned, LLVMTool{Path: p, Exec: h.Abs(p), Major: m})
			}
		}
	}
	sort.SliceStable(versioned, func(i, j int) bool { return versioned[i].Major > versioned[j].Major })
	return append(plain, versioned...)
}

func llvmMajor(p string) int {
	m := llvmMajorRe.FindStringSubmatch(filepath.ToSlash(p))
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1] + m[2])
	return n
}
