package main

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
)

func TestVersionFrom(t *testing.T) {
	rev := "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"
	vcs := func(modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.time", Value: "2025-01-01T12:00:00Z"}, {Key: "vcs.modified", Value: modified}}
	}
	for _, tt := range []struct {
		name     string
		version  string
		settings []debug.BuildSetting
		want     string
	}{
		{"go install @v1.2.3", "v1.2.3", nil, "v1.2.3"},
		{"go install @v1.3.0-rc.1", "v1.3.0-rc.1", nil, "v1.3.0-rc.1"},
		{"go build in a clean clone", "(devel)", vcs("false"), "dev (a1b2c3d4e5f6)"},
		{"go build in a modified clone", "(devel)", vcs("true"), "dev (a1b2c3d4e5f6, modified)"},
		// Go 1.24 and later stamp a pseudo-version in a clone: the
		// revision says the same, and says whether the tree was modified.
		{"go 1.24 build in a clone", "v0.0.0-20250101120000-a1b2c3d4e5f6", vcs("false"), "dev (a1b2c3d4e5f6)"},
		{"go 1.24 build in a dirty clone", "v0.0.0-20250101120000-a1b2c3d4e5f6+dirty", vcs("true"), "dev (a1b2c3d4e5f6, modified)"},
		{"go install @commit", "v0.0.0-20250101120000-a1b2c3d4e5f6", nil, "v0.0.0-20250101120000-a1b2c3d4e5f6"},
		{"no version, no vcs", "(devel)", nil, "dev"},
		{"empty", "", nil, "dev"},
		{"-buildvcs=false", "(devel)", []debug.BuildSetting{{Key: "-buildvcs", Value: "false"}}, "dev"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bi := &debug.BuildInfo{Main: debug.Module{Path: "github.com/bpfdoctor/bpfdoctor", Version: tt.version}, Settings: tt.settings}
			if got := versionFrom(bi); got != tt.want {
				t.Errorf("versionFrom = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestVersionOfCloneBuild builds bpfdoctor with `go build` in a fresh git
// repository holding a copy of the module, as a user who clones it does, and
// reads the commit back from `bpfdoctor version` and the report's first row.
// .ci/run exports GOFLAGS=-buildvcs=false, so the build asks for vcs stamping
// itself.
func TestVersionOfCloneBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary twice")
	}
	gobin := testkit.Tool(t, "go")
	git := testkit.Tool(t, "git")
	src := t.TempDir()
	copyModule(t, filepath.Join("..", ".."), src)

	// The user's git configuration stays out; an empty file of its own,
	// not /dev/null, which a test elsewhere may have clobbered.
	gitConfig := filepath.Join(t.TempDir(), "gitconfig")
	if err := os.WriteFile(gitConfig, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(dir, name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL="+gitConfig, "GIT_CONFIG_NOSYSTEM=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	run(src, git, "init", "-q")
	run(src, git, "add", "-A")
	run(src, git, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "copy")
	rev := run(src, git, "rev-parse", "HEAD")[:12]
	bin := filepath.Join(t.TempDir(), "bpfdoctor")
	build := func() {
		t.Helper()
		run(src, gobin, "build", "-buildvcs=true", "-o", bin, "./cmd/bpfdoctor")
	}

	build()
	want := "dev (" + rev + ")"
	if got := run(src, bin, "version"); !strings.HasPrefix(got, "bpfdoctor "+want+" (") {
		t.Errorf("clean clone: version says %q, want %q", got, want)
	}
	if got := run(src, bin, "report", "--timeout", "20s"); !strings.Contains(got, "| bpfdoctor | "+want+" |") {
		t.Errorf("clean clone: report's first row is not %q:\n%s", want, got)
	}

	f, err := os.OpenFile(filepath.Join(src, "README.md"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("\nlocal change\n"); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	build()
	want = "dev (" + rev + ", modified)"
	if got := run(src, bin, "version"); !strings.HasPrefix(got, "bpfdoctor "+want+" (") {
		t.Errorf("modified clone: version says %q, want %q", got, want)
	}
}

// copyModule copies the module's files, without its git metadata, so the
// copy's history is the one commit the test makes.
func copyModule(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, p)
		if err != nil {
			return err
		}
		if d.Name() == ".git" {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		dst := filepath.Join(to, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(dst, 0o755)
		case d.Type().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(dst, b, 0o644)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("copy module: %v", err)
	}
}
