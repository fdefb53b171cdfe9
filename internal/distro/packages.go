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
	Libcap                     // libcap headers (sys/capability.h), for bpftool and the selftests
	Rst2man                    // rst2man (docutils), for bpftool's man pages
	// GCCMultilib adds /usr/include/asm on Debian and Ubuntu, where the
	// kernel's asm/ headers otherwise live only under the multiarch
	// directory that clang --target=bpf does not search (libbpf-bootstrap's
	// README prescribes it for that error). Other distributions install
	// asm/ under /usr/include already, so only apt names it.
	GCCMultilib
	LLD       // ld.lld, the LLVM linker
	Python3   // python3, which the kernel's scripts/bpf_doc.py runs under (/usr/bin/env python3)
	Libpcap   // libpcap headers and libpcap.pc
	Libcrypto // OpenSSL's libcrypto headers and libcrypto.pc, for the selftests' sign-file
	Zstd      // zstd, which vmtest.sh checks for
	Curl      // curl, which vmtest.sh downloads its image with
	// The system emulator for one architecture; QEMU picks it by uname -m.
	QEMUX86   // qemu-system-x86_64
	QEMUArm   // qemu-system-aarch64
	QEMUS390x // qemu-system-s390x
	QEMUMisc  // qemu-system-riscv64, which Debian packages with the other minor targets
)

var packageNames = [...]string{
	LLVM: "LLVM", Clang: "Clang", Pahole: "pahole", Bpftool: "bpftool", LibbpfDev: "libbpf-dev",
	PkgConfig: "pkg-config", CMake: "CMake", Ninja: "Ninja", Git: "Git", CCompiler: "C compiler",
	CXXCompiler: "C++ compiler", Libelf: "libelf/libdw", Zlib: "zlib", Libcap: "libcap",
	Rst2man: "rst2man", GCCMultilib: "gcc-multilib", LLD: "lld", Python3: "python3",
	Libpcap: "libpcap", Libcrypto: "libcrypto (OpenSSL)", Zstd: "zstd", Curl: "curl",
	QEMUX86: "qemu-system-x86_64", QEMUArm: "qemu-system-aarch64", QEMUS390x: "qemu-system-s390x",
	QEMUMisc: "qemu-system-riscv64",
}

// qemuByMachine maps uname -m to the package of the system emulator that
// runs a guest of that architecture.
var qemuByMachine = map[string]Package{
	"x86_64": QEMUX86, "aarch64": QEMUArm, "s390x": QEMUS390x, "riscv64": QEMUMisc,
}

// QEMU gives the package whose qemu-system-* emulates uname, a uname -m
// value; false for an architecture without a constant here.
func QEMU(uname string) (Package, bool) {
	p, ok := qemuByMachine[uname]
	return p, ok
}

