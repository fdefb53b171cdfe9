package bootstrap_test

import (
	"testing"

	"github.com/bpfdoctor/bpfdoctor/internal/bootstrap"
	"github.com/bpfdoctor/bpfdoctor/internal/distro"
	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
)

func TestInstallCommand(t *testing.T) {
	h := testkit.Fake{Files: map[string]string{"/etc/os-release": "ID=debian\nVERSION_ID=12\n"}}.Host(t)
	if got := bootstrap.InstallCommand(h, distro.CMake, distro.Ninja); got != "apt-get install -y cmake ninja-build" {
		t.Errorf("as root: %q", got)
	}
	h.UID = 1000
	if got := bootstrap.InstallCommand(h, distro.CMake); got != "sudo apt-get install -y cmake" {
		t.Errorf("as a user: %q", got)
	}
	if got := bootstrap.InstallCommand(testkit.Fake{}.Host(t), distro.CMake); got != "" {
		t.Errorf("unknown distribution: %q", got)
	}
}

func TestPathLine(t *testing.T) {
	for dir, want := range map[string]string{
		"/opt/llvm/bin":    "export PATH=/opt/llvm/bin:$PATH",
		"/home/a b/.local": "export PATH='/home/a b/.local':$PATH",
	} {
		if got := bootstrap.PathLine(dir); got != want {
			t.Errorf("PathLine(%q) = %q, want %q", dir, got, want)
		}
	}
}
