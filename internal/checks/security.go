package checks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/bpfdoctor/bpfdoctor/internal/clip"
	"github.com/bpfdoctor/bpfdoctor/internal/finding"
)

func init() {
	register([]Check{
		{ID: "security.lockdown", Area: "security", Title: "kernel lockdown", Run: checkLockdown,
			Looks: "/sys/kernel/security/lockdown: integrity takes bpf_probe_write_user, confidentiality also kprobes and bpf_probe_read_kernel"},
		{ID: "security.lsm", Area: "security", Title: "BPF LSM", Run: checkLSM,
			Looks: "`bpf` in the active LSMs (/sys/kernel/security/lsm) against CONFIG_BPF_LSM"},
		{ID: "security.tracefs", Area: "security", Title: "tracefs", Run: checkTracefs,
			Looks: "a readable tracefs (/proc/self/mounts) with available_filter_functions and events/, which kprobes and tracepoints need"},
		{ID: "security.perf", Area: "security", Title: "perf_event_paranoid", Run: checkPerfParanoid,
			Looks: "/proc/sys/kernel/perf_event_paranoid, for a process without CAP_PERFMON"},
	})
}

const (
	lockdownPath = "/sys/kernel/security/lockdown"
	lsmPath      = "/sys/kernel/security/lsm"
	paranoidPath = "/proc/sys/kernel/perf_event_paranoid"
)

// noSecurityfs explains a file under /sys/kernel/security that is not
// there: securityfs is unmounted (containers often lack it) or the kernel
// lacks the LSM.
func noSecurityfs(p string) finding.Finding {
	return finding.Result(finding.Skip, "%s is missing: securityfs is not mounted here, or the kernel lacks it", p).WithSource(p)
}

// The lockdown LSM came with 000d388ed3bb ("security: Add a static
// lockdown policy LSM"), v5.4. include/linux/security.h orders enum
// lockdown_reason so that integrity forbids every reason before
// LOCKDOWN_INTEGRITY_MAX (LOCKDOWN_BPF_WRITE_USER among them) and
// confidentiality also those before LOCKDOWN_CONFIDENTIALITY_MAX
// (LOCKDOWN_KPROBES, LOCKDOWN_BPF_READ_KERNEL, LOCKDOWN_PERF,
// LOCKDOWN_TRACEFS); security/lockdown/lockdown.c lock_kernel_down only
// raises the level, so neither lockdown= nor a write to the file lowers
// it. The header is not in the /tmp/linux-6.12 subset: from the kernel
// source as remembered, not rechecked.
const (
	integrityTakes = "bpf_probe_write_user is refused (LOCKDOWN_BPF_WRITE_USER)"
	// bpf_tracing_func_proto offers no bpf_probe_read_kernel{,_str} nor the
	// old bpf_probe_read{,_str} under LOCKDOWN_BPF_READ_KERNEL, so the
	// verifier rejects a program calling them as an unknown func.
	confidentialityTakes = "bpf_probe_read_kernel, bpf_probe_read and their _str forms are refused (LOCKDOWN_BPF_READ_KERNEL), " +
		"kprobes cannot be created (LOCKDOWN_KPROBES), perf cannot sample kernel registers (LOCKDOWN_PERF) and tracefs is closed (LOCKDOWN_TRACEFS)"
	lockdownFix = "Lockdown cannot be lowered at run time, and the lockdown= boot parameter only raises it. " +
		"Distribution kernels lock down to integrity under UEFI Secure Boot (LOCK_DOWN_IN_EFI_SECURE_BOOT): " +
		"disable Secure Boot in the firmware (on shim systems `mokutil --disable-validation`), or boot a kernel built without lockdown " +
		"(CONFIG_LOCK_DOWN_KERNEL_FORCE_NONE, no LOCK_DOWN_IN_EFI_SECURE_BOOT)."
)

func checkLockdown(_ context.Context, e *Env) finding.Finding {
	b, err := e.Host.ReadFile(lockdownPath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return noSecurityfs(lockdownPath)
	case err != nil:
		return finding.Result(finding.Error, "read %s: %v", lockdownPath, err)
	}
	level := ""
	for w := range strings.FieldsSeq(string(b)) {
		if s, ok := strings.CutPrefix(w, "["); ok {
			level = strings.TrimSuffix(s, "]")
		}
	}
	f := finding.Result(finding.Pass, "none: lockdown takes nothing from BPF").WithSource(lockdownPath).WithFact("lockdown", level)
	switch level {
	case "none":
	case "integrity":
		f.Status = finding.Warn
		f.Message = "integrity: " + integrityTakes + "; tracing and networking programs otherwise load"
		f = f.WithFix(lockdownFix)
	case "confidentiality":
		f.Status = finding.Fail
		f.Message = "confidentiality: most tracing is gone: " + confidentialityTakes + ", and " + integrityTakes
		f = f.WithFix(lockdownFix)
	default:
		f.Status = finding.Error
		f.Message = fmt.Sprintf("no [level] in %s: %q", lockdownPath, clip.String(strings.TrimSpace(string(b)), clip.Short))
	}
	return f
}

