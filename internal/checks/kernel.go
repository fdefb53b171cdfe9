package checks

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"github.com/bpfdoctor/bpfdoctor/internal/clip"
	"github.com/bpfdoctor/bpfdoctor/internal/finding"
	"github.com/bpfdoctor/bpfdoctor/internal/kver"
	"github.com/bpfdoctor/bpfdoctor/internal/pahole"

	"github.com/bpfdoctor/bpfdoctor/internal/kconfig"
)

func init() {
	register([]Check{
		{ID: "kernel.release", Area: "kernel", Title: "release", Run: checkRelease,
			Looks: "/proc/sys/kernel/osrelease (uname -r)"},
		{ID: "kernel.config", Area: "kernel", Title: "kernel config", Run: checkConfig,
			Looks: "--config, else /proc/config.gz, /boot/config-$(uname -r), /lib/modules/$(uname -r)/... and /usr/src"},
		{ID: "kernel.btf", Area: "kernel", Title: "kernel BTF", Run: checkBTF,
			Looks: "/sys/kernel/btf/vmlinux (CO-RE, vmlinux.h and kfuncs need it)"},
		{ID: "kernel.jit", Area: "kernel", Title: "BPF JIT", Run: checkJIT,
			Looks: "/proc/sys/net/core/bpf_jit_enable"},
		{ID: "kernel.unprivileged", Area: "kernel", Title: "unprivileged BPF", Run: checkUnprivileged,
			Looks: "/proc/sys/kernel/unprivileged_bpf_disabled"},
		{ID: "kernel.bpffs", Area: "kernel", Title: "bpffs", Run: checkBPFFS,
			Looks: "a bpf file system mounted at /sys/fs/bpf (/proc/self/mounts)"},
		{ID: "kernel.caps", Area: "kernel", Title: "capabilities", Run: checkCaps,
			Looks: "CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN of this process (/proc/self/status)"},
		{ID: "kernel.memlock", Area: "kernel", Title: "memlock limit", Run: checkMemlock,
			Looks: "RLIMIT_MEMLOCK (/proc/self/limits), for kernels older than 5.11 only"},
	})
}

// configKernelVersion is the version of the kernel the config belongs to:
// the one the config file names, else the running kernel's.
func (e *Env) configKernelVersion(cfg *kconfig.Config) kver.Version {
	if cfg != nil && cfg.Version != "" {
		if v, ok := kver.Parse(cfg.Version); ok {
			return v
		}
	}
	rel, _ := e.Release()
	v, _ := kver.Parse(rel)
	return v
}

// kernelFeature is a kernel feature BPF work today leans on, and the
// first release that has it.
type kernelFeature struct {
	since kver.Version
	what  string // as in "no <what>"
}

// bpfSyscall is 99c55f7d47c0 ("bpf: introduce BPF syscall and maps"),
// v3.18: below it no BPF program loads at all.
var bpfSyscall = kver.Version{Major: 3, Minor: 18}

// kernelFeatures are what CO-RE programs built with today's libbpf and
// clang expect, oldest first; below the last one kernel.release warns.
var kernelFeatures = []kernelFeature{
	// d8eca5bbb2be ("bpf: implement lookup-free direct value access for maps").
	{kver.Version{Major: 5, Minor: 2}, "global data"},
	// 2589726d12a1 ("bpf: introduce bounded loops").
	{kver.Version{Major: 5, Minor: 3}, "bounded loops"},
	{sysfsBTF, "BTF in sysfs"},
	// fec56f5890d9 ("bpf: Introduce BPF trampoline").
	{kver.Version{Major: 5, Minor: 5}, "fentry/fexit"},
	// fc611f47f218 ("bpf: Introduce BPF_PROG_TYPE_LSM").
	{kver.Version{Major: 5, Minor: 7}, "BPF LSM"},
	// 457f44363a88 ("bpf: Implement BPF ring buffer and verifier support
	// for it"); CAP_BPF came in the same release (see capBPF).
	{kver.Version{Major: 5, Minor: 8}, "ringbuf or CAP_BPF"},
}

