package checks

import (
	"strings"
	"testing"
)

// The fix for a missing package carries what the distribution's install
// command needs first, from distro.InstallNote.
func TestInstallFixCarriesNote(t *testing.T) {
	tests := []struct {
		name, osRelease, check, cmd, note string
	}{
		{"rocky 9 libbpf", "ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.4\"\n", "libbpf.version",
			"sudo dnf install -y libbpf-devel", "libbpf-devel and ninja-build are in the CRB repository, which is off by default: enable it with sudo dnf config-manager --set-enabled crb"},
		{"centos 7 llc", "ID=\"centos\"\nID_LIKE=\"rhel fedora\"\nVERSION_ID=\"7\"\n", "llvm.llc",
			"sudo yum install -y llvm", "use llvm-toolset-7 from Software Collections"},
		{"debian 12: no note", "ID=debian\nVERSION_ID=\"12\"\n", "libbpf.version", "sudo apt-get install -y libbpf-dev", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewEnv(fakeHost(t, nil))
			withRoot(t, e, map[string]string{"/etc/os-release": tt.osRelease})
			f := runOnly(t, e, tt.check)
			if f.Fix == nil || len(f.Fix.Commands) == 0 || !strings.HasPrefix(f.Fix.Commands[0], tt.cmd) {
				t.Fatalf("fix = %+v, want a first command starting %q", f.Fix, tt.cmd)
			}
			if tt.note != "" && !strings.Contains(f.Fix.Text, tt.note) {
				t.Errorf("fix text %q lacks the note %q", f.Fix.Text, tt.note)
			}
			if tt.note == "" && strings.Contains(f.Fix.Text, "repository") {
				t.Errorf("fix text %q has a note on a distribution without one", f.Fix.Text)
			}
		})
	}
}
