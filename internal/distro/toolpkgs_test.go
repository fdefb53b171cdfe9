package distro

import "testing"

func TestToolPackagesDebian(t *testing.T) {
	debian := OS{ID: "debian", VersionID: "12", VersionCodename: "bookworm"}
	tests := []struct {
		pkg  Package
		str  string
		name string
	}{
		{LLD, "lld", "lld"},
		{Python3, "python3", "python3"},
		{Libpcap, "libpcap", "libpcap-dev"},
		{Libcrypto, "libcrypto (OpenSSL)", "libssl-dev"},
		{Zstd, "zstd", "zstd"},
		{Curl, "curl", "curl"},
		{QEMUX86, "qemu-system-x86_64", "qemu-system-x86"},
		{QEMUArm, "qemu-system-aarch64", "qemu-system-arm"},
		{QEMUS390x, "qemu-system-s390x", "qemu-system-misc"},
		{QEMUMisc, "qemu-system-riscv64", "qemu-system-misc"},
	}
	for _, tt := range tests {
		t.Run(tt.str, func(t *testing.T) {
			if got := tt.pkg.String(); got != tt.str {
				t.Errorf("String() = %q, want %q", got, tt.str)
			}
			if got := debian.PackageName(tt.pkg); got != tt.name {
				t.Errorf("PackageName = %q, want %q", got, tt.name)
			}
			want := "apt-get install -y " + tt.name
			if got, ok := debian.InstallCommand(true, tt.pkg); !ok || got != want {
				t.Errorf("InstallCommand = %q, %v; want %q", got, ok, want)
			}
		})
	}
}

// The constants after GCCMultilib were appended: the earlier values keep
// their numbers.
func TestPackageNumbersKept(t *testing.T) {
	if GCCMultilib != 15 || LLD != 16 || QEMUMisc != 25 {
		t.Errorf("GCCMultilib, LLD, QEMUMisc = %d, %d, %d; want 15, 16, 25", GCCMultilib, LLD, QEMUMisc)
	}
}

func TestInstallCommandToolPackages(t *testing.T) {
	debian := OS{ID: "debian", VersionID: "12"}
	tests := []struct {
		name   string
		os     OS
		root   bool
		pkgs   []Package
		want   string
		wantOK bool
	}{
		{"debian vmtest", debian, true, []Package{Zstd, Curl, QEMUX86}, "apt-get install -y zstd curl qemu-system-x86", true},
		{"debian selftests libs", debian, false, []Package{Libpcap, Libcrypto, LLD, Python3}, "sudo apt-get install -y libpcap-dev libssl-dev lld python3", true},
		{"debian s390x and riscv64 share misc", debian, true, []Package{QEMUS390x, QEMUMisc}, "apt-get install -y qemu-system-misc", true},
		{"ubuntu s390x is its own package", OS{ID: "ubuntu", VersionID: "24.04", UbuntuCodename: "noble"}, true, []Package{QEMUS390x}, "apt-get install -y qemu-system-s390x", true},
		{"mint s390x follows ubuntu", OS{ID: "linuxmint", IDLike: []string{"ubuntu", "debian"}, UbuntuCodename: "noble"}, true, []Package{QEMUS390x, QEMUMisc}, "apt-get install -y qemu-system-s390x qemu-system-misc", true},
		{"fedora qemu", OS{ID: "fedora", VersionID: "41"}, true, []Package{QEMUX86, QEMUArm}, "dnf install -y qemu-system-x86 qemu-system-aarch64", true},
		{"rocky 9 has no qemu-system", OS{ID: "rocky", VersionID: "9.4"}, true, []Package{QEMUX86}, "", false},
		{"rocky 9 keeps the rest", OS{ID: "rocky", VersionID: "9.4"}, true, []Package{QEMUArm, LLD}, "dnf install -y lld", true},
		{"centos 7 has no lld", OS{ID: "centos", VersionID: "7"}, true, []Package{LLD}, "", false},
		{"centos 7 libs", OS{ID: "centos", VersionID: "7"}, true, []Package{Libpcap, Libcrypto, Zstd}, "yum install -y libpcap-devel openssl-devel zstd", true},
		{"arch python", OS{ID: "arch"}, true, []Package{Python3, Libcrypto}, "pacman -S --needed --noconfirm python openssl", true},
		{"tumbleweed qemu", OS{ID: "opensuse-tumbleweed"}, true, []Package{QEMUArm, QEMUMisc}, "zypper --non-interactive install qemu-arm qemu-extra", true},
		{"alpine qemu", OS{ID: "alpine"}, true, []Package{QEMUS390x, Libcrypto}, "apk add qemu-system-s390x openssl-dev", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.os.InstallCommand(tt.root, tt.pkgs...)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("InstallCommand = %q, %v; want %q, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestQEMU(t *testing.T) {
	tests := []struct {
		uname string
		want  Package
		ok    bool
	}{
		{"x86_64", QEMUX86, true},
		{"aarch64", QEMUArm, true},
		{"s390x", QEMUS390x, true},
		{"riscv64", QEMUMisc, true},
		{"arm64", 0, false}, // uname -m says aarch64 on Linux
		{"i686", 0, false},
		{"ppc64le", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.uname, func(t *testing.T) {
			got, ok := QEMU(tt.uname)
			if got != tt.want || ok != tt.ok {
				t.Errorf("QEMU(%q) = %v, %v; want %v, %v", tt.uname, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestInstallNoteZstd(t *testing.T) {
	tests := []struct {
		name string
		os   OS
		want string
	}{
		{"centos 7", OS{ID: "centos", VersionID: "7"}, "On EL7 zstd comes from EPEL, so enable it first (yum install epel-release on CentOS 7; https://docs.fedoraproject.org/en-US/epel/ elsewhere)."},
		{"amazon linux 2", OS{ID: "amzn", VersionID: "2"}, ""},
		{"debian", OS{ID: "debian", VersionID: "12"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.os.InstallNote(true, Zstd); got != tt.want {
				t.Errorf("InstallNote = %q, want %q", got, tt.want)
			}
		})
	}
}
