package distro

import "testing"

func TestGCCMultilib(t *testing.T) {
	if GCCMultilib.String() != "gcc-multilib" {
		t.Errorf("String() = %q", GCCMultilib.String())
	}
	debian := OS{ID: "debian", VersionID: "12"}
	if cmd, ok := debian.InstallCommand(true, GCCMultilib); !ok || cmd != "apt-get install -y gcc-multilib" {
		t.Errorf("debian: %q, %v", cmd, ok)
	}
	ubuntu := OS{ID: "ubuntu", VersionID: "24.04", VersionCodename: "noble"}
	if cmd, ok := ubuntu.InstallCommand(false, GCCMultilib); !ok || cmd != "sudo apt-get install -y gcc-multilib" {
		t.Errorf("ubuntu: %q, %v", cmd, ok)
	}
	for _, o := range []OS{{ID: "fedora"}, {ID: "arch"}, {ID: "alpine"}, {ID: "opensuse-tumbleweed"}, {}} {
		if cmd, ok := o.InstallCommand(true, GCCMultilib); ok {
			t.Errorf("%s has asm/ under /usr/include already, yet got %q", o.ID, cmd)
		}
	}
}
