package checks

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"
	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
)

// withRoot writes files into the host's root.
func withRoot(t *testing.T, e *Env, files map[string]string) {
	t.Helper()
	for p, body := range files {
		testkit.WriteFile(t, filepath.Join(e.Host.Root, p), body, 0o644)
	}
}

func runOnly(t *testing.T, e *Env, id string) finding.Finding {
	t.Helper()
	for _, c := range All() {
		if c.ID == id {
			return Run(context.Background(), e, []Check{c})[0]
		}
	}
	t.Fatalf("no check %s", id)
	return finding.Finding{}
}

// wantFinding asserts a finding's status, that its message holds msg and
// that its fix commands hold fix (when given); a fail or warn must carry a
// fix.
func wantFinding(t *testing.T, f finding.Finding, status finding.Status, msg, fix string) {
	t.Helper()
	if f.Status != status || !strings.Contains(f.Message, msg) {
		t.Errorf("got %s %q, want %s containing %q", f.Status, f.Message, status, msg)
	}
	if fix != "" && (f.Fix == nil || !strings.Contains(fmt.Sprint(f.Fix.Commands), fix)) {
		t.Errorf("fix = %+v, want a command containing %q", f.Fix, fix)
	}
	if (f.Status == finding.Fail || f.Status == finding.Warn) && f.Fix == nil {
		t.Errorf("%s without a fix: %q", f.Status, f.Message)
	}
}

