package checks

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"
	"github.com/bpfdoctor/bpfdoctor/internal/host"
	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
)

func TestSecurityChecks(t *testing.T) {
	const (
		lockdown = "/sys/kernel/security/lockdown"
		lsm      = "/sys/kernel/security/lsm"
		mounts   = "/proc/self/mounts"
		paranoid = "/proc/sys/kernel/perf_event_paranoid"
		status   = "/proc/self/status"
		rel      = "/proc/sys/kernel/osrelease"
		config   = "/boot/config-6.1.0"
	)
	noCaps := "Name:\tx\nCapEff:\t0000000000000000\n"
	allCaps := "Name:\tx\nCapEff:\t000001ffffffffff\n"
	perfmon := "CapEff:\t0000004000000000\n"
	tracefs := "sysfs /sys sysfs rw 0 0\ntracefs /sys/kernel/tracing tracefs rw,nosuid,nodev,noexec,relatime 0 0\n"
	tracing := func(extra map[string]string) map[string]string {
		m := map[string]string{mounts: tracefs,
			"/sys/kernel/tracing/available_filter_functions": "vfs_read\nvfs_write\n",
			"/sys/kernel/tracing/events/sched/enable":        "0\n"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name   string
		id     string
		uid    int
		files  map[string]string
		dirs   []string // made as directories, over any file of that name
		status finding.Status
		msg    string
		fix    string // in the fix's text or commands
	}{
		{name: "lockdown none", id: "security.lockdown", files: map[string]string{lockdown: "[none] integrity confidentiality\n"},
			status: finding.Pass, msg: "none: lockdown takes nothing from BPF"},
		{name: "lockdown integrity", id: "security.lockdown", files: map[string]string{lockdown: "none [integrity] confidentiality\n"},
			status: finding.Warn, msg: "integrity: bpf_probe_write_user is refused (LOCKDOWN_BPF_WRITE_USER)", fix: "disable Secure Boot"},
		{name: "lockdown confidentiality", id: "security.lockdown", files: map[string]string{lockdown: "none integrity [confidentiality]\n"},
			status: finding.Fail, msg: "bpf_probe_read_kernel, bpf_probe_read and their _str forms are refused (LOCKDOWN_BPF_READ_KERNEL), kprobes cannot be created (LOCKDOWN_KPROBES)", fix: "lockdown= boot parameter only raises it"},
		{name: "lockdown garbage", id: "security.lockdown", files: map[string]string{lockdown: "none\n"}, status: finding.Error, msg: "no [level]"},
		{name: "no securityfs", id: "security.lockdown", status: finding.Skip, msg: "securityfs is not mounted"},

		{name: "lsm with bpf, BPF_LSM=y", id: "security.lsm", files: map[string]string{lsm: "capability,lockdown,yama,apparmor,bpf", rel: "6.1.0\n", config: "CONFIG_BPF_LSM=y\n"},
			status: finding.Pass, msg: "bpf is an active LSM (capability,lockdown,yama,apparmor,bpf)"},
		{name: "lsm without bpf, BPF_LSM=y", id: "security.lsm", files: map[string]string{lsm: "capability,lockdown,yama,apparmor", rel: "6.1.0\n", config: "CONFIG_BPF_LSM=y\n"},
			status: finding.Warn, msg: "bpf is not among the active LSMs (capability,lockdown,yama,apparmor): BPF LSM programs load and attach but never run", fix: "`lsm=capability,lockdown,yama,apparmor,bpf`"},
		{name: "lsm without bpf, BPF_LSM=n", id: "security.lsm", files: map[string]string{lsm: "capability,yama", rel: "6.1.0\n", config: "# CONFIG_BPF_LSM is not set\n"},
			status: finding.Warn, msg: "built without CONFIG_BPF_LSM: BPF LSM programs (lsm/, lsm.s/) cannot load", fix: "CONFIG_BPF_LSM=y"},
		{name: "lsm with bpf, BPF_LSM absent", id: "security.lsm", files: map[string]string{lsm: "capability,bpf", rel: "6.1.0\n", config: "CONFIG_BPF=y\n"},
			status: finding.Warn, msg: "built without CONFIG_BPF_LSM"},
		{name: "lsm without bpf, no config", id: "security.lsm", files: map[string]string{lsm: "capability,selinux\n", rel: "6.1.0\n"},
			status: finding.Warn, msg: "(no kernel config says whether CONFIG_BPF_LSM is built in)", fix: "`lsm=capability,selinux,bpf`"},
		{name: "lsm missing", id: "security.lsm", status: finding.Skip, msg: "/sys/kernel/security/lsm is missing"},

		{name: "tracefs usable", id: "security.tracefs", files: tracing(nil), status: finding.Pass, msg: "mounted at /sys/kernel/tracing"},
		{name: "tracefs through debugfs", id: "security.tracefs",
			files:  map[string]string{mounts: "debugfs /sys/kernel/debug debugfs rw 0 0\n", "/sys/kernel/debug/tracing/available_filter_functions": "x\n", "/sys/kernel/debug/tracing/events/x": ""},
			status: finding.Pass, msg: "mounted at /sys/kernel/debug/tracing"},
		{name: "no tracefs", id: "security.tracefs", files: map[string]string{mounts: "sysfs /sys sysfs rw 0 0\n"},
			status: finding.Warn, msg: "no tracefs mounted", fix: "mount -t tracefs nodev /sys/kernel/tracing"},
		{name: "tracefs unreadable", id: "security.tracefs", uid: 1000, files: tracing(nil), dirs: []string{"/sys/kernel/tracing/available_filter_functions"},
			status: finding.Warn, msg: "tracefs at /sys/kernel/tracing is not usable here: read /sys/kernel/tracing/available_filter_functions: is a directory", fix: "Run BPF tracing tools as root"},
		{name: "tracefs without events", id: "security.tracefs", files: map[string]string{mounts: tracefs, "/sys/kernel/tracing/available_filter_functions": ""},
			status: finding.Warn, msg: "no /sys/kernel/tracing/events directory"},

		{name: "paranoid 1 user", id: "security.perf", uid: 1000, files: map[string]string{paranoid: "1\n", status: noCaps}, status: finding.Pass, msg: "perf_event_paranoid=1: unprivileged users cannot open CPU-wide events"},
		{name: "paranoid 2 user", id: "security.perf", uid: 1000, files: map[string]string{paranoid: "2\n", status: noCaps},
			status: finding.Warn, msg: "perf_event_paranoid=2: unprivileged users cannot profile the kernel", fix: "sudo sysctl -w kernel.perf_event_paranoid=1"},
		{name: "paranoid 3 user", id: "security.perf", uid: 1000, files: map[string]string{paranoid: "3\n", status: noCaps},
			status: finding.Warn, msg: "perf_event_open is refused entirely to unprivileged users", fix: "sudo sysctl -w kernel.perf_event_paranoid=1"},
		{name: "paranoid 1 root", id: "security.perf", files: map[string]string{paranoid: "1\n", status: allCaps}, status: finding.Pass, msg: "perf_event_paranoid=1 does not apply to this process"},
		{name: "paranoid 2 root", id: "security.perf", files: map[string]string{paranoid: "2\n", status: allCaps}, status: finding.Pass, msg: "perf_event_paranoid=2 does not apply to this process"},
		{name: "paranoid 3 root", id: "security.perf", files: map[string]string{paranoid: "3\n", status: allCaps}, status: finding.Pass, msg: "perf_event_paranoid=3 does not apply to this process (CAP_PERFMON or CAP_SYS_ADMIN); for others: perf_event_open is refused entirely"},
		{name: "paranoid 3 CAP_PERFMON", id: "security.perf", uid: 1000, files: map[string]string{paranoid: "3\n", status: perfmon}, status: finding.Pass, msg: "does not apply to this process"},
		{name: "paranoid -1", id: "security.perf", uid: 1000, files: map[string]string{paranoid: "-1\n", status: noCaps}, status: finding.Pass, msg: "open to unprivileged users"},
		{name: "paranoid missing", id: "security.perf", status: finding.Skip, msg: "no perf events"},
		{name: "paranoid garbage", id: "security.perf", files: map[string]string{paranoid: "x\n"}, status: finding.Error, msg: "not a number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := testkit.Fake{Files: tt.files, UID: tt.uid, Timeout: 10 * time.Second}.Host(t)
			for _, d := range tt.dirs {
				p := filepath.Join(h.Root, d)
				if err := os.Remove(p); err != nil {
					t.Fatal(err)
				}
				if err := os.MkdirAll(p, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			f := runOnly(t, NewEnv(h), tt.id)
			if f.Status != tt.status || !strings.Contains(f.Message, tt.msg) {
				t.Errorf("got %s %q, want %s containing %q", f.Status, f.Message, tt.status, tt.msg)
			}
			if tt.fix != "" && (f.Fix == nil || !strings.Contains(f.Fix.Text+"\n"+strings.Join(f.Fix.Commands, "\n"), tt.fix)) {
				t.Errorf("fix = %+v, want it to contain %q", f.Fix, tt.fix)
			}
			if (f.Status == finding.Warn || f.Status == finding.Fail) && f.Fix == nil {
				t.Errorf("%s finding without a fix: %q", f.Status, f.Message)
			}
		})
	}
}

// TestRealSecurity reads this machine's own securityfs, mounts and sysctl:
// whatever they hold, every security check must tell, not error, and agree
// with the files.
func TestRealSecurity(t *testing.T) {
	if _, err := os.Stat("/proc/self/mounts"); err != nil {
		t.Skip("no /proc")
	}
	cs, _ := Select(All(), []string{"security"}, nil)
	if len(cs) != 4 {
		t.Fatalf("security checks = %d, want 4", len(cs))
	}
	byID := map[string]finding.Finding{}
	for _, f := range Run(context.Background(), NewEnv(host.Real()), cs) {
		byID[f.ID] = f
		t.Logf("%-18s %-5s %s", f.ID, f.Status, f.Message)
		if f.Status == finding.Error {
			t.Errorf("%s could not tell on a real machine: %s", f.ID, f.Message)
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/perf_event_paranoid"); err == nil {
		if got, want := byID["security.perf"].Facts["perf_event_paranoid"], strings.TrimSpace(string(b)); got != want {
			t.Errorf("security.perf fact = %q, file says %q", got, want)
		}
	}
	if _, err := os.Stat("/sys/kernel/security/lockdown"); err != nil && byID["security.lockdown"].Status != finding.Skip {
		t.Errorf("security.lockdown = %s without %s", byID["security.lockdown"].Status, "/sys/kernel/security/lockdown")
	}
	mounts, _ := os.ReadFile("/proc/self/mounts")
	if mounted := len(tracingDirs(string(mounts))) > 0; !mounted && byID["security.tracefs"].Status != finding.Warn {
		t.Errorf("security.tracefs = %s with no tracefs in /proc/self/mounts", byID["security.tracefs"].Status)
	}
}

// TestRealSecurityMounted mounts this kernel's own securityfs and tracefs
// under a test root (containers and this CI machine often have neither
// mounted) and checks that the findings say what the real files say.
func TestRealSecurityMounted(t *testing.T) {
	root := t.TempDir()
	mount := func(fstype, at string) {
		dir := filepath.Join(root, at)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Mount("none", dir, fstype, 0, ""); err != nil {
			t.Skipf("mount %s: %v (needs root)", fstype, err)
		}
		t.Cleanup(func() { _ = syscall.Unmount(dir, 0) })
	}
	mount("securityfs", "/sys/kernel/security")
	mount("tracefs", "/sys/kernel/tracing")
	testkit.WriteFile(t, filepath.Join(root, "proc/self/mounts"), "tracefs /sys/kernel/tracing tracefs rw 0 0\n", 0o644)
	h := &host.Host{Root: root, Timeout: 10 * time.Second}
	e := NewEnv(h)
	lockdown, err := os.ReadFile(filepath.Join(root, "sys/kernel/security/lockdown"))
	if err != nil {
		t.Skipf("no lockdown LSM: %v", err)
	}
	f := runOnly(t, e, "security.lockdown")
	t.Logf("%s: %s %s", lockdown, f.Status, f.Message)
	want := map[string]finding.Status{"none": finding.Pass, "integrity": finding.Warn, "confidentiality": finding.Fail}
	level := f.Facts["lockdown"]
	if st, ok := want[level]; !ok || st != f.Status || !strings.Contains(string(lockdown), "["+level+"]") {
		t.Errorf("security.lockdown = %s, fact %q, for %q", f.Status, level, lockdown)
	}
	lsm, err := os.ReadFile(filepath.Join(root, "sys/kernel/security/lsm"))
	if err != nil {
		t.Fatal(err)
	}
	f = runOnly(t, e, "security.lsm")
	t.Logf("%s: %s %s", lsm, f.Status, f.Message)
	if f.Status == finding.Error || f.Facts["lsm"] != strings.TrimSpace(string(lsm)) {
		t.Errorf("security.lsm = %s, fact %q, for %q", f.Status, f.Facts["lsm"], lsm)
	}
	f = runOnly(t, e, "security.tracefs")
	t.Logf("tracefs: %s %s", f.Status, f.Message)
	// This machine's kernel refuses available_filter_functions even to
	// root (EPERM): the finding must say so, not pass.
	_, openErr := os.ReadFile(filepath.Join(root, "sys/kernel/tracing/available_filter_functions"))
	if want := map[bool]finding.Status{true: finding.Pass, false: finding.Warn}[openErr == nil]; f.Status != want {
		t.Errorf("security.tracefs = %s %q; reading available_filter_functions gave %v", f.Status, f.Message, openErr)
	}
	if openErr != nil && !strings.Contains(f.Message, unwrapPath(openErr).Error()) {
		t.Errorf("security.tracefs message %q does not name %v", f.Message, openErr)
	}
}