// missingFeatures names what kernel v lacks of kernelFeatures, each with
// the release that brought it: "no global data (5.2)".
func missingFeatures(v kver.Version) []string {
	var out []string
	for _, f := range kernelFeatures {
		if !v.AtLeast(f.since.Major, f.since.Minor) {
			out = append(out, fmt.Sprintf("no %s (%s)", f.what, f.since))
		}
	}
	return out
}

func checkRelease(_ context.Context, e *Env) finding.Finding {
	rel, err := e.Release()
	if err != nil {
		return finding.Result(finding.Error, "%v", err)
	}
	f := finding.Result(finding.Pass, "Linux %s", rel).WithSource("/proc/sys/kernel/osrelease").WithFact("release", rel)
	v, ok := kver.Parse(rel)
	if !ok {
		f.Status = finding.Error
		f.Message = fmt.Sprintf("cannot read a version from kernel release %q", clip.String(rel, clip.Short))
		return f
	}
	newest := kernelFeatures[len(kernelFeatures)-1].since
	switch {
	case !v.AtLeast(bpfSyscall.Major, bpfSyscall.Minor):
		f.Status = finding.Fail
		f.Message = fmt.Sprintf("Linux %s predates the bpf(2) system call (%s): no BPF program loads", rel, bpfSyscall)
		return f.WithFix(fmt.Sprintf("Run a kernel of %s or newer for BPF work.", newest))
	case !v.AtLeast(newest.Major, newest.Minor):
		f.Status = finding.Warn
		f.Message = fmt.Sprintf("Linux %s is older than %s: %s", rel, newest, strings.Join(missingFeatures(v), ", "))
		// RHEL 8's 4.18 carries BTF and ringbuf, for one.
		f = f.WithDetails("distribution kernels backport BPF features: the kernel.btf check and a load test say more than the version")
		return f.WithFix(fmt.Sprintf("Run a kernel of %s or newer, or keep programs to what this kernel has.", newest))
	}
	return f
}

func checkConfig(_ context.Context, e *Env) finding.Finding {
	cfg, path, err := e.KernelConfig()
	var nf *kconfig.NotFoundError
	switch {
	case errors.As(err, &nf):
		return finding.Result(finding.Error, "%v", err).
			WithFix("Point bpfdoctor at the config of the kernel under test, or enable CONFIG_IKCONFIG_PROC.",
				"bpfdoctor check --config /path/to/.config")
	case err != nil:
		return finding.Result(finding.Error, "%v", err)
	}
	f := finding.Result(finding.Pass, "%s (%d options)", path, cfg.Len()).WithSource(path).WithFact("path", path)
	for _, d := range cfg.Duplicates {
		f = f.WithDetails(fmt.Sprintf("CONFIG_%s is set on lines %d and %d; line %d wins", d.Symbol, d.First, d.Last, d.Last))
	}
	if cfg.Len() == 0 {
		f.Status, f.Message = finding.Warn, fmt.Sprintf("no options in %s: it is empty or only comments, so every option reads as absent", path)
		f = f.WithFix("Point bpfdoctor at the config the kernel was built with.", "bpfdoctor check --config /path/to/.config")
	}
	return f
}

// configSays explains a kernel option's state for a message, or "".
func (e *Env) configSays(sym string) string {
	cfg, _, err := e.KernelConfig()
	if err != nil {
		return ""
	}
	en, ok := cfg.Lookup(sym)
	switch {
	case !ok:
		return fmt.Sprintf("CONFIG_%s is absent from the config", sym)
	case en.Value == "n":
		return fmt.Sprintf("CONFIG_%s is not set", sym)
	default:
		return fmt.Sprintf("CONFIG_%s=%s", sym, en.Value)
	}
}

// sysfsBTF is the first release with /sys/kernel/btf/vmlinux:
// 341dfcf8d78e ("btf: expose BTF info through sysfs"), v5.4.
var sysfsBTF = kver.Version{Major: 5, Minor: 4}

