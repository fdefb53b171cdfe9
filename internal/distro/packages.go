package distro

import (
	"strconv"
	"strings"
)

// Package is a piece of the BPF toolchain that a distribution packages.
type Package int

const (
	LLVM        Package = iota // llc, llvm-strip, llvm-objcopy
	Clang                      // clang
	Pahole                     // pahole (dwarves)
	Bpftool                    // bpftool
	LibbpfDev                  // libbpf headers, library and libbpf.pc
	PkgConfig                  // pkg-config
	CMake                      // cmake
	Ninja                      // ninja
	Git                        // git
	CCompiler                  // cc and the C library headers
	CXXCompiler                // c++
	Libelf                     // libelf and libdw headers (elfutils)
	Zlib                       // zlib headers
)

var packageNames = [...]string{
	LLVM: "LLVM", Clang: "Clang", Pahole: "pahole", Bpftool: "bpftool", LibbpfDev: "libbpf-dev",
	PkgConfig: "pkg-config", CMake: "CMake", Ninja: "Ninja", Git: "Git", CCompiler: "C compiler",
	CXXCompiler: "C++ compiler", Libelf: "libelf/libdw", Zlib: "zlib",
}

// String names the package generically, not as any distribution spells it.
func (p Package) String() string {
	if p >= 0 && int(p) < len(packageNames) {
		return packageNames[p]
	}
	return "Package(" + strconv.Itoa(int(p)) + ")"
}

// Manager is a distribution's package manager.
type Manager string

const (
	Apt    Manager = "apt"
	Dnf    Manager = "dnf"
	Yum    Manager = "yum" // RHEL/CentOS 7 and Amazon Linux 2, which have no dnf
	Pacman Manager = "pacman"
	Zypper Manager = "zypper"
	Apk    Manager = "apk"
	// Unknown is a distribution this package has no names for.
	Unknown Manager = ""
)

// managerByID maps os-release IDs to managers. Derivatives not listed here
// are usually found through ID_LIKE.
var managerByID = map[string]Manager{
	"debian": Apt, "ubuntu": Apt, "linuxmint": Apt, "pop": Apt, "raspbian": Apt,
	"kali": Apt, "elementary": Apt, "zorin": Apt, "neon": Apt, "devuan": Apt,
	"fedora": Dnf, "rhel": Dnf, "centos": Dnf, "rocky": Dnf, "almalinux": Dnf,
	"ol": Dnf, "amzn": Dnf, "circle": Dnf,
	"arch": Pacman, "manjaro": Pacman, "endeavouros": Pacman, "archarm": Pacman,
	"sles": Zypper, "sled": Zypper, "suse": Zypper, "opensuse": Zypper,
	"alpine": Apk, "postmarketos": Apk,
}

func managerFor(id string) Manager {
	if m, ok := managerByID[id]; ok {
		return m
	}
	// opensuse-tumbleweed, opensuse-leap, opensuse-slowroll, ...
	if strings.HasPrefix(id, "opensuse") {
		return Zypper
	}
	return Unknown
}

// Manager picks the package manager from ID, then from ID_LIKE in order.
func (o OS) Manager() Manager {
	m := managerFor(o.ID)
	if m == Unknown {
		for _, like := range o.IDLike {
			if m = managerFor(like); m != Unknown {
				break
			}
		}
	}
	if m == Dnf && o.usesYum() {
		return Yum
	}
	return m
}

// usesYum reports the EL7-era systems that ship yum without dnf. Only the
// distributions' own IDs are checked: a derivative's VERSION_ID numbers its
// own releases.
func (o OS) usesYum() bool {
	switch o.ID {
	case "amzn":
		return o.VersionID == "2"
	case "rhel", "centos", "ol", "scientific":
		major, _, _ := strings.Cut(o.VersionID, ".")
		n, err := strconv.Atoi(major)
		return err == nil && n < 8
	}
	return false
}

