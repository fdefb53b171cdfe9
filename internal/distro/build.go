package distro

// GCCMultilib is gcc's multilib support. On Debian and Ubuntu the kernel's
// asm/ headers live only under the multiarch directory
// (/usr/include/x86_64-linux-gnu/asm, from linux-libc-dev), which clang
// --target=bpf does not search, and installing gcc-multilib is what adds
// /usr/include/asm (libbpf-bootstrap's README prescribes it for this error;
// which of its dependencies ships the directory is not checked here). The
// other distributions install asm/ under /usr/include already, so only apt
// names it. The value stays clear of packages.go's list, which counts up
// from 0, so String gives "Package(1000)": callers name it through
// InstallCommand, which has it only where it exists.
const GCCMultilib Package = 1000

func init() { names[Apt][GCCMultilib] = "gcc-multilib" }
