package kconfig

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

const rel = "6.1.0-test"

var allCandidates = []string{
	"/proc/config.gz",
	"/boot/config-6.1.0-test",
	"/usr/lib/modules/6.1.0-test/config",
	"/lib/modules/6.1.0-test/config",
	"/lib/modules/6.1.0-test/build/.config",
	"/usr/src/linux-6.1.0-test/.config",
	"/usr/src/linux/.config",
}

func TestCandidates(t *testing.T) {
	tests := []struct {
		release string
		want    []string
	}{
		{rel, allCandidates},
		{rel + "\n", allCandidates}, // as read from /proc/sys/kernel/osrelease
		{"", []string{"/proc/config.gz", "/usr/src/linux/.config"}},
		{"../../etc", []string{"/proc/config.gz", "/usr/src/linux/.config"}},
		{"..", []string{"/proc/config.gz", "/usr/src/linux/.config"}},
	}
	for _, tt := range tests {
		if got := Candidates(tt.release); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Candidates(%q) = %q, want %q", tt.release, got, tt.want)
		}
	}
}

func TestDiscover(t *testing.T) {
	plain := &fstest.MapFile{Data: []byte("CONFIG_BPF=y\nCONFIG_SRC=\"plain\"\n")}
	tests := []struct {
		name     string
		fsys     fstest.MapFS
		wantPath string
		wantSrc  string // value of CONFIG_SRC, to tell the files apart
		wantErr  string // substring; "" means success
	}{
		{
			name: "proc config.gz wins",
			fsys: fstest.MapFS{
				"proc/config.gz":        {Data: gzipBytes(t, "CONFIG_BPF=y\nCONFIG_SRC=\"proc\"\n")},
				"boot/config-" + rel:    plain,
				"usr/src/linux/.config": plain,
			},
			wantPath: "/proc/config.gz",
			wantSrc:  "proc",
		},
		{
			name:     "only boot",
			fsys:     fstest.MapFS{"boot/config-" + rel: plain, "boot/config-5.15.0": {Data: []byte("garbage")}},
			wantPath: "/boot/config-" + rel,
			wantSrc:  "plain",
		},
		{
			name:     "modules dir",
			fsys:     fstest.MapFS{"lib/modules/" + rel + "/build/.config": plain, "usr/src/linux/.config": {Data: []byte("bad")}},
			wantPath: "/lib/modules/" + rel + "/build/.config",
			wantSrc:  "plain",
		},
		{
			name:    "corrupt gzip is not skipped",
			fsys:    fstest.MapFS{"proc/config.gz": {Data: []byte{0x1f, 0x8b, 1, 2, 3}}, "boot/config-" + rel: plain},
			wantErr: "/proc/config.gz",
		},
		{
			name:    "malformed boot config",
			fsys:    fstest.MapFS{"boot/config-" + rel: {Data: []byte("CONFIG_A=y\nCONFIG_B=maybe\n")}},
			wantErr: "/boot/config-" + rel + ":2: invalid value",
		},
		{
			name:    "binary candidate",
			fsys:    fstest.MapFS{"usr/lib/modules/" + rel + "/config": {Data: []byte("\x7fELF\x00\x00")}},
			wantErr: "parse /usr/lib/modules/" + rel + "/config: binary file",
		},
		{
			name:    "directory in the way",
			fsys:    fstest.MapFS{"usr/src/linux/.config/x": plain},
			wantErr: "/usr/src/linux/.config",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, path, err := Discover(tt.fsys, rel)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Discover error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if path != tt.wantPath || cfg.Source != tt.wantPath {
				t.Errorf("path = %q, Source = %q, want %q", path, cfg.Source, tt.wantPath)
			}
			if e, _ := cfg.Lookup("SRC"); e.Value != tt.wantSrc {
				t.Errorf("CONFIG_SRC = %q, want %q", e.Value, tt.wantSrc)
			}
		})
	}
}

func TestDiscoverNotFound(t *testing.T) {
	fsys := fstest.MapFS{"boot/config-5.15.0": {Data: []byte("CONFIG_BPF=y\n")}}
	_, _, err := Discover(fsys, rel)
	var nf *NotFoundError
	if !errors.As(err, &nf) {
		t.Fatalf("Discover error = %v, want *NotFoundError", err)
	}
	if !reflect.DeepEqual(nf.Tried, allCandidates) {
		t.Errorf("Tried = %q, want %q", nf.Tried, allCandidates)
	}
	want := "no kernel config found (tried " + strings.Join(allCandidates, ", ") + ")"
	if err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
}

// deniedFS fails every Open with a permission error, as /boot does on some
// hardened systems.
type deniedFS struct{}

func (deniedFS) Open(name string) (fs.File, error) {
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
}

func TestDiscoverUnreadable(t *testing.T) {
	_, path, err := Discover(deniedFS{}, rel)
	if !errors.Is(err, fs.ErrPermission) || path != "/proc/config.gz" {
		t.Fatalf("Discover = %q, %v; want /proc/config.gz and a permission error", path, err)
	}
	if !strings.Contains(err.Error(), "open kernel config /proc/config.gz:") {
		t.Errorf("error %q does not name the absolute path", err)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	bad := filepath.Join(dir, "bad")
	gz := filepath.Join(dir, "config.gz")
	for name, data := range map[string][]byte{
		good: []byte("CONFIG_BPF=y\n"),
		bad:  []byte("CONFIG_BPF=y\nnonsense\n"),
		gz:   gzipBytes(t, "CONFIG_BPF=m\n"),
	} {
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		path    string
		value   string
		wantErr string
	}{
		{good, "y", ""},
		{gz, "m", ""},
		{bad, "", bad + ":2: "},
		{filepath.Join(dir, "missing"), "", filepath.Join(dir, "missing")},
		{dir, "", dir},
	}
	for _, tt := range tests {
		cfg, err := Load(tt.path)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Load(%q) error = %v, want one containing %q", tt.path, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("Load(%q): %v", tt.path, err)
			continue
		}
		if e, _ := cfg.Lookup("BPF"); e.Value != tt.value || cfg.Source != tt.path {
			t.Errorf("Load(%q): BPF=%q Source=%q", tt.path, e.Value, cfg.Source)
		}
	}
}

// On a real file system a file where a directory should be gives ENOTDIR,
// not ErrNotExist; that candidate is skipped too.
func TestDiscoverNotDir(t *testing.T) {
	root := t.TempDir()
	for name, data := range map[string]string{
		"lib/modules/" + rel:    "not a directory",
		"usr/src/linux/.config": "CONFIG_BPF=y\n",
	} {
		path := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg, path, err := Discover(os.DirFS(root), rel)
	if err != nil {
		t.Fatal(err)
	}
	if path != "/usr/src/linux/.config" || cfg.Len() != 1 {
		t.Errorf("Discover = %q with %d entries, want /usr/src/linux/.config with 1", path, cfg.Len())
	}
}