func TestKernelChecks(t *testing.T) {
	const (
		rel    = "/proc/sys/kernel/osrelease"
		jit    = "/proc/sys/net/core/bpf_jit_enable"
		unpriv = "/proc/sys/kernel/unprivileged_bpf_disabled"
		status = "/proc/self/status"
		mounts = "/proc/self/mounts"
		limits = "/proc/self/limits"
	)
	noCaps := "Name:\tx\nCapEff:\t0000000000000000\n"
	allCaps := "Name:\tx\nCapEff:\t000001ffffffffff\n"
	bpfOnly := "CapEff:\t0000008000000000\n"
	tests := []struct {
		name   string
		id     string
		files  map[string]string
		status finding.Status
		msg    string
		fix    string
	}{
		{"release", "kernel.release", map[string]string{rel: "6.1.0-27-amd64\n"}, finding.Pass, "Linux 6.1.0-27-amd64", ""},
		{"release 5.8", "kernel.release", map[string]string{rel: "5.8.0\n"}, finding.Pass, "Linux 5.8.0", ""},
		{"release 5.4", "kernel.release", map[string]string{rel: "5.4.0-150-generic\n"}, finding.Warn, "Linux 5.4.0-150-generic is older than 5.8: no fentry/fexit (5.5), no BPF LSM (5.7), no ringbuf or CAP_BPF (5.8)", ""},
		{"release 5.7", "kernel.release", map[string]string{rel: "5.7.19\n"}, finding.Warn, "older than 5.8: no ringbuf or CAP_BPF (5.8)", ""},
		{"release 4.15", "kernel.release", map[string]string{rel: "4.15.0-213-generic\n"}, finding.Warn, "older than 5.8: no global data (5.2), no bounded loops (5.3), no BTF in sysfs (5.4), no fentry/fexit (5.5)", ""},
		{"release 3.18", "kernel.release", map[string]string{rel: "3.18.140\n"}, finding.Warn, "no global data (5.2)", ""},
		{"release 3.10", "kernel.release", map[string]string{rel: "3.10.0-1160.el7.x86_64\n"}, finding.Fail, "Linux 3.10.0-1160.el7.x86_64 predates the bpf(2) system call (3.18): no BPF program loads", ""},
		{"release garbage", "kernel.release", map[string]string{rel: "banana\n"}, finding.Error, `cannot read a version from kernel release "banana"`, ""},
		{"release missing", "kernel.release", nil, finding.Error, "read kernel release: open /proc/sys/kernel/osrelease: no such file", ""},
		{"jit on", "kernel.jit", map[string]string{jit: "1\n"}, finding.Pass, "enabled (bpf_jit_enable=1)", ""},
		{"jit off", "kernel.jit", map[string]string{jit: "0\n"}, finding.Warn, "disabled (bpf_jit_enable=0)", "sysctl -w net.core.bpf_jit_enable=1"},
		{"jit debug", "kernel.jit", map[string]string{jit: "2\n"}, finding.Warn, "enabled with debug output", "sysctl -w net.core.bpf_jit_enable=1"},
		{"jit absent", "kernel.jit", nil, finding.Warn, "this kernel has no BPF JIT", ""},
		{"jit garbage", "kernel.jit", map[string]string{jit: "on\n"}, finding.Error, `read /proc/sys/net/core/bpf_jit_enable: not a number: "on"`, ""},
		{"unpriv 0", "kernel.unprivileged", map[string]string{unpriv: "0\n", status: noCaps}, finding.Pass, "allowed (0)", ""},
		{"unpriv 1 no caps", "kernel.unprivileged", map[string]string{unpriv: "1\n", status: noCaps}, finding.Warn, "disabled until reboot (1)", ""},
		{"unpriv 1 root", "kernel.unprivileged", map[string]string{unpriv: "1\n", status: allCaps}, finding.Pass, "disabled until reboot (1)", ""},
		{"unpriv 2", "kernel.unprivileged", map[string]string{unpriv: "2\n", status: noCaps}, finding.Pass, "disabled, admin may change it (2)", ""},
		{"unpriv 7", "kernel.unprivileged", map[string]string{unpriv: "7\n"}, finding.Error, "unknown value 7", ""},
		{"bpffs mounted", "kernel.bpffs", map[string]string{mounts: "sysfs /sys sysfs rw 0 0\nbpf /sys/fs/bpf bpf rw,nosuid,nodev,noexec,relatime,mode=700 0 0\n"}, finding.Pass, "mounted at /sys/fs/bpf", ""},
		{"bpffs elsewhere", "kernel.bpffs", map[string]string{mounts: "bpf /mnt/bpf bpf rw 0 0\n"}, finding.Warn, "no bpf file system at /sys/fs/bpf", "mount -t bpf bpf /sys/fs/bpf"},
		{"caps root", "kernel.caps", map[string]string{status: allCaps}, finding.Pass, "this process has CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN", ""},
		{"caps none", "kernel.caps", map[string]string{status: noCaps}, finding.Warn, "no CAP_BPF or CAP_SYS_ADMIN", ""},
		{"caps bpf only", "kernel.caps", map[string]string{status: bpfOnly}, finding.Warn, "CAP_BPF without CAP_PERFMON", ""},
		{"caps garbage", "kernel.caps", map[string]string{status: "CapEff:\tzz\n"}, finding.Error, `bad CapEff "zz"`, ""},
		{"memlock new kernel", "kernel.memlock", map[string]string{rel: "5.11.0\n"}, finding.Skip, "not needed", ""},
		{"memlock old low", "kernel.memlock", map[string]string{rel: "5.4.0-150-generic\n", limits: "Limit                     Soft Limit           Hard Limit           Units\nMax locked memory         65536                65536                bytes\n"}, finding.Warn, "64 KiB on kernel 5.4.0-150-generic", "ulimit -l unlimited"},
		{"memlock old unlimited", "kernel.memlock", map[string]string{rel: "4.19.0\n", limits: "Max locked memory         unlimited            unlimited            bytes\n"}, finding.Pass, "unlimited", ""},
		{"btf present", "kernel.btf", map[string]string{"/sys/kernel/btf/vmlinux": strings.Repeat("x", 4096)}, finding.Pass, "/sys/kernel/btf/vmlinux (4 KiB)", ""},
		{"btf missing, config says why", "kernel.btf", map[string]string{rel: "6.1.0\n", "/boot/config-6.1.0": "# CONFIG_DEBUG_INFO_BTF is not set\n"}, finding.Fail, "(CONFIG_DEBUG_INFO_BTF is not set)", ""},
		{"config found", "kernel.config", map[string]string{rel: "6.1.0\n", "/boot/config-6.1.0": "CONFIG_BPF=y\nCONFIG_BPF=y\n"}, finding.Pass, "/boot/config-6.1.0 (1 options)", ""},
		{"config broken", "kernel.config", map[string]string{rel: "6.1.0\n", "/boot/config-6.1.0": "CONFIG_BPF=maybe\n"}, finding.Error, "/boot/config-6.1.0:1:", ""},
		{"config none", "kernel.config", map[string]string{rel: "6.1.0\n"}, finding.Error, "no kernel config found (tried /proc/config.gz, /boot/config-6.1.0,", "bpfdoctor check --config /path/to/.config"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewEnv(fakeHost(t, nil))
			withRoot(t, e, tt.files)
			f := runOnly(t, e, tt.id)
			if f.Status != tt.status || !strings.Contains(f.Message, tt.msg) {
				t.Errorf("got %s %q, want %s containing %q", f.Status, f.Message, tt.status, tt.msg)
			}
			if tt.fix != "" && (f.Fix == nil || !strings.Contains(strings.Join(f.Fix.Commands, "\n"), tt.fix)) {
				t.Errorf("fix = %+v, want a command containing %q", f.Fix, tt.fix)
			}
			if f.Status != finding.Pass && f.Status != finding.Skip && f.Status != finding.Error && f.Fix == nil {
				t.Errorf("%s finding without a fix: %q", f.Status, f.Message)
			}
		})
	}
}

// 341dfcf8d78e ("btf: expose BTF info through sysfs") is in v5.4.
func TestBTFFixNamesFirstRelease(t *testing.T) {
	e := NewEnv(fakeHost(t, nil))
	withRoot(t, e, map[string]string{"/proc/sys/kernel/osrelease": "5.3.0\n"})
	f := runOnly(t, e, "kernel.btf")
	if f.Fix == nil || !strings.Contains(f.Fix.Text, "CONFIG_DEBUG_INFO_BTF=y (5.4 or newer; needs pahole >= 1.16") {
		t.Errorf("fix = %+v, want it to name 5.4 and pahole 1.16", f.Fix)
	}
}

func TestConfigDuplicatesShown(t *testing.T) {
	e := NewEnv(fakeHost(t, nil))
	withRoot(t, e, map[string]string{"/proc/sys/kernel/osrelease": "6.1.0\n", "/boot/config-6.1.0": "CONFIG_BPF=y\nCONFIG_BPF=m\n"})
	f := runOnly(t, e, "kernel.config")
	if len(f.Details) != 1 || f.Details[0] != "CONFIG_BPF is set on lines 1 and 2; line 2 wins" {
		t.Errorf("details = %q", f.Details)
	}
}
