package distro

import (
	"testing"

	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
)

func TestOfHost(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		id    string
	}{
		{"etc", map[string]string{"/etc/os-release": "ID=debian\n"}, "debian"},
		{"usr lib fallback", map[string]string{"/usr/lib/os-release": "ID=fedora\n"}, "fedora"},
		{"etc wins", map[string]string{"/etc/os-release": "ID=arch\n", "/usr/lib/os-release": "ID=fedora\n"}, "arch"},
		{"none", nil, ""},
		{"garbage", map[string]string{"/etc/os-release": "\x00\x01 no assignment\n"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := OfHost(testkit.Fake{Files: tc.files}.Host(t)).ID; got != tc.id {
				t.Errorf("OfHost().ID = %q, want %q", got, tc.id)
			}
		})
	}
}
