package distro

import (
	"errors"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
)

func parseFile(t *testing.T, name string) OS {
	t.Helper()
	o, err := ParseOSRelease(strings.NewReader(testkit.ReadTestdata(t, name)))
	if err != nil {
		t.Fatalf("ParseOSRelease(%s): %v", name, err)
	}
	return o
}

func TestParseOSReleaseFiles(t *testing.T) {
	tests := []struct {
		file    string
		want    OS
		manager Manager
	}{
		{
			file: "debian-12.os-release", // captured on this machine
			want: OS{ID: "debian", Name: "Debian GNU/Linux", PrettyName: "Debian GNU/Linux 12 (bookworm)",
				VersionID: "12", VersionCodename: "bookworm"},
			manager: Apt,
		},
		{
			file: "ubuntu-24.04.os-release",
			want: OS{ID: "ubuntu", IDLike: []string{"debian"}, Name: "Ubuntu", PrettyName: "Ubuntu 24.04.1 LTS",
				VersionID: "24.04", VersionCodename: "noble", UbuntuCodename: "noble"},
			manager: Apt,
		},
		{
			file: "ubuntu-22.04.os-release",
			want: OS{ID: "ubuntu", IDLike: []string{"debian"}, Name: "Ubuntu", PrettyName: "Ubuntu 22.04.4 LTS",
				VersionID: "22.04", VersionCodename: "jammy", UbuntuCodename: "jammy"},
			manager: Apt,
		},
		{
			file: "fedora-40.os-release",
			want: OS{ID: "fedora", Name: "Fedora Linux", PrettyName: "Fedora Linux 40 (Workstation Edition)",
				VersionID: "40"},
			manager: Dnf,
		},
		{
			file:    "arch.os-release",
			want:    OS{ID: "arch", Name: "Arch Linux", PrettyName: "Arch Linux"},
			manager: Pacman,
		},
		{
			file: "opensuse-tumbleweed.os-release",
			want: OS{ID: "opensuse-tumbleweed", IDLike: []string{"opensuse", "suse"}, Name: "openSUSE Tumbleweed",
				PrettyName: "openSUSE Tumbleweed", VersionID: "20240901"},
			manager: Zypper,
		},
		{
			file:    "alpine-3.20.os-release",
			want:    OS{ID: "alpine", Name: "Alpine Linux", PrettyName: "Alpine Linux v3.20", VersionID: "3.20.3"},
			manager: Apk,
		},
		{
			file: "linuxmint-21.3.os-release",
			want: OS{ID: "linuxmint", IDLike: []string{"ubuntu", "debian"}, Name: "Linux Mint",
				PrettyName: "Linux Mint 21.3", VersionID: "21.3", VersionCodename: "virginia", UbuntuCodename: "jammy"},
			manager: Apt,
		},
		{
			file:    "gentoo.os-release",
			want:    OS{ID: "gentoo", Name: "Gentoo", PrettyName: "Gentoo Linux", VersionID: "2.15"},
			manager: Unknown,
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got := parseFile(t, tt.file)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
			if m := got.Manager(); m != tt.manager {
				t.Errorf("Manager() = %q, want %q", m, tt.manager)
			}
		})
	}
}

