package distro

import (
	"fmt"
	"strconv"
	"strings"
)

// InstallNote says what InstallCommand(root, pkgs...) needs besides being
// run: a repository to enable first, a package that only fits the running
// kernel, a command installed under another name. Each note appears once,
// in the order of pkgs, joined by spaces; "" when there is nothing to say.
// Callers append it to the fix's text. root drops "sudo " as InstallCommand
// does.
func (o OS) InstallNote(root bool, pkgs ...Package) string {
	sudo := "sudo "
	if root {
		sudo = ""
	}
	seen := map[string]bool{}
	var notes []string
	for _, p := range pkgs {
		if n := o.note(p, sudo); n != "" && !seen[n] {
			seen[n] = true
			notes = append(notes, n)
		}
	}
	return strings.Join(notes, " ")
}

func (o OS) note(p Package, sudo string) string {
	switch o.Manager() {
	case Apt:
		if p == Bpftool && o.ubuntuBased() && !o.ubuntuHasBpftoolPackage() {
			// The wrapper's behaviour: see ubuntuLinuxTools.
			return "Before Ubuntu 25.10 bpftool is a wrapper in linux-tools-common that runs the bpftool built for the running kernel, from linux-tools-$(uname -r); add linux-tools-generic (or your kernel flavour's, e.g. linux-tools-aws) to keep it across kernel upgrades."
		}
	case Yum:
		return o.yumNote(p, sudo)
	case Dnf:
		return o.elNote(p, sudo)
	}
	return ""
}

// yumNote covers EL7 and Amazon Linux 2, whose base repositories lack
// parts of the toolchain.
func (o OS) yumNote(p Package, sudo string) string {
	amzn := o.ID == "amzn"
	switch p {
	case CMake, Ninja:
		if amzn {
			// Amazon Linux 2 core has cmake3 but no ninja-build; EPEL comes
			// through amazon-linux-extras
			// (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/add-repositories.html; from memory).
			return "On Amazon Linux 2 ninja-build comes from EPEL, so enable it first (" + sudo + "amazon-linux-extras install epel); cmake3 runs as cmake3, and cmake is 2.8."
		}
		// CentOS 7 base: cmake-2.8.12, no ninja-build; EPEL 7: cmake3,
		// ninja-build; epel-release is in CentOS extras
		// (https://docs.fedoraproject.org/en-US/epel/; from memory).
		return "On EL7 cmake3 and ninja-build come from EPEL, so enable it first (" + sudo + "yum install epel-release on CentOS 7; https://docs.fedoraproject.org/en-US/epel/ elsewhere); EPEL's cmake3 runs as cmake3, and base's cmake is 2.8."
	case Zstd:
		if amzn {
			return "" // Amazon Linux 2 core has zstd (from memory)
		}
		// CentOS 7 base has no zstd; EPEL 7 does (from memory).
		return "On EL7 zstd comes from EPEL, so enable it first (" + sudo + "yum install epel-release on CentOS 7; https://docs.fedoraproject.org/en-US/epel/ elsewhere)."
	case LLVM, Clang:
		if amzn {
			return "" // Amazon Linux 2 core has clang and llvm 11 (from memory)
		}
		// EPEL 7's clang/llvm are 3.4.2 and LLVM gained its BPF target in
		// 3.7 (https://releases.llvm.org/3.7.0/docs/ReleaseNotes.html);
		// llvm-toolset-7 is in the CentOS SCLo repository
		// (https://wiki.centos.org/AdditionalResources/Repositories/SCL; from memory).
		return "EL7's base has no clang or llvm, and EPEL's 3.4 predates the BPF target: use llvm-toolset-7 from Software Collections (" + sudo + "yum install centos-release-scl, then " + sudo + "yum install llvm-toolset-7, and run it under scl enable llvm-toolset-7 bash)."
	}
	return ""
}

// elNote covers RHEL 8 and later and their rebuilds, which keep
// libbpf-devel and ninja-build in a repository that is off by default:
// PowerTools on EL8, CRB on EL9 and later, CodeReady Linux Builder on RHEL
// (https://wiki.rockylinux.org/rocky/repo/ lists CRB/PowerTools; Red Hat's
// "Package manifest" for RHEL 9 lists libbpf-devel under CodeReady Linux
// Builder; from memory).
func (o OS) elNote(p Package, sudo string) string {
	if p != LibbpfDev && p != Ninja {
		return ""
	}
	major, ok := o.elMajor()
	if !ok || major < 8 {
		return ""
	}
	const what = "libbpf-devel and ninja-build are in the %s repository, which is off by default: enable it with %s."
	// dnf config-manager comes from dnf-plugins-core, absent from minimal
	// images (from memory).
	configManager := func(repo string) string {
		return sudo + "dnf config-manager --set-enabled " + repo + " (from dnf-plugins-core)"
	}
	switch {
	case o.ID == "rhel":
		// https://access.redhat.com/articles/4348511 (from memory).
		return fmt.Sprintf(what, "CodeReady Linux Builder",
			fmt.Sprintf("%ssubscription-manager repos --enable codeready-builder-for-rhel-%d-$(arch)-rpms", sudo, major))
	case o.ID == "ol":
		// Oracle Linux names it olN_codeready_builder (https://yum.oracle.com; from memory).
		repo := fmt.Sprintf("ol%d_codeready_builder", major)
		return fmt.Sprintf(what, repo, configManager(repo))
	case major == 8:
		return fmt.Sprintf(what, "PowerTools", configManager("powertools"))
	default:
		return fmt.Sprintf(what, "CRB", configManager("crb"))
	}
}

// elRebuilds are the IDs whose VERSION_ID is the Enterprise Linux major;
// a derivative found only through ID_LIKE numbers its own releases.
var elRebuilds = map[string]bool{
	"rhel": true, "centos": true, "rocky": true, "almalinux": true, "ol": true, "circle": true,
}

func (o OS) elMajor() (int, bool) {
	if !elRebuilds[o.ID] {
		return 0, false
	}
	major, _, _ := strings.Cut(o.VersionID, ".")
	n, err := strconv.Atoi(major)
	return n, err == nil
}