// names holds each manager's spelling; several names are space-separated.
// Where a distribution renamed a package the old name is usually still
// provided, and the name chosen is the one the newest release resolves.
var names = map[Manager]map[Package]string{
	Apt: {
		LLVM: "llvm", Clang: "clang", Pahole: "dwarves",
		// Debian ships bpftool as its own package since bullseye; Ubuntu
		// is handled in PackageName.
		Bpftool:   "bpftool",
		LibbpfDev: "libbpf-dev",
		PkgConfig: "pkg-config", CMake: "cmake", Ninja: "ninja-build", Git: "git",
		CCompiler: "gcc", CXXCompiler: "g++",
		Libelf: "libelf-dev libdw-dev", Zlib: "zlib1g-dev",
	},
	Dnf: {
		LLVM: "llvm", Clang: "clang", Pahole: "dwarves", Bpftool: "bpftool",
		// On RHEL and clones libbpf-devel lives in the CRB (PowerTools)
		// repository, which is not enabled by default.
		LibbpfDev: "libbpf-devel",
		PkgConfig: "pkgconf-pkg-config", CMake: "cmake", Ninja: "ninja-build", Git: "git",
		CCompiler: "gcc", CXXCompiler: "gcc-c++",
		// Fedora 40+ builds zlib-ng-compat-devel, which provides zlib-devel.
		Libelf: "elfutils-devel", Zlib: "zlib-devel",
	},
	Pacman: {
		LLVM: "llvm", Clang: "clang", Pahole: "pahole",
		Bpftool:   "bpf", // Arch's "bpf" package (from the kernel tree) holds bpftool
		LibbpfDev: "libbpf",
		PkgConfig: "pkgconf", CMake: "cmake", Ninja: "ninja", Git: "git",
		CCompiler: "gcc", CXXCompiler: "gcc", // Arch's gcc includes g++
		Libelf: "libelf", Zlib: "zlib",
	},
	Zypper: {
		LLVM: "llvm", Clang: "clang", Pahole: "dwarves", Bpftool: "bpftool",
		LibbpfDev: "libbpf-devel",
		PkgConfig: "pkg-config", CMake: "cmake", Ninja: "ninja", Git: "git",
		CCompiler: "gcc", CXXCompiler: "gcc-c++",
		Libelf: "libelf-devel libdw-devel", Zlib: "zlib-devel",
	},
	Apk: {
		// llvm and clang are virtual names for the current llvmNN/clangNN.
		LLVM: "llvm", Clang: "clang", Pahole: "pahole", Bpftool: "bpftool",
		LibbpfDev: "libbpf-dev",
		PkgConfig: "pkgconf", CMake: "cmake",
		Ninja: "samurai", // Alpine's ninja since 3.12; it provides the ninja command
		Git:   "git",
		// gcc alone has no libc headers on Alpine.
		CCompiler: "gcc musl-dev", CXXCompiler: "g++",
		Libelf: "elfutils-dev", Zlib: "zlib-dev",
	},
}

func init() {
	names[Yum] = names[Dnf]
}

// PackageName gives the distribution's name(s) for p, several separated by
// a space, or "" when the manager or the package is unknown.
func (o OS) PackageName(p Package) string {
	m := o.Manager()
	if p == Bpftool && m == Apt && o.ubuntuBased() && !o.ubuntuHasBpftoolPackage() {
		// Up to 23.10 Ubuntu has no bpftool package: linux-tools-common
		// ships /usr/sbin/bpftool as a wrapper script that execs
		// /usr/lib/linux-tools/$(uname -r)/bpftool, which comes from the
		// kernel-specific linux-tools-<release>-<flavour>.
		// linux-tools-generic pulls that in for the current generic kernel;
		// other flavours (aws, azure, lowlatency) or an older running
		// kernel need linux-tools-$(uname -r) instead.
		return "linux-tools-common linux-tools-generic"
	}
	return names[m][p]
}

// oldUbuntu are the Ubuntu series without a standalone bpftool package.
var oldUbuntu = map[string]bool{
	"trusty": true, "xenial": true, "bionic": true, "cosmic": true, "disco": true,
	"eoan": true, "focal": true, "groovy": true, "hirsute": true, "impish": true,
	"jammy": true, "kinetic": true, "lunar": true, "mantic": true,
}

func (o OS) ubuntuBased() bool {
	if o.ID == "ubuntu" || o.UbuntuCodename != "" {
		return true
	}
	for _, l := range o.IDLike {
		if l == "ubuntu" {
			return true
		}
	}
	return false
}

// ubuntuHasBpftoolPackage tells whether the Ubuntu archive below o ships
// bpftool as its own package. Ubuntu's kernel team split it out of
// linux-tools-common (LP: #2007308, Feb 2025) for 25.04 and later; reports
// show 24.04 got it through an update as well, while 22.04 answers "Package
// 'bpftool' has no installation candidate". Unknown series are assumed new.
func (o OS) ubuntuHasBpftoolPackage() bool {
	codename := o.UbuntuCodename
	if codename == "" && o.ID == "ubuntu" {
		codename = o.VersionCodename
	}
	if codename != "" {
		return !oldUbuntu[codename]
	}
	if o.ID == "ubuntu" {
		major, _, _ := strings.Cut(o.VersionID, ".")
		if n, err := strconv.Atoi(major); err == nil {
			return n >= 24
		}
	}
	return true
}

// InstallCommand is a shell command that installs pkgs, e.g.
// "sudo apt-get install -y llvm clang". Names are deduplicated, first
// occurrence kept. root drops the "sudo " prefix. ok is false when the
// manager is unknown or no package has a name there.
func (o OS) InstallCommand(root bool, pkgs ...Package) (cmd string, ok bool) {
	m := o.Manager()
	var prefix string
	switch m {
	case Apt:
		prefix = "apt-get install -y"
	case Dnf:
		prefix = "dnf install -y"
	case Yum:
		prefix = "yum install -y"
	case Pacman:
		prefix = "pacman -S --needed --noconfirm"
	case Zypper:
		prefix = "zypper --non-interactive install"
	case Apk:
		prefix = "apk add"
	default:
		return "", false
	}
	seen := map[string]bool{}
	var list []string
	for _, p := range pkgs {
		for _, n := range strings.Fields(o.PackageName(p)) {
			if !seen[n] {
				seen[n] = true
				list = append(list, n)
			}
		}
	}
	if len(list) == 0 {
		return "", false
	}
	cmd = prefix + " " + strings.Join(list, " ")
	if !root {
		// Alpine more often has doas than sudo, but sudo is the
		// widely understood spelling; the user adapts it if needed.
		cmd = "sudo " + cmd
	}
	return cmd, true
}