// The machine's own os-release must parse; on Debian (the project's
// machines today) it must give apt.
func TestParseOSReleaseThisMachine(t *testing.T) {
	f, err := os.Open("/etc/os-release")
	if errors.Is(err, os.ErrNotExist) {
		t.Skip("no /etc/os-release")
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	o, err := ParseOSRelease(f)
	if err != nil {
		t.Fatal(err)
	}
	if o.ID == "" || o.PrettyName == "" {
		t.Errorf("incomplete: %+v", o)
	}
	if o.ID == "debian" && o.Manager() != Apt {
		t.Errorf("Debian gives manager %q, want apt", o.Manager())
	}
	if _, ok := o.InstallCommand(true, Pahole); o.Manager() != Unknown && !ok {
		t.Errorf("no install command for %+v", o)
	}
}

func TestParseOSReleaseSyntax(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    OS
		wantErr bool
	}{
		{
			name: "escapes in double quotes",
			in:   `PRETTY_NAME="My \"Quoted\" \$HOME \\ \` + "`" + `tick\` + "`" + ` \n kept"` + "\nID=x\n",
			want: OS{ID: "x", Name: "Linux", PrettyName: `My "Quoted" $HOME \ ` + "`tick`" + ` \n kept`},
		},
		{
			name: "single quotes keep backslashes",
			in:   "ID='my-os'\nNAME='a \\\"b'\n",
			want: OS{ID: "my-os", Name: `a \"b`, PrettyName: `a \"b`},
		},
		{
			name: "unquoted backslash escape",
			in:   `NAME=My\ OS` + "\nID=myos\n",
			want: OS{ID: "myos", Name: "My OS", PrettyName: "My OS"},
		},
		{
			name: "comments blanks crlf and no final newline",
			in:   "# comment\r\n\r\n   \r\n  # indented comment\r\nID=debian\r\nVERSION_ID=\"12\"",
			want: OS{ID: "debian", Name: "Linux", PrettyName: "Linux", VersionID: "12"},
		},
		{
			name: "spaces around key and value, trailing comment",
			in:   "  ID = fedora   # the id\nNAME=\"F\"  \n",
			want: OS{ID: "fedora", Name: "F", PrettyName: "F"},
		},
		{
			name: "last assignment wins, id lowercased",
			in:   "ID=first\nID=Second\n",
			want: OS{ID: "second", Name: "Linux", PrettyName: "Linux"},
		},
		{
			name: "malformed lines skipped",
			in:   "garbage line\n=novalue\n1KEY=x\nNAME=\"unterminated\nID=ok\nPRETTY_NAME='also unterminated\n",
			want: OS{ID: "ok", Name: "Linux", PrettyName: "Linux"},
		},
		{
			name: "defaults when ID and NAME unset",
			in:   "VERSION_ID=1\n",
			want: OS{ID: "linux", Name: "Linux", PrettyName: "Linux", VersionID: "1"},
		},
		{
			name: "empty ID_LIKE",
			in:   "ID=x\nID_LIKE=\"\"\n",
			want: OS{ID: "x", Name: "Linux", PrettyName: "Linux"},
		},
		{
			name: "ID_LIKE with extra spaces",
			in:   "ID=x\nID_LIKE=\"  rhel   centos fedora \"\n",
			want: OS{ID: "x", IDLike: []string{"rhel", "centos", "fedora"}, Name: "Linux", PrettyName: "Linux"},
		},
		{name: "empty", in: "", wantErr: true},
		{name: "only comments", in: "# nothing\n\n", wantErr: true},
		{name: "binary garbage", in: "\x00\x01\x02\xff\xfe", wantErr: true},
		{name: "html", in: "<html><body>404</body></html>\n", wantErr: true},
		{name: "huge line", in: "ID=" + strings.Repeat("a", maxLine+10), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseOSRelease(strings.NewReader(tt.in))
			if tt.wantErr {
				if err == nil {
					t.Fatalf("got %+v, want error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseOSReleaseReadError(t *testing.T) {
	r := iotest.TimeoutReader(strings.NewReader("ID=debian\n"))
	// TimeoutReader fails on the second read; a 1-byte reader forces it.
	_, err := ParseOSRelease(iotest.OneByteReader(r))
	if err == nil {
		t.Fatal("want read error")
	}
	if !strings.HasPrefix(err.Error(), "read os-release: ") {
		t.Errorf("error %q not wrapped", err)
	}
}

func TestManager(t *testing.T) {
	tests := []struct {
		name string
		os   OS
		want Manager
	}{
		{"debian", OS{ID: "debian"}, Apt},
		{"pop", OS{ID: "pop", IDLike: []string{"ubuntu", "debian"}}, Apt},
		{"unknown derivative of ubuntu", OS{ID: "tuxedo", IDLike: []string{"ubuntu"}}, Apt},
		{"rhel 9", OS{ID: "rhel", IDLike: []string{"fedora"}, VersionID: "9.4"}, Dnf},
		{"rocky 9", OS{ID: "rocky", IDLike: []string{"rhel", "centos", "fedora"}, VersionID: "9.4"}, Dnf},
		{"almalinux", OS{ID: "almalinux", VersionID: "8.10"}, Dnf},
		{"centos stream 9", OS{ID: "centos", VersionID: "9"}, Dnf},
		{"centos 7", OS{ID: "centos", VersionID: "7"}, Yum},
		{"rhel 7.9", OS{ID: "rhel", VersionID: "7.9"}, Yum},
		{"amazon linux 2", OS{ID: "amzn", IDLike: []string{"centos", "rhel", "fedora"}, VersionID: "2"}, Yum},
		{"amazon linux 2023", OS{ID: "amzn", IDLike: []string{"fedora"}, VersionID: "2023"}, Dnf},
		{"nobara via ID_LIKE", OS{ID: "nobara", IDLike: []string{"rhel", "centos", "fedora"}, VersionID: "7"}, Dnf},
		{"manjaro", OS{ID: "manjaro", IDLike: []string{"arch"}}, Pacman},
		{"garuda via ID_LIKE", OS{ID: "garuda", IDLike: []string{"arch"}}, Pacman},
		{"opensuse leap", OS{ID: "opensuse-leap", IDLike: []string{"suse", "opensuse"}}, Zypper},
		{"sles", OS{ID: "sles", IDLike: []string{"suse"}}, Zypper},
		{"alpine", OS{ID: "alpine"}, Apk},
		{"void", OS{ID: "void"}, Unknown},
		{"nixos", OS{ID: "nixos"}, Unknown},
		{"empty", OS{}, Unknown},
		{"first known ID_LIKE wins", OS{ID: "x", IDLike: []string{"nope", "arch", "debian"}}, Pacman},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.os.Manager(); got != tt.want {
				t.Errorf("Manager() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPackageName(t *testing.T) {
	debian := OS{ID: "debian", VersionID: "12", VersionCodename: "bookworm"}
	ubuntu2404 := OS{ID: "ubuntu", IDLike: []string{"debian"}, VersionID: "24.04", VersionCodename: "noble", UbuntuCodename: "noble"}
	ubuntu2204 := OS{ID: "ubuntu", IDLike: []string{"debian"}, VersionID: "22.04", VersionCodename: "jammy", UbuntuCodename: "jammy"}
	ubuntuNoCodename := OS{ID: "ubuntu", VersionID: "20.04"}
	mint21 := OS{ID: "linuxmint", IDLike: []string{"ubuntu", "debian"}, VersionID: "21.3", UbuntuCodename: "jammy"}
	mint22 := OS{ID: "linuxmint", IDLike: []string{"ubuntu", "debian"}, VersionID: "22", UbuntuCodename: "noble"}
	fedora := OS{ID: "fedora", VersionID: "40"}
	centos7 := OS{ID: "centos", VersionID: "7"}
	arch := OS{ID: "arch"}
	tw := OS{ID: "opensuse-tumbleweed", IDLike: []string{"opensuse", "suse"}}
	alpine := OS{ID: "alpine"}
	gentoo := OS{ID: "gentoo"}
	amzn2 := OS{ID: "amzn", IDLike: []string{"centos", "rhel", "fedora"}, VersionID: "2"}
	rocky9 := OS{ID: "rocky", IDLike: []string{"rhel", "centos", "fedora"}, VersionID: "9.4"}
	ubuntu := func(version, codename string) OS {
		return OS{ID: "ubuntu", IDLike: []string{"debian"}, VersionID: version, VersionCodename: codename, UbuntuCodename: codename}
	}
	const linuxTools = "linux-tools-common linux-tools-$(uname -r)"

	tests := []struct {
		name string
		os   OS
		pkg  Package
		want string
	}{
		{"debian pahole", debian, Pahole, "dwarves"},
		{"debian bpftool", debian, Bpftool, "bpftool"},
		{"debian libbpf", debian, LibbpfDev, "libbpf-dev"},
		{"debian libelf", debian, Libelf, "libelf-dev libdw-dev"},
		{"debian ninja", debian, Ninja, "ninja-build"},
		{"debian zlib", debian, Zlib, "zlib1g-dev"},
		{"ubuntu 24.04 bpftool", ubuntu2404, Bpftool, linuxTools},
		{"ubuntu 22.04 bpftool", ubuntu2204, Bpftool, linuxTools},
		{"ubuntu 20.04 without codename", ubuntuNoCodename, Bpftool, linuxTools},
		{"ubuntu 22.04 pahole", ubuntu2204, Pahole, "dwarves"},
		{"mint 21 bpftool follows jammy", mint21, Bpftool, linuxTools},
		{"mint 22 bpftool follows noble", mint22, Bpftool, linuxTools},
		{"ubuntu 24.10 bpftool", ubuntu("24.10", "oracular"), Bpftool, linuxTools},
		{"ubuntu 25.04 bpftool", ubuntu("25.04", "plucky"), Bpftool, linuxTools},
		{"ubuntu 25.10 bpftool", ubuntu("25.10", "questing"), Bpftool, "bpftool"},
		{"ubuntu 26.04 bpftool", ubuntu("26.04", "resolute"), Bpftool, "bpftool"},
		{"ubuntu unknown series older than 25.10", ubuntu("25.04", "zzzold"), Bpftool, linuxTools},
		{"ubuntu unknown series 25.10 and newer", ubuntu("27.10", "zzznew"), Bpftool, "bpftool"},
		{"ubuntu 25.04 without codename", OS{ID: "ubuntu", VersionID: "25.04"}, Bpftool, linuxTools},
		{"ubuntu 25.10 without codename", OS{ID: "ubuntu", VersionID: "25.10"}, Bpftool, "bpftool"},
		{"ubuntu 24.10 without UBUNTU_CODENAME", OS{ID: "ubuntu", VersionID: "24.10", VersionCodename: "oracular"}, Bpftool, linuxTools},
		{"pop 24.04 follows noble", OS{ID: "pop", IDLike: []string{"ubuntu", "debian"}, VersionID: "24.04", UbuntuCodename: "noble"}, Bpftool, linuxTools},
		{"mint 23 follows questing", OS{ID: "linuxmint", IDLike: []string{"ubuntu", "debian"}, VersionID: "23", UbuntuCodename: "questing"}, Bpftool, "bpftool"},
		{"derivative of an unknown newer series", OS{ID: "tuxedo", IDLike: []string{"ubuntu"}, UbuntuCodename: "zzznew"}, Bpftool, "bpftool"},
		{"debian cc has libc headers", debian, CCompiler, "gcc libc6-dev"},
		{"ubuntu cc has libc headers", ubuntu2404, CCompiler, "gcc libc6-dev"},
		{"centos 7 pkg-config", centos7, PkgConfig, "pkgconfig"},
		{"amazon linux 2 pkg-config", amzn2, PkgConfig, "pkgconfig"},
		{"centos 7 cmake", centos7, CMake, "cmake3"},
		{"centos 7 ninja", centos7, Ninja, "ninja-build"},
		{"fedora pkg-config unchanged", fedora, PkgConfig, "pkgconf-pkg-config"},
		{"debian libcap", debian, Libcap, "libcap-dev"},
		{"ubuntu libcap", ubuntu2404, Libcap, "libcap-dev"},
		{"fedora libcap", fedora, Libcap, "libcap-devel"},
		{"rocky 9 libcap", rocky9, Libcap, "libcap-devel"},
		{"centos 7 libcap", centos7, Libcap, "libcap-devel"},
		{"tumbleweed libcap", tw, Libcap, "libcap-devel"},
		{"arch libcap", arch, Libcap, "libcap"},
		{"alpine libcap", alpine, Libcap, "libcap-dev"},
		{"debian rst2man", debian, Rst2man, "python3-docutils"},
		{"fedora rst2man", fedora, Rst2man, "python3-docutils"},
		{"centos 7 rst2man", centos7, Rst2man, "python-docutils"},
		{"tumbleweed rst2man", tw, Rst2man, "python3-docutils"},
		{"arch rst2man", arch, Rst2man, "python-docutils"},
		{"alpine rst2man", alpine, Rst2man, "py3-docutils"},
		{"fedora pahole", fedora, Pahole, "dwarves"},
		{"fedora libbpf", fedora, LibbpfDev, "libbpf-devel"},
		{"fedora libelf", fedora, Libelf, "elfutils-devel"},
		{"fedora c++", fedora, CXXCompiler, "gcc-c++"},
		{"centos 7 uses dnf names", centos7, LibbpfDev, "libbpf-devel"},
		{"arch pahole", arch, Pahole, "pahole"},
		{"arch libbpf", arch, LibbpfDev, "libbpf"},
		{"arch bpftool", arch, Bpftool, "bpf"},
		{"arch libelf", arch, Libelf, "libelf"},
		{"tumbleweed pahole", tw, Pahole, "dwarves"},
		{"tumbleweed libbpf", tw, LibbpfDev, "libbpf-devel"},
		{"tumbleweed libelf", tw, Libelf, "libelf-devel libdw-devel"},
		{"alpine pahole", alpine, Pahole, "pahole"},
		{"alpine libbpf", alpine, LibbpfDev, "libbpf-dev"},
		{"alpine libelf", alpine, Libelf, "elfutils-dev"},
		{"alpine cc", alpine, CCompiler, "gcc musl-dev linux-headers"},
		{"llvm everywhere", fedora, LLVM, "llvm"},
		{"clang everywhere", alpine, Clang, "clang"},
		{"unknown distro", gentoo, Pahole, ""},
		{"unknown package", debian, Package(99), ""},
		{"negative package", debian, Package(-1), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.os.PackageName(tt.pkg); got != tt.want {
				t.Errorf("PackageName(%v) = %q, want %q", tt.pkg, got, tt.want)
			}
		})
	}
}

// Every known manager names every package except those it has none for:
// gcc-multilib only where asm/ is not under /usr/include already (apt), and
// neither lld nor foreign-architecture QEMU on EL7 and Amazon Linux 2.
func TestPackageNamesComplete(t *testing.T) {
	absent := func(m Manager, p Package) bool {
		switch {
		case p == GCCMultilib:
			return m != Apt
		case m == Yum:
			return p == LLD || isQEMU(p)
		}
		return false
	}
	for _, m := range []Manager{Apt, Dnf, Yum, Pacman, Zypper, Apk} {
		for p := LLVM; int(p) < len(packageNames); p++ {
			n, named := names[m][p]
			if absent(m, p) {
				if named {
					t.Errorf("%s names %v as %q, yet it is listed as absent", m, p, n)
				}
				continue
			}
			if strings.TrimSpace(n) == "" {
				t.Errorf("%s has no name for %v", m, p)
			}
			if strings.TrimSpace(n) != n || strings.Contains(n, "  ") {
				t.Errorf("%s name for %v is badly spaced: %q", m, p, n)
			}
		}
	}
}

func TestInstallCommand(t *testing.T) {
	debian := OS{ID: "debian", VersionID: "12"}
	ubuntu2204 := OS{ID: "ubuntu", VersionID: "22.04", UbuntuCodename: "jammy"}
	tests := []struct {
		name   string
		os     OS
		root   bool
		pkgs   []Package
		want   string
		wantOK bool
	}{
		{"apt sudo", debian, false, []Package{LLVM, Clang}, "sudo apt-get install -y llvm clang", true},
		{"apt root", debian, true, []Package{LLVM, Clang}, "apt-get install -y llvm clang", true},
		{"dedupe keeps order", debian, true, []Package{Clang, LLVM, Clang, Libelf, Libelf}, "apt-get install -y clang llvm libelf-dev libdw-dev", true},
		{"ubuntu old bpftool", ubuntu2204, false, []Package{Bpftool, Pahole}, "sudo apt-get install -y linux-tools-common linux-tools-$(uname -r) dwarves", true},
		{"ubuntu noble bpftool", OS{ID: "ubuntu", VersionID: "24.04", UbuntuCodename: "noble"}, true, []Package{Bpftool}, "apt-get install -y linux-tools-common linux-tools-$(uname -r)", true},
		{"ubuntu questing bpftool", OS{ID: "ubuntu", VersionID: "25.10", UbuntuCodename: "questing"}, true, []Package{Bpftool}, "apt-get install -y bpftool", true},
		{"apt cc and c++", debian, true, []Package{CCompiler, CXXCompiler}, "apt-get install -y gcc libc6-dev g++", true},
		{"yum build tools", OS{ID: "centos", VersionID: "7"}, true, []Package{PkgConfig, CMake, Ninja}, "yum install -y pkgconfig cmake3 ninja-build", true},
		{"apk cc", OS{ID: "alpine"}, true, []Package{CCompiler}, "apk add gcc musl-dev linux-headers", true},
		{"bpftool build needs", debian, true, []Package{Libelf, Zlib, Libcap, Rst2man}, "apt-get install -y libelf-dev libdw-dev zlib1g-dev libcap-dev python3-docutils", true},
		{"dnf", OS{ID: "fedora"}, false, []Package{Pahole, LibbpfDev}, "sudo dnf install -y dwarves libbpf-devel", true},
		{"yum", OS{ID: "centos", VersionID: "7"}, true, []Package{Git}, "yum install -y git", true},
		{"pacman dedupes gcc", OS{ID: "arch"}, false, []Package{CCompiler, CXXCompiler, Pahole}, "sudo pacman -S --needed --noconfirm gcc pahole", true},
		{"zypper", OS{ID: "opensuse-tumbleweed"}, true, []Package{Libelf, Zlib}, "zypper --non-interactive install libelf-devel libdw-devel zlib-devel", true},
		{"apk", OS{ID: "alpine"}, true, []Package{CCompiler, Ninja}, "apk add gcc musl-dev linux-headers samurai", true},
		{"unknown manager", OS{ID: "gentoo"}, false, []Package{LLVM}, "", false},
		{"no packages", debian, false, nil, "", false},
		{"only unknown packages", debian, false, []Package{Package(42)}, "", false},
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

// The linux-tools name relies on the command being pasted into a shell
// unquoted: a POSIX shell must read it back as the running kernel's package.
func TestInstallCommandShellWords(t *testing.T) {
	noble := OS{ID: "ubuntu", VersionID: "24.04", UbuntuCodename: "noble"}
	cmd, ok := noble.InstallCommand(true, Bpftool, Pahole)
	if !ok {
		t.Fatal("no install command for noble")
	}
	words, found := strings.CutPrefix(cmd, "apt-get install -y ")
	if !found {
		t.Fatalf("unexpected command %q", cmd)
	}
	out, err := exec.Command("/bin/sh", "-c", "printf '%s\\n' "+words+"; uname -r").Output()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("shell read %q as %d words, want 3", words, len(lines)-1)
	}
	release := lines[3]
	want := []string{"linux-tools-common", "linux-tools-" + release, "dwarves"}
	if !reflect.DeepEqual(lines[:3], want) {
		t.Errorf("shell read %q as %q, want %q", words, lines[:3], want)
	}
}

func TestInstallNote(t *testing.T) {
	const (
		ubuntuTools = "Before Ubuntu 25.10 bpftool is a wrapper in linux-tools-common that runs the bpftool built for the running kernel, from linux-tools-$(uname -r); add linux-tools-generic (or your kernel flavour's, e.g. linux-tools-aws) to keep it across kernel upgrades."
		el7EPEL     = "On EL7 cmake3 and ninja-build come from EPEL, so enable it first (sudo yum install epel-release on CentOS 7; https://docs.fedoraproject.org/en-US/epel/ elsewhere); EPEL's cmake3 runs as cmake3, and base's cmake is 2.8."
		el7LLVM     = "EL7's base has no clang or llvm, and EPEL's 3.4 predates the BPF target: use llvm-toolset-7 from Software Collections (sudo yum install centos-release-scl, then sudo yum install llvm-toolset-7, and run it under scl enable llvm-toolset-7 bash)."
		amzn2EPEL   = "On Amazon Linux 2 ninja-build comes from EPEL, so enable it first (sudo amazon-linux-extras install epel); cmake3 runs as cmake3, and cmake is 2.8."
		crb         = "libbpf-devel and ninja-build are in the CRB repository, which is off by default: enable it with sudo dnf config-manager --set-enabled crb (from dnf-plugins-core)."
		powertools  = "libbpf-devel and ninja-build are in the PowerTools repository, which is off by default: enable it with sudo dnf config-manager --set-enabled powertools (from dnf-plugins-core)."
	)
	noble := OS{ID: "ubuntu", VersionID: "24.04", UbuntuCodename: "noble"}
	centos7 := OS{ID: "centos", VersionID: "7"}
	amzn2 := OS{ID: "amzn", IDLike: []string{"centos", "rhel", "fedora"}, VersionID: "2"}
	tests := []struct {
		name string
		os   OS
		root bool
		pkgs []Package
		want string
	}{
		{"ubuntu noble bpftool", noble, false, []Package{Bpftool, Pahole}, ubuntuTools},
		{"mint 22 bpftool", OS{ID: "linuxmint", IDLike: []string{"ubuntu", "debian"}, VersionID: "22", UbuntuCodename: "noble"}, false, []Package{Bpftool}, ubuntuTools},
		{"ubuntu questing bpftool", OS{ID: "ubuntu", VersionID: "25.10", UbuntuCodename: "questing"}, false, []Package{Bpftool}, ""},
		{"debian bpftool", OS{ID: "debian", VersionID: "12"}, false, []Package{Bpftool, LibbpfDev, Ninja}, ""},
		{"centos 7 cmake and ninja once", centos7, false, []Package{CMake, Ninja, Git}, el7EPEL},
		{"centos 7 clang and llvm once, then epel", centos7, false, []Package{Clang, LLVM, Ninja}, el7LLVM + " " + el7EPEL},
		{"rhel 7 root", OS{ID: "rhel", VersionID: "7.9"}, true, []Package{Ninja}, strings.ReplaceAll(el7EPEL, "sudo ", "")},
		{"amazon linux 2 ninja", amzn2, false, []Package{Ninja, CMake}, amzn2EPEL},
		{"amazon linux 2 has clang", amzn2, false, []Package{Clang, LLVM}, ""},
		{"rocky 9 libbpf and ninja", OS{ID: "rocky", IDLike: []string{"rhel", "centos", "fedora"}, VersionID: "9.4"}, false, []Package{LibbpfDev, Ninja}, crb},
		{"almalinux 9 ninja", OS{ID: "almalinux", VersionID: "9.5"}, false, []Package{Ninja}, crb},
		{"centos stream 9 libbpf", OS{ID: "centos", VersionID: "9"}, false, []Package{LibbpfDev}, crb},
		{"centos stream 9 root", OS{ID: "centos", VersionID: "9"}, true, []Package{LibbpfDev}, strings.ReplaceAll(crb, "sudo ", "")},
		{"almalinux 8 libbpf", OS{ID: "almalinux", VersionID: "8.10"}, false, []Package{LibbpfDev}, powertools},
		{"rocky 8 ninja", OS{ID: "rocky", VersionID: "8.9"}, false, []Package{Ninja}, powertools},
		{"rhel 9", OS{ID: "rhel", VersionID: "9.4"}, false, []Package{LibbpfDev},
			"libbpf-devel and ninja-build are in the CodeReady Linux Builder repository, which is off by default: enable it with sudo subscription-manager repos --enable codeready-builder-for-rhel-9-$(arch)-rpms."},
		{"rhel 8", OS{ID: "rhel", VersionID: "8.10"}, false, []Package{Ninja},
			"libbpf-devel and ninja-build are in the CodeReady Linux Builder repository, which is off by default: enable it with sudo subscription-manager repos --enable codeready-builder-for-rhel-8-$(arch)-rpms."},
		{"oracle linux 9", OS{ID: "ol", VersionID: "9.4"}, false, []Package{LibbpfDev},
			"libbpf-devel and ninja-build are in the ol9_codeready_builder repository, which is off by default: enable it with sudo dnf config-manager --set-enabled ol9_codeready_builder (from dnf-plugins-core)."},
		{"rocky 9 clang", OS{ID: "rocky", VersionID: "9.4"}, false, []Package{Clang, Pahole}, ""},
		{"fedora libbpf", OS{ID: "fedora", VersionID: "40"}, false, []Package{LibbpfDev, Ninja}, ""},
		{"amazon linux 2023 libbpf", OS{ID: "amzn", VersionID: "2023"}, false, []Package{LibbpfDev}, ""},
		{"unknown manager", OS{ID: "gentoo"}, false, []Package{Bpftool}, ""},
		{"no packages", centos7, false, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.os.InstallNote(tt.root, tt.pkgs...); got != tt.want {
				t.Errorf("InstallNote = %q\nwant          %q", got, tt.want)
			}
		})
	}
}

func TestPackageString(t *testing.T) {
	if got := Pahole.String(); got != "pahole" {
		t.Errorf("Pahole.String() = %q", got)
	}
	if got := Libcap.String(); got != "libcap" {
		t.Errorf("Libcap.String() = %q", got)
	}
	if got := Rst2man.String(); got != "rst2man" {
		t.Errorf("Rst2man.String() = %q", got)
	}
	if got := Package(77).String(); got != "Package(77)" {
		t.Errorf("Package(77).String() = %q", got)
	}
}

func FuzzParseOSRelease(f *testing.F) {
	for _, name := range []string{"debian-12.os-release", "ubuntu-24.04.os-release", "opensuse-tumbleweed.os-release", "linuxmint-21.3.os-release"} {
		f.Add(testkit.ReadTestdata(f, name))
	}
	f.Add(`A="b\"c" 'd'` + "\nID=x\\")
	f.Add("ID='unterminated\nNAME=\"x")
	f.Fuzz(func(t *testing.T, in string) {
		o, err := ParseOSRelease(strings.NewReader(in))
		if err != nil {
			return
		}
		if o.ID == "" || o.Name == "" {
			t.Fatalf("parsed without defaults: %+v", o)
		}
		for _, l := range o.IDLike {
			if l == "" || strings.ContainsAny(l, " \t") {
				t.Fatalf("bad ID_LIKE entry %q", l)
			}
		}
		// Whatever parsed must be usable downstream without panicking.
		_ = o.Manager()
		_, _ = o.InstallCommand(false, LLVM, Clang, Pahole, Bpftool, LibbpfDev, Libelf)
	})
}
