package host

import (
	"path/filepath"
	"regexp"
	"strconv"
)

// LLVMTool is one installation of an LLVM tool that LookLLVM found.
type LLVMTool struct {
	Path  string // as found: on PATH, or a machine path such as /usr/lib/llvm-19/bin/ld.lld
	Exec  string // the file to run here: Path, under Root for a machine path
	Major int    // from the name (ld.lld-19, llvm-19/bin), 0 when it has none
	// OnPath marks the plain name found on PATH, the one a shell runs.
	OnPath bool
}

var llvmMajorRe = regexp.MustCompile(`-(\d+)$|/llvm-(\d+)/bin/[^/]+$`)

// LookLLVM finds the installations of an LLVM tool as Debian and
// apt.llvm.org lay them out, in the order a search meets them: the plain
// name on PATH, the versioned names on PATH (ld.lld-19) by PATH order, then
// /usr/lib/llvm-N/bin/name. It does not choose (Newest does, and the
// checks prefer what PATH finds), nor say which one a compiler driver
// finds: only the plain name on PATH is found by name. Major is 0 when
// neither the name nor the directory says it (resolve the link to learn
// it).
func (h *Host) LookLLVM(name string) []LLVMTool {
	var plain, versioned []LLVMTool
	if p, err := h.LookPath(name); err == nil {
		plain = append(plain, LLVMTool{Path: p, Exec: p, Major: llvmMajor(p), OnPath: true})
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
	return append(plain, versioned...)
}

// Newest returns the tool of the highest major, the first of those on a
// tie; false when tools is empty.
func Newest(tools []LLVMTool) (LLVMTool, bool) {
	if len(tools) == 0 {
		return LLVMTool{}, false
	}
	best := tools[0]
	for _, t := range tools[1:] {
		if t.Major > best.Major {
			best = t
		}
	}
	return best, true
}

// LLVMMajor reads the LLVM major a path names: ld.lld-19, llc-19 or
// /usr/lib/llvm-19/bin/llc; 0 when it names none.
func LLVMMajor(path string) int { return llvmMajor(path) }

func llvmMajor(p string) int {
	m := llvmMajorRe.FindStringSubmatch(filepath.ToSlash(p))
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1] + m[2])
	return n
}