func checkLSM(_ context.Context, e *Env) finding.Finding {
	b, err := e.Host.ReadFile(lsmPath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return noSecurityfs(lsmPath)
	case err != nil:
		return finding.Result(finding.Error, "read %s: %v", lsmPath, err)
	}
	var lsms []string
	for l := range strings.SplitSeq(strings.TrimSpace(string(b)), ",") {
		if l = strings.TrimSpace(l); l != "" {
			lsms = append(lsms, l)
		}
	}
	list := strings.Join(lsms, ",")
	active := slices.Contains(lsms, "bpf")
	// BPF_PROG_TYPE_LSM: fc611f47f218 ("bpf: Introduce BPF_PROG_TYPE_LSM"),
	// v5.7; security/bpf/Kconfig: BPF_LSM "depends on BPF_EVENTS &&
	// BPF_SYSCALL && SECURITY && BPF_JIT".
	built := ""
	if cfg, _, err := e.KernelConfig(); err == nil {
		built = "n"
		if en, ok := cfg.Lookup("BPF_LSM"); ok {
			built = en.Value
		}
	}
	f := finding.Result(finding.Pass, "bpf is an active LSM (%s)", list).WithSource(lsmPath).WithFact("lsm", list)
	switch {
	case built == "n":
		f.Status = finding.Warn
		f.Message = fmt.Sprintf("this kernel is built without CONFIG_BPF_LSM: BPF LSM programs (lsm/, lsm.s/) cannot load (active LSMs: %s)", list)
		return f.WithFix("Run a kernel built with CONFIG_BPF_LSM=y and bpf in CONFIG_LSM (or in the lsm= boot parameter).")
	case active:
		return f
	}
	want := list + ",bpf"
	if list == "" {
		want = "bpf"
	}
	f.Status = finding.Warn
	f.Message = fmt.Sprintf("bpf is not among the active LSMs (%s): BPF LSM programs load and attach but never run", list)
	if built == "" {
		f.Message += " (no kernel config says whether CONFIG_BPF_LSM is built in)"
	}
	// security/security.c: lsm= names the LSMs to enable, in order, and
	// overrides CONFIG_LSM; keeping the current ones keeps their policy.
	return f.WithFix(fmt.Sprintf("Add `lsm=%s` to the kernel command line (GRUB_CMDLINE_LINUX in /etc/default/grub, then update-grub) and reboot.", want))
}

// tracingDirs lists where tracefs is reachable according to mounts: each
// tracefs mount, then tracing/ under each debugfs mount, whose tracefs
// the kernel automounts (kernel/trace/trace.c tracer_init_tracefs).
func tracingDirs(mounts string) []string {
	var tracefs, debugfs []string
	for line := range strings.SplitSeq(mounts, "\n") {
		fields := strings.Fields(line)
		if len(fields) < 3 {
			continue
		}
		switch fields[2] {
		case "tracefs":
			tracefs = append(tracefs, fields[1])
		case "debugfs":
			debugfs = append(debugfs, path.Join(fields[1], "tracing"))
		}
	}
	// The canonical mount point first, so a message names it.
	slices.SortStableFunc(tracefs, func(a, b string) int {
		switch {
		case a == "/sys/kernel/tracing":
			return -1
		case b == "/sys/kernel/tracing":
			return 1
		}
		return 0
	})
	return append(tracefs, debugfs...)
}

// readable opens a file under the host root and reads a byte of it: an
// open that succeeds can still fail on read (tracefs checks on read), and
// available_filter_functions is megabytes long.
func (e *Env) readable(p string) error {
	fsys := e.Host.FS()
	f, err := fsys.Open(strings.TrimPrefix(p, "/"))
	if err != nil {
		return fmt.Errorf("open %s: %w", p, unwrapPath(err))
	}
	defer f.Close()
	if _, err := f.Read(make([]byte, 1)); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read %s: %w", p, unwrapPath(err))
	}
	return nil
}

