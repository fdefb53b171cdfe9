package distro

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/bpfdoctor/bpfdoctor/internal/host"
)

func TestOfHost(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		id    string
	}{
		{"etc", map[string]string{"etc/os-release": "ID=debian\n"}, "debian"},
		{"usr lib fallback", map[string]string{"usr/lib/os-release": "ID=fedora\n"}, "fedora"},
		{"etc wins", map[string]string{"etc/os-release": "ID=arch\n", "usr/lib/os-release": "ID=fedora\n"}, "arch"},
		{"none", nil, ""},
		{"garbage", map[string]string{"etc/os-release": "\x00\x01 no assignment\n"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			for name, body := range tc.files {
				p := filepath.Join(root, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if got := OfHost(&host.Host{Root: root}).ID; got != tc.id {
				t.Errorf("OfHost().ID = %q, want %q", got, tc.id)
			}
		})
	}
}
