// Package host is bpfdoctor's boundary to the machine: it runs commands with
// deadlines, finds tools and reads files under a root. Checks take a *Host,
// so tests run the same code against a temporary root and a PATH of fake
// tools, or against the real machine.
package host

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
)

// DefaultTimeout is the deadline for one external command.
const DefaultTimeout = 10 * time.Second

// Host describes the machine the checks look at.
type Host struct {
	// Root is where absolute paths are read from: "/" for the real machine.
	Root string
	// Path is the list of directories searched for tools, as in $PATH.
	Path []string
	// Timeout is the deadline for each external command.
	Timeout time.Duration
	// Env is the environment of the commands run; nil means the process's own.
	Env []string
	// UID is the effective user ID, for "sudo" in fixes.
	UID int
}

// Real returns the host this process runs on.
func Real() *Host {
	return &Host{
		Root:    "/",
		Path:    filepath.SplitList(os.Getenv("PATH")),
		Timeout: DefaultTimeout,
		UID:     os.Geteuid(),
	}
}

// FS returns the machine's file system rooted at Root; names are absolute
// paths without their leading slash.
func (h *Host) FS() fs.FS { return os.DirFS(h.root()) }

func (h *Host) root() string {
	if h.Root == "" {
		return "/"
	}
	return h.Root
}

// Abs maps an absolute path on the machine to the path that reads it here.
func (h *Host) Abs(path string) string {
	if h.root() == "/" {
		return path
	}
	return filepath.Join(h.root(), path)
}

// ReadFile reads an absolute path of the machine.
func (h *Host) ReadFile(path string) ([]byte, error) {
	b, err := os.ReadFile(h.Abs(path))
	if err != nil {
		return nil, h.unroot(err)
	}
	return b, nil
}

// Stat stats an absolute path of the machine.
func (h *Host) Stat(path string) (fs.FileInfo, error) {
	fi, err := os.Stat(h.Abs(path))
	return fi, h.unroot(err)
}

// Glob matches a pattern of absolute paths of the machine; results are
// machine paths, sorted.
func (h *Host) Glob(pattern string) ([]string, error) {
	m, err := filepath.Glob(h.Abs(pattern))
	if err != nil {
		return nil, err
	}
	if h.root() != "/" {
		for i := range m {
			m[i] = "/" + strings.TrimPrefix(strings.TrimPrefix(m[i], h.root()), "/")
		}
	}
	sort.Strings(m)
	return m, nil
}

// unroot keeps the temporary root out of error messages, so a test sees the
// same text a user would.
func (h *Host) unroot(err error) error {
	var pe *fs.PathError
	if err == nil || h.root() == "/" || !errors.As(err, &pe) {
		return err
	}
	p := *pe
	p.Path = "/" + strings.TrimPrefix(strings.TrimPrefix(pe.Path, h.root()), "/")
	return &p
}

// LookPath finds an executable in Path, as the shell would.
func (h *Host) LookPath(name string) (string, error) {
	for _, dir := range h.Path {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, name)
		if isExecutable(p) {
			return p, nil
		}
	}
	return "", &exec.Error{Name: name, Err: exec.ErrNotFound}
}

// LookAll returns every executable in Path whose name matches the glob
// pattern (e.g. "llc-*"), first by Path order, then by name.
func (h *Host) LookAll(pattern string) []string {
	var out []string
	seen := map[string]bool{}
	for _, dir := range h.Path {
		m, _ := filepath.Glob(filepath.Join(dir, pattern))
		sort.Strings(m)
		for _, p := range m {
			base := filepath.Base(p)
			if !seen[base] && isExecutable(p) {
				seen[base] = true
				out = append(out, p)
			}
		}
	}
	return out
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && executable(fi)
}

// IsExecutable reports whether path, under Root, is a regular file that
// someone may execute.
func (h *Host) IsExecutable(path string) bool {
	fi, err := h.Stat(path)
	return err == nil && executable(fi)
}

func executable(fi fs.FileInfo) bool {
	return fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// Release returns the running kernel's release (uname -r), read from
// /proc/sys/kernel/osrelease so that a test root can supply its own.
func (h *Host) Release() (string, error) {
	b, err := h.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return "", fmt.Errorf("read kernel release: %w", err)
	}
	r := strings.TrimSpace(string(b))
	if r == "" {
		return "", errors.New("read kernel release: /proc/sys/kernel/osrelease is empty")
	}
	return r, nil
}

// Getenv reads a variable of the environment the host's commands run with:
// Env, or the process's own when Env is nil. The last entry wins, as in
// exec.
func (h *Host) Getenv(name string) string {
	if h.Env == nil {
		return os.Getenv(name)
	}
	for _, kv := range slices.Backward(h.Env) {
		if v, ok := strings.CutPrefix(kv, name+"="); ok {
			return v
		}
	}
	return ""
}