func checkBTF(_ context.Context, e *Env) finding.Finding {
	const p = "/sys/kernel/btf/vmlinux"
	fi, err := e.Host.Stat(p)
	if err == nil {
		return finding.Result(finding.Pass, "%s (%d KiB)", p, fi.Size()>>10).WithSource(p)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return finding.Result(finding.Error, "stat %s: %v", p, err)
	}
	f := finding.Result(finding.Fail, "%s is missing: no CO-RE, no vmlinux.h, no kfunc calls", p).WithSource(p)
	if s := e.configSays("DEBUG_INFO_BTF"); s != "" {
		f.Message += " (" + s + ")"
	}
	return f.WithFix(fmt.Sprintf("Run a kernel built with CONFIG_DEBUG_INFO_BTF=y (%d.%d or newer; needs pahole >= %s to build).",
		sysfsBTF.Major, sysfsBTF.Minor, pahole.MinBTF))
}

// readSysctl reads a small integer file under /proc/sys.
func (e *Env) readSysctl(p string) (int, error) {
	b, err := e.Host.ReadFile(p)
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, fmt.Errorf("read %s: not a number: %q", p, clip.String(strings.TrimSpace(string(b)), clip.Short))
	}
	return n, nil
}

func checkJIT(_ context.Context, e *Env) finding.Finding {
	const p = "/proc/sys/net/core/bpf_jit_enable"
	n, err := e.readSysctl(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return finding.Result(finding.Warn, "%s is missing: this kernel has no BPF JIT and interprets programs", p).
			WithSource(p).WithFix("Run a kernel built with CONFIG_BPF_JIT=y.")
	case err != nil:
		return finding.Result(finding.Error, "%v", err)
	}
	f := finding.Result(finding.Pass, "enabled (bpf_jit_enable=%d)", n).WithSource(p).WithFact("bpf_jit_enable", strconv.Itoa(n))
	switch n {
	case 0:
		f.Status = finding.Warn
		f.Message = "disabled (bpf_jit_enable=0): programs run in the interpreter, and some program types need the JIT"
		f = f.WithFix("Enable the JIT.", e.sudo("sysctl -w net.core.bpf_jit_enable=1"))
	case 2:
		f.Status = finding.Warn
		f.Message = "enabled with debug output (bpf_jit_enable=2): every JITed image goes to the kernel log"
		f = f.WithFix("Turn the debug output off.", e.sudo("sysctl -w net.core.bpf_jit_enable=1"))
	}
	return f
}

func (e *Env) sudo(cmd string) string {
	if e.Host.UID == 0 {
		return cmd
	}
	return "sudo " + cmd
}

func checkUnprivileged(_ context.Context, e *Env) finding.Finding {
	const p = "/proc/sys/kernel/unprivileged_bpf_disabled"
	n, err := e.readSysctl(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// The sysctl came with 1be7f75d1668 ("bpf: enable non-root eBPF
		// programs"), v4.4.
		return finding.Result(finding.Skip, "%s is missing (kernel older than 4.4)", p)
	case err != nil:
		return finding.Result(finding.Error, "%v", err)
	}
	f := finding.Result(finding.Pass, "").WithSource(p).WithFact("unprivileged_bpf_disabled", strconv.Itoa(n))
	switch n {
	case 0:
		f.Message = "allowed (0)"
	case 1:
		f.Message = "disabled until reboot (1): load programs as root"
		if !e.privileged() {
			f.Status = finding.Warn
			f = f.WithFix("Run BPF tools and tests with sudo; this setting cannot be changed until reboot.")
		}
	case 2:
		f.Message = "disabled, admin may change it (2): load programs as root"
	default:
		f.Status = finding.Error
		f.Message = fmt.Sprintf("unknown value %d in %s", n, p)
	}
	return f
}

