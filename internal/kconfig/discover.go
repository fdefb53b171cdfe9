package kconfig

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/bpfdoctor/bpfdoctor/internal/host"
)

// Candidates returns the places a running kernel's config may be, in the
// order they are tried: /proc/config.gz first, because it always matches
// the running kernel, then the files distributions and kernel builds leave.
// Paths that need the release are left out when release is empty or not a
// single path element, so a bad release never reads an unrelated file.
func Candidates(release string) []string {
	release = strings.TrimSpace(release) // osrelease ends with a newline
	if release == "" || release == "." || release == ".." || strings.ContainsRune(release, '/') {
		return []string{"/proc/config.gz", "/usr/src/linux/.config"}
	}
	return []string{
		"/proc/config.gz",
		"/boot/config-" + release,
		"/usr/lib/modules/" + release + "/config",
		"/lib/modules/" + release + "/config",
		"/lib/modules/" + release + "/build/.config",
		"/usr/src/linux-" + release + "/.config",
		"/usr/src/linux/.config",
	}
}

// Discover parses the first candidate that exists in fsys, the machine's
// root (os.DirFS("/") in production), and returns it with its absolute
// path. A candidate that exists but cannot be read or parsed is an error,
// returned with that path: skipping it would judge the kernel by some
// other, possibly stale, file.
func Discover(fsys fs.FS, release string) (*Config, string, error) {
	tried := Candidates(release)
	for _, path := range tried {
		f, err := host.OpenFS(fsys, strings.TrimPrefix(path, "/"))
		// ENOTDIR: a file where a directory should be (lib/modules/REL)
		// means the candidate does not exist either.
		if errors.Is(err, fs.ErrNotExist) || host.IsNotDir(err) {
			continue
		}
		if err != nil {
			return nil, path, fmt.Errorf("open kernel config %s: %w", path, err)
		}
		cfg, err := Parse(f, path)
		f.Close()
		if err != nil {
			return nil, path, err // Parse errors already name the file
		}
		return cfg, path, nil
	}
	return nil, "", &NotFoundError{Tried: tried}
}

// Load parses a config file from the real file system, for --config FILE
// and --fragment FILE: only a regular file, since a FIFO would block the
// open and the read forever.
func Load(path string) (*Config, error) {
	f, err := host.OpenRegular(path)
	if err != nil {
		return nil, fmt.Errorf("load kernel config: %w", err) // *PathError names the file
	}
	defer f.Close()
	return Parse(f, path)
}
