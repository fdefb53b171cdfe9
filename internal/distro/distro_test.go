package distro

import (
	"errors"
	"os"
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
		{"ubuntu 24.04 bpftool", ubuntu2404, Bpftool, "bpftool"},
		{"ubuntu 22.04 bpftool", ubuntu2204, Bpftool, "linux-tools-common linux-tools-generic"},
		{"ubuntu 20.04 without codename", ubuntuNoCodename, Bpftool, "linux-tools-common linux-tools-generic"},
		{"ubuntu 22.04 pahole", ubuntu2204, Pahole, "dwarves"},
		{"mint 21 bpftool follows jammy", mint21, Bpftool, "linux-tools-common linux-tools-generic"},
		{"mint 22 bpftool follows noble", mint22, Bpftool, "bpftool"},
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
		{"alpine cc", alpine, CCompiler, "gcc musl-dev"},
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

// Every known manager names every package.
func TestPackageNamesComplete(t *testing.T) {
	for _, m := range []Manager{Apt, Dnf, Yum, Pacman, Zypper, Apk} {
		for p := LLVM; p <= Zlib; p++ {
			n := names[m][p]
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
		{"ubuntu old bpftool", ubuntu2204, false, []Package{Bpftool, Pahole}, "sudo apt-get install -y linux-tools-common linux-tools-generic dwarves", true},
		{"dnf", OS{ID: "fedora"}, false, []Package{Pahole, LibbpfDev}, "sudo dnf install -y dwarves libbpf-devel", true},
		{"yum", OS{ID: "centos", VersionID: "7"}, true, []Package{Git}, "yum install -y git", true},
		{"pacman dedupes gcc", OS{ID: "arch"}, false, []Package{CCompiler, CXXCompiler, Pahole}, "sudo pacman -S --needed --noconfirm gcc pahole", true},
		{"zypper", OS{ID: "opensuse-tumbleweed"}, true, []Package{Libelf, Zlib}, "zypper --non-interactive install libelf-devel libdw-devel zlib-devel", true},
		{"apk", OS{ID: "alpine"}, true, []Package{CCompiler, Ninja}, "apk add gcc musl-dev samurai", true},
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

func TestPackageString(t *testing.T) {
	if got := Pahole.String(); got != "pahole" {
		t.Errorf("Pahole.String() = %q", got)
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