func checkBPFFS(_ context.Context, e *Env) finding.Finding {
	const p = "/proc/self/mounts"
	b, err := e.Host.ReadFile(p)
	if err != nil {
		return finding.Result(finding.Error, "read %s: %v", p, err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		fields := strings.Fields(line)
		if len(fields) >= 3 && fields[1] == "/sys/fs/bpf" && fields[2] == "bpf" {
			return finding.Result(finding.Pass, "mounted at /sys/fs/bpf").WithSource(p)
		}
	}
	return finding.Result(finding.Warn, "no bpf file system at /sys/fs/bpf: pinning maps and programs will fail").WithSource(p).
		WithFix("Mount it (add it to /etc/fstab to keep it).", e.sudo("mount -t bpf bpf /sys/fs/bpf"))
}

// Capability bits, from include/uapi/linux/capability.h. CAP_PERFMON:
// 980737282232 ("capabilities: introduce CAP_PERFMON to kernel and user
// space"), v5.8; CAP_BPF: a17b53c4a4b5 ("bpf, capability: Introduce
// CAP_BPF"), v5.8.
const (
	capSysAdmin = 21
	capPerfmon  = 38
	capBPF      = 39
)

// effectiveCaps reads CapEff of this process (host.EffectiveCaps owns the
// reading; lint --load uses it too).
func (e *Env) effectiveCaps() (uint64, error) { return e.Host.EffectiveCaps() }

func (e *Env) privileged() bool {
	caps, err := e.effectiveCaps()
	return err == nil && (caps&(1<<capSysAdmin) != 0 || caps&(1<<capBPF) != 0 && caps&(1<<capPerfmon) != 0)
}

func checkCaps(_ context.Context, e *Env) finding.Finding {
	caps, err := e.effectiveCaps()
	if err != nil {
		return finding.Result(finding.Error, "%v", err)
	}
	has := func(bit uint) bool { return caps&(1<<bit) != 0 }
	var names []string
	for _, c := range []struct {
		bit  uint
		name string
	}{{capBPF, "CAP_BPF"}, {capPerfmon, "CAP_PERFMON"}, {capSysAdmin, "CAP_SYS_ADMIN"}} {
		if has(c.bit) {
			names = append(names, c.name)
		}
	}
	f := finding.Result(finding.Pass, "this process has %s", strings.Join(names, ", ")).WithSource("/proc/self/status").
		WithFact("cap_eff", fmt.Sprintf("%016x", caps))
	switch {
	case has(capSysAdmin) || has(capBPF) && has(capPerfmon):
	case has(capBPF):
		f.Status = finding.Warn
		f.Message = "CAP_BPF without CAP_PERFMON: tracing programs cannot be loaded"
		f = f.WithFix("Grant CAP_PERFMON too, or run with sudo.")
	default:
		f.Status = finding.Warn
		f.Message = "no CAP_BPF or CAP_SYS_ADMIN: loading programs and running the selftests needs root"
		f = f.WithFix("Run BPF tools and tests with sudo (or grant CAP_BPF and CAP_PERFMON).")
	}
	return f
}

func checkMemlock(_ context.Context, e *Env) finding.Finding {
	rel, err := e.Release()
	if err != nil {
		return finding.Result(finding.Error, "%v", err)
	}
	// Roman Gushchin's series "bpf: switch to memcg-based memory
	// accounting", merged for v5.11, charges maps to the memory cgroup and
	// drops the RLIMIT_MEMLOCK check (series title; commit ids not checked).
	if v, _ := kver.Parse(rel); v.AtLeast(5, 11) {
		return finding.Result(finding.Skip, "not needed: since 5.11 BPF memory is charged to the memory cgroup")
	}
	const p = "/proc/self/limits"
	b, err := e.Host.ReadFile(p)
	if err != nil {
		return finding.Result(finding.Error, "read %s: %v", p, err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if !strings.HasPrefix(line, "Max locked memory") {
			continue
		}
		fields := strings.Fields(strings.TrimPrefix(line, "Max locked memory"))
		if len(fields) < 1 {
			break
		}
		if fields[0] == "unlimited" {
			return finding.Result(finding.Pass, "unlimited").WithSource(p)
		}
		n, err := strconv.ParseUint(fields[0], 10, 64)
		if err != nil {
			break
		}
		f := finding.Result(finding.Pass, "%d KiB", n>>10).WithSource(p)
		if n < 64<<20 {
			f.Status = finding.Warn
			f.Message = fmt.Sprintf("%d KiB on kernel %s: maps beyond it fail with EPERM", n>>10, rel)
			f = f.WithFix("Raise it for the shell that runs BPF tools (libbpf-based tools call setrlimit themselves).", "ulimit -l unlimited")
		}
		return f
	}
	return finding.Result(finding.Error, "read %s: no readable \"Max locked memory\" line", p)
}