func isQEMU(p Package) bool {
	return p == QEMUX86 || p == QEMUArm || p == QEMUS390x || p == QEMUMisc
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
// The names are written into InstallCommand as they are, not quoted.
//
// Sources: "apt-cache" is `apt-cache policy NAME` on Debian 12 (bookworm);
// "from memory" marks a name not checked against a listing here. A
// package a manager has no name for is left out, so that callers fall back
// to prose instead of a command that fails.
var names = map[Manager]map[Package]string{
	Apt: {
		LLVM:   "llvm",    // apt-cache
		Clang:  "clang",   // apt-cache
		Pahole: "dwarves", // apt-cache
		// Debian ships bpftool as its own package since bullseye; Ubuntu
		// is handled in packageWords.
		Bpftool:   "bpftool",     // apt-cache
		LibbpfDev: "libbpf-dev",  // apt-cache
		PkgConfig: "pkg-config",  // apt-cache
		CMake:     "cmake",       // apt-cache
		Ninja:     "ninja-build", // apt-cache
		Git:       "git",         // apt-cache
		// gcc only recommends libc6-dev ("Recommends: libc6-dev | libc-dev",
		// apt-cache show gcc), so --no-install-recommends or
		// APT::Install-Recommends "false" leaves no libc headers; libc6-dev
		// depends on linux-libc-dev, which holds <linux/bpf.h>.
		CCompiler:   "gcc libc6-dev",
		CXXCompiler: "g++",                  // apt-cache
		Libelf:      "libelf-dev libdw-dev", // apt-cache
		Zlib:        "zlib1g-dev",           // apt-cache
		Libcap:      "libcap-dev",           // apt-cache
		Rst2man:     "python3-docutils",     // apt-cache; ships /usr/bin/rst2man (dpkg -c)
		GCCMultilib: "gcc-multilib",         // apt-cache
		// lld depends on the default lld-N (lld-14 on bookworm, apt-cache
		// show lld) and adds /usr/bin/ld.lld; a versioned lld-N alone puts
		// only /usr/bin/ld.lld-N on PATH, plus /usr/lib/llvm-N/bin/ld.lld
		// (dpkg -L lld-19).
		LLD:       "lld",             // apt-cache
		Python3:   "python3",         // apt-cache
		Libpcap:   "libpcap-dev",     // apt-cache; depends on libpcap0.8-dev
		Libcrypto: "libssl-dev",      // apt-cache
		Zstd:      "zstd",            // apt-cache
		Curl:      "curl",            // apt-cache
		QEMUX86:   "qemu-system-x86", // apt-cache; provides qemu-system-x86-64
		QEMUArm:   "qemu-system-arm", // apt-cache; provides qemu-system-aarch64
		// Bookworm has no qemu-system-s390x package, only the name that
		// qemu-system-misc provides (apt-cache showpkg qemu-system-s390x);
		// Ubuntu is handled in packageWords.
		QEMUS390x: "qemu-system-misc", // apt-cache
		QEMUMisc:  "qemu-system-misc", // apt-cache; provides qemu-system-riscv64
	},
	Dnf: {
		LLVM:    "llvm",    // https://packages.fedoraproject.org/pkgs/llvm/llvm/ (from memory)
		Clang:   "clang",   // https://packages.fedoraproject.org/pkgs/llvm/clang/ (from memory)
		Pahole:  "dwarves", // https://packages.fedoraproject.org/pkgs/dwarves/dwarves/ (from memory)
		Bpftool: "bpftool", // https://packages.fedoraproject.org/pkgs/kernel/bpftool/ (from memory)
		// On RHEL and clones libbpf-devel lives in the CRB (PowerTools)
		// repository, which is not enabled by default: see elNote.
		LibbpfDev:   "libbpf-devel",       // https://packages.fedoraproject.org/pkgs/libbpf/libbpf-devel/ (from memory)
		PkgConfig:   "pkgconf-pkg-config", // https://packages.fedoraproject.org/pkgs/pkgconf/pkgconf-pkg-config/ (from memory)
		CMake:       "cmake",              // https://packages.fedoraproject.org/pkgs/cmake/cmake/ (from memory)
		Ninja:       "ninja-build",        // https://packages.fedoraproject.org/pkgs/ninja-build/ninja-build/ (from memory)
		Git:         "git",                // from memory
		CCompiler:   "gcc",                // Fedora's gcc requires glibc-devel, so headers come along (from memory)
		CXXCompiler: "gcc-c++",            // from memory
		// Fedora 40+ builds zlib-ng-compat-devel, which provides zlib-devel.
		Libelf:    "elfutils-devel",   // from memory
		Zlib:      "zlib-devel",       // from memory
		Libcap:    "libcap-devel",     // https://packages.fedoraproject.org/pkgs/libcap/libcap-devel/ (from memory)
		Rst2man:   "python3-docutils", // https://packages.fedoraproject.org/pkgs/python-docutils/python3-docutils/ (from memory)
		LLD:       "lld",              // https://packages.fedoraproject.org/pkgs/lld/lld/ (from memory)
		Python3:   "python3",          // from memory
		Libpcap:   "libpcap-devel",    // from memory
		Libcrypto: "openssl-devel",    // from memory
		Zstd:      "zstd",             // from memory
		Curl:      "curl",             // from memory
		// Fedora's names; RHEL and its rebuilds have only qemu-kvm, whose
		// emulator is /usr/libexec/qemu-kvm, so packageWords drops these
		// there (from memory).
		QEMUX86:   "qemu-system-x86",     // https://packages.fedoraproject.org/pkgs/qemu/qemu-system-x86/ (from memory)
		QEMUArm:   "qemu-system-aarch64", // from memory
		QEMUS390x: "qemu-system-s390x",   // from memory
		QEMUMisc:  "qemu-system-riscv",   // from memory
	},
	// EL7 and Amazon Linux 2: the dnf names, except where yum's
	// repositories differ. What needs EPEL or Software Collections is said
	// in yumNote.
	Yum: {
		LLVM:      "llvm",         // Amazon Linux 2 core has llvm; EL7 has none in base (yumNote; from memory)
		Clang:     "clang",        // as LLVM
		Pahole:    "dwarves",      // CentOS 7 base: dwarves-1.x.el7 (from memory)
		Bpftool:   "bpftool",      // unchanged from the dnf names; not checked for EL7
		LibbpfDev: "libbpf-devel", // unchanged from the dnf names; not checked for EL7
		// No pkgconf on EL7: pkgconfig-0.27.1-4.el7 in CentOS 7 base (from memory).
		PkgConfig: "pkgconfig",
		// Base's cmake is 2.8.12; EPEL 7 has cmake3 (3.17), installed as
		// the command cmake3 (https://packages.fedoraproject.org/pkgs/cmake3/cmake3/, from memory).
		CMake:       "cmake3",
		Ninja:       "ninja-build",    // EPEL 7 only (from memory)
		Git:         "git",            // CentOS 7 base (from memory)
		CCompiler:   "gcc",            // CentOS 7 base; requires glibc-devel (from memory)
		CXXCompiler: "gcc-c++",        // CentOS 7 base (from memory)
		Libelf:      "elfutils-devel", // CentOS 7 base (from memory)
		Zlib:        "zlib-devel",     // CentOS 7 base (from memory)
		Libcap:      "libcap-devel",   // CentOS 7 base (from memory)
		// EL7 has no python3-docutils in base; python-docutils (0.11, for
		// Python 2) ships rst2man (from memory; uncertain whether as rst2man or rst2man.py).
		Rst2man: "python-docutils",
		// No lld and no qemu-system-* for foreign architectures in EL7's
		// base or EPEL, nor in Amazon Linux 2 core (from memory): left out.
		Python3:   "python3",       // CentOS 7.7 base and Amazon Linux 2 core: python 3.6/3.7 (from memory)
		Libpcap:   "libpcap-devel", // CentOS 7 base (from memory)
		Libcrypto: "openssl-devel", // CentOS 7 base: OpenSSL 1.0.2 (from memory)
		Zstd:      "zstd",          // EPEL 7 on EL7 (yumNote); Amazon Linux 2 core (from memory)
		Curl:      "curl",          // CentOS 7 base (from memory)
	},
	Pacman: {
		LLVM:        "llvm",            // https://archlinux.org/packages/extra/x86_64/llvm/ (from memory)
		Clang:       "clang",           // https://archlinux.org/packages/extra/x86_64/clang/ (from memory)
		Pahole:      "pahole",          // https://archlinux.org/packages/extra/x86_64/pahole/ (from memory)
		Bpftool:     "bpf",             // Arch's "bpf" package (from the kernel tree) holds bpftool (from memory)
		LibbpfDev:   "libbpf",          // Arch packages ship headers in the main package (from memory)
		PkgConfig:   "pkgconf",         // from memory
		CMake:       "cmake",           // from memory
		Ninja:       "ninja",           // from memory
		Git:         "git",             // from memory
		CCompiler:   "gcc",             // glibc depends on linux-api-headers, so headers are there (from memory)
		CXXCompiler: "gcc",             // Arch's gcc includes g++
		Libelf:      "libelf",          // from memory
		Zlib:        "zlib",            // from memory
		Libcap:      "libcap",          // https://archlinux.org/packages/core/x86_64/libcap/ (from memory)
		Rst2man:     "python-docutils", // https://archlinux.org/packages/extra/any/python-docutils/ (from memory)
		LLD:         "lld",             // https://archlinux.org/packages/extra/x86_64/lld/ (from memory)
		Python3:     "python",          // Arch's python is Python 3 (from memory)
		Libpcap:     "libpcap",         // from memory
		Libcrypto:   "openssl",         // from memory
		Zstd:        "zstd",            // from memory
		Curl:        "curl",            // from memory
		// Arch split qemu into qemu-system-* packages (from memory).
		QEMUX86:   "qemu-system-x86",     // from memory
		QEMUArm:   "qemu-system-aarch64", // from memory
		QEMUS390x: "qemu-system-s390x",   // from memory
		QEMUMisc:  "qemu-system-riscv",   // from memory
	},
	Zypper: {
		LLVM:        "llvm",                     // https://software.opensuse.org/package/llvm (from memory)
		Clang:       "clang",                    // https://software.opensuse.org/package/clang (from memory)
		Pahole:      "dwarves",                  // https://software.opensuse.org/package/dwarves (from memory)
		Bpftool:     "bpftool",                  // https://software.opensuse.org/package/bpftool (from memory)
		LibbpfDev:   "libbpf-devel",             // from memory
		PkgConfig:   "pkg-config",               // from memory
		CMake:       "cmake",                    // from memory
		Ninja:       "ninja",                    // from memory
		Git:         "git",                      // from memory
		CCompiler:   "gcc",                      // from memory
		CXXCompiler: "gcc-c++",                  // from memory
		Libelf:      "libelf-devel libdw-devel", // from memory
		Zlib:        "zlib-devel",               // from memory
		Libcap:      "libcap-devel",             // https://software.opensuse.org/package/libcap-devel (from memory)
		// Leap 15 has python3-docutils itself; Tumbleweed builds
		// python3NN-docutils, and python3-docutils is assumed to be provided
		// by the default flavour (from memory; uncertain).
		Rst2man:   "python3-docutils",
		LLD:       "lld",              // https://software.opensuse.org/package/lld (from memory)
		Python3:   "python3",          // from memory
		Libpcap:   "libpcap-devel",    // from memory
		Libcrypto: "libopenssl-devel", // from memory
		Zstd:      "zstd",             // from memory
		Curl:      "curl",             // from memory
		QEMUX86:   "qemu-x86",         // from memory
		QEMUArm:   "qemu-arm",         // from memory
		QEMUS390x: "qemu-s390x",       // from memory
		QEMUMisc:  "qemu-extra",       // holds qemu-system-riscv64 (from memory)
	},
	Apk: {
		// llvm and clang are virtual names for the current llvmNN/clangNN.
		LLVM:      "llvm",       // https://pkgs.alpinelinux.org/packages?name=llvm* (from memory)
		Clang:     "clang",      // from memory
		Pahole:    "pahole",     // https://pkgs.alpinelinux.org/package/edge/community/x86_64/pahole (from memory)
		Bpftool:   "bpftool",    // https://pkgs.alpinelinux.org/package/edge/community/x86_64/bpftool (from memory)
		LibbpfDev: "libbpf-dev", // from memory
		PkgConfig: "pkgconf",    // from memory
		CMake:     "cmake",      // from memory
		Ninja:     "samurai",    // Alpine's ninja since 3.12; it provides the ninja command (from memory)
		Git:       "git",        // from memory
		// gcc alone has no libc headers on Alpine, and musl-dev has no
		// kernel headers: <linux/bpf.h> is in linux-headers
		// (https://pkgs.alpinelinux.org/package/v3.20/main/x86_64/linux-headers, from memory).
		CCompiler:   "gcc musl-dev linux-headers",
		CXXCompiler: "g++",          // from memory
		Libelf:      "elfutils-dev", // from memory
		Zlib:        "zlib-dev",     // from memory
		// libcap is the runtime since 3.16; the headers are libcap-dev
		// (https://pkgs.alpinelinux.org/package/v3.20/main/x86_64/libcap-dev, from memory).
		Libcap:    "libcap-dev",
		Rst2man:   "py3-docutils",        // https://pkgs.alpinelinux.org/package/v3.20/main/noarch/py3-docutils (from memory)
		LLD:       "lld",                 // from memory
		Python3:   "python3",             // from memory
		Libpcap:   "libpcap-dev",         // from memory
		Libcrypto: "openssl-dev",         // from memory
		Zstd:      "zstd",                // from memory
		Curl:      "curl",                // from memory
		QEMUX86:   "qemu-system-x86_64",  // from memory
		QEMUArm:   "qemu-system-aarch64", // from memory
		QEMUS390x: "qemu-system-s390x",   // from memory
		QEMUMisc:  "qemu-system-riscv64", // from memory
	},
}

// PackageName gives the distribution's name(s) for p, several separated by
// a space, or "" when the manager or the package is unknown. One name can
// hold a shell command substitution, "linux-tools-$(uname -r)", which is
// why InstallCommand does not split this string.
func (o OS) PackageName(p Package) string {
	return strings.Join(o.packageWords(p), " ")
}

// ubuntuLinuxTools installs bpftool on Ubuntu before 25.10: linux-tools-common
// ships /usr/sbin/bpftool as a wrapper script that execs
// /usr/lib/linux-tools/$(uname -r)/bpftool, which only the kernel-specific
// linux-tools-<release>-<flavour> holds. linux-tools-generic only helps
// when the generic kernel it tracks is the one running, not on cloud
// flavours (GitHub's ubuntu-24.04 runs -azure, actions/runner-images#14203)
// nor before the reboot into an upgraded kernel, so the running kernel's
// package is named. The word is pasted unquoted, so the user's shell
// expands $(uname -r); TestInstallCommandShellWords checks that.
var ubuntuLinuxTools = []string{"linux-tools-common", "linux-tools-$(uname -r)"}

// packageWords is PackageName as shell words.
func (o OS) packageWords(p Package) []string {
	m := o.Manager()
	if p == Bpftool && m == Apt && o.ubuntuBased() && !o.ubuntuHasBpftoolPackage() {
		return ubuntuLinuxTools
	}
	// Ubuntu, which has s390x as a port, keeps qemu-system-s390x its own
	// package rather than folding it into qemu-system-misc (from memory).
	if p == QEMUS390x && m == Apt && o.ubuntuBased() {
		return []string{"qemu-system-s390x"}
	}
	if _, el := o.elMajor(); el && m == Dnf && isQEMU(p) {
		return nil // see the Dnf names
	}
	return strings.Fields(names[m][p])
}

// ubuntuSeries numbers the Ubuntu series as YYMM, from distro-info-data's
// /usr/share/distro-info/ubuntu.csv (0.58+deb12u6 on Debian 12), so that a
// derivative's UBUNTU_CODENAME can be compared with a release.
var ubuntuSeries = map[string]int{
	"warty": 410, "hoary": 504, "breezy": 510, "dapper": 606, "edgy": 610,
	"feisty": 704, "gutsy": 710, "hardy": 804, "intrepid": 810, "jaunty": 904,
	"karmic": 910, "lucid": 1004, "maverick": 1010, "natty": 1104, "oneiric": 1110,
	"precise": 1204, "quantal": 1210, "raring": 1304, "saucy": 1310, "trusty": 1404,
	"utopic": 1410, "vivid": 1504, "wily": 1510, "xenial": 1604, "yakkety": 1610,
	"zesty": 1704, "artful": 1710, "bionic": 1804, "cosmic": 1810, "disco": 1904,
	"eoan": 1910, "focal": 2004, "groovy": 2010, "hirsute": 2104, "impish": 2110,
	"jammy": 2204, "kinetic": 2210, "lunar": 2304, "mantic": 2310, "noble": 2404,
	"oracular": 2410, "plucky": 2504, "questing": 2510, "resolute": 2604,
}

// firstUbuntuBpftool is 25.10 (questing), the first series whose archive
// has a real bpftool package: up to 25.04 (plucky) "bpftool" is only a
// virtual package that linux-tools-common provides
// (https://packages.ubuntu.com/noble/bpftool and noble-updates/bpftool:
// "Virtual package"; the same for oracular and plucky;
// https://packages.ubuntu.com/questing/bpftool is a real package).
const firstUbuntuBpftool = 2510

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
// bpftool as its own package. The series comes from UBUNTU_CODENAME, else
// Ubuntu's own VERSION_CODENAME or VERSION_ID. A codename not in
// ubuntuSeries is newer than the table, since it lists every series so far.
func (o OS) ubuntuHasBpftoolPackage() bool {
	codename := o.UbuntuCodename
	if codename == "" && o.ID == "ubuntu" {
		codename = o.VersionCodename
	}
	if v, ok := ubuntuSeries[codename]; ok {
		return v >= firstUbuntuBpftool
	}
	if o.ID == "ubuntu" {
		if v, ok := ubuntuVersion(o.VersionID); ok {
			return v >= firstUbuntuBpftool
		}
	}
	return true
}

// ubuntuVersion reads an Ubuntu VERSION_ID, "24.04", as YYMM.
func ubuntuVersion(s string) (int, bool) {
	yy, mm, ok := strings.Cut(s, ".")
	y, err1 := strconv.Atoi(yy)
	m, err2 := strconv.Atoi(mm)
	if !ok || err1 != nil || err2 != nil || y < 0 || m < 1 || m > 12 {
		return 0, false
	}
	return y*100 + m, true
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
		// Not shell.Quote: the linux-tools name needs the shell's $(...).
		for _, n := range o.packageWords(p) {
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