// unwrapPath drops the path of an fs.PathError, which the host root prefixes.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func checkTracefs(_ context.Context, e *Env) finding.Finding {
	const p = "/proc/self/mounts"
	b, err := e.Host.ReadFile(p)
	if err != nil {
		return finding.Result(finding.Error, "read %s: %v", p, err)
	}
	dirs := tracingDirs(string(b))
	if len(dirs) == 0 {
		return finding.Result(finding.Warn, "no tracefs mounted: kprobes, tracepoints and their events cannot be listed or attached through tracefs (containers often lack it)").
			WithSource(p).
			WithFix("Mount tracefs (in a container: bind-mount the host's /sys/kernel/tracing).", e.sudo("mount -t tracefs nodev /sys/kernel/tracing"))
	}
	dir := dirs[0]
	f := finding.Result(finding.Pass, "mounted at %s", dir).WithSource(p).WithFact("tracefs", dir)
	var problems []string
	if err := e.readable(path.Join(dir, "available_filter_functions")); err != nil {
		problems = append(problems, err.Error())
	}
	if fi, err := e.Host.Stat(path.Join(dir, "events")); err != nil || !fi.IsDir() {
		problems = append(problems, fmt.Sprintf("no %s/events directory", dir))
	} else if _, err := fs.ReadDir(e.Host.FS(), strings.TrimPrefix(path.Join(dir, "events"), "/")); err != nil {
		problems = append(problems, fmt.Sprintf("read %s/events: %v", dir, unwrapPath(err)))
	}
	if len(problems) == 0 {
		return f
	}
	f.Status = finding.Warn
	f.Message = fmt.Sprintf("tracefs at %s is not usable here: %s: kprobe and tracepoint names cannot be looked up", dir, strings.Join(problems, "; "))
	fixText := "Run BPF tracing tools as root: tracefs is mode 0700 unless mounted with mode= or gid=."
	if e.Host.UID == 0 {
		// Root meets a refusal only from policy: ftrace_avail_open asks
		// security_locked_down(LOCKDOWN_TRACEFS), and LSMs or a
		// container's profile may deny the open.
		fixText = "As root, a refusal comes from the kernel's policy (lockdown, an LSM, a container's profile): see security.lockdown and run where tracing is allowed. " +
			"A missing file means a kernel without CONFIG_DYNAMIC_FTRACE (available_filter_functions) or CONFIG_TRACEPOINTS (events)."
	}
	return f.WithFix(fixText, e.sudo("mount -t tracefs nodev /sys/kernel/tracing"))
}

// perfPrivileged is whether perf_event_paranoid does not apply to this
// process: kernel/events/core.c perf_allow_kernel and perf_allow_cpu let
// CAP_PERFMON (v5.8, 980737282232) or CAP_SYS_ADMIN through whatever the
// value. Without a readable CapEff, uid 0 stands for it.
func (e *Env) perfPrivileged() bool {
	caps, err := e.effectiveCaps()
	if err != nil {
		return e.Host.UID == 0
	}
	return caps&(1<<capPerfmon) != 0 || caps&(1<<capSysAdmin) != 0
}

func checkPerfParanoid(_ context.Context, e *Env) finding.Finding {
	n, err := e.readSysctl(paranoidPath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return finding.Result(finding.Skip, "%s is missing: this kernel has no perf events (CONFIG_PERF_EVENTS)", paranoidPath).WithSource(paranoidPath)
	case err != nil:
		return finding.Result(finding.Error, "%v", err)
	}
	// Documentation/admin-guide/sysctl/kernel.rst, perf_event_paranoid:
	// -1 allows all, >= 0 forbids raw tracepoint and ftrace function
	// access, >= 1 CPU events, >= 2 kernel profiling. 3 and above come
	// from Debian's patch "security,perf: Allow further restriction of
	// perf_event_open" (Android carries it too): no perf_event_open at all
	// without CAP_PERFMON.
	f := finding.Result(finding.Pass, "perf_event_paranoid=%d", n).WithSource(paranoidPath).WithFact("perf_event_paranoid", strconv.Itoa(n))
	var blocks string
	switch {
	case n >= 3:
		blocks = "perf_event_open is refused entirely to unprivileged users (the Debian and Android restriction)"
	case n == 2:
		blocks = "unprivileged users cannot profile the kernel (no kernel samples, kprobe or tracepoint perf events)"
	case n == 1:
		blocks = "unprivileged users cannot open CPU-wide events, only events of their own processes"
	default:
		f.Message += ": perf events are open to unprivileged users"
		return f
	}
	if e.perfPrivileged() {
		f.Message = fmt.Sprintf("perf_event_paranoid=%d does not apply to this process (CAP_PERFMON or CAP_SYS_ADMIN); for others: %s", n, blocks)
		return f
	}
	f.Message = fmt.Sprintf("perf_event_paranoid=%d: %s", n, blocks)
	if n < 2 {
		return f
	}
	f.Status = finding.Warn
	return f.WithFix("Run BPF tracing tools as root or with CAP_PERFMON, or lower the setting (add it to /etc/sysctl.d to keep it).",
		e.sudo("sysctl -w kernel.perf_event_paranoid=1"))
}
