package checks

import (
	"strings"
	"testing"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"
)

// pahole.kernel against configs of several kernels, with a fake pahole (no
// machine has every old pahole).
func TestPaholeKernelNeeds(t *testing.T) {
	tests := []struct {
		name   string
		pahole string
		config string
		status finding.Status
		msg    string
	}{
		// 5.2 to 5.7 asked for 1.13 only: 1.15 builds their BTF.
		{"5.4 with pahole 1.15", "v1.15", "# Linux/x86 5.4.0 Kernel Configuration\nCONFIG_DEBUG_INFO_BTF=y\n", finding.Pass, "pahole 1.15 meets what"},
		{"5.10 with pahole 1.15", "v1.15", "# Linux/x86 5.10.0 Kernel Configuration\nCONFIG_DEBUG_INFO_BTF=y\n", finding.Warn, "older than the 1.16 this kernel config needs"},
		// lib/Kconfig.debug: DEBUG_INFO_BTF depends on DEBUG_INFO_DWARF4 ||
		// PAHOLE_VERSION >= 121, so the toolchain default asks for 1.21.
		{"toolchain default DWARF with pahole 1.20", "v1.20", "# Linux/x86 6.1.0 Kernel Configuration\nCONFIG_DEBUG_INFO_BTF=y\nCONFIG_DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT=y\n", finding.Warn, "older than the 1.21 this kernel config needs"},
		// pahole 1.24 encodes BTF_KIND_ENUM64, which kernels before 6.0 reject.
		{"5.15 with pahole 1.24", "v1.24", "# Linux/x86 5.15.0 Kernel Configuration\nCONFIG_DEBUG_INFO_BTF=y\nCONFIG_PAHOLE_VERSION=122\n", finding.Warn, "pahole 1.24 is too new for kernel 5.15: pahole >= 1.24 encodes BTF_KIND_ENUM64, which kernels before 6.0 reject"},
		{"5.19 with pahole 1.25", "v1.25", "# Linux/x86 5.19.0 Kernel Configuration\nCONFIG_DEBUG_INFO_BTF=y\n", finding.Warn, "too new for kernel 5.19"},
		{"5.15 with pahole 1.23", "v1.23", "# Linux/x86 5.15.0 Kernel Configuration\nCONFIG_DEBUG_INFO_BTF=y\n", finding.Pass, "pahole 1.23 meets what"},
		{"6.0 with pahole 1.24", "v1.24", "# Linux/x86 6.0.0 Kernel Configuration\nCONFIG_DEBUG_INFO_BTF=y\n", finding.Pass, "pahole 1.24 meets what"},
		// A 5.15 already built with 1.24 is a stable tree that copes.
		{"5.15 built with pahole 1.24", "v1.24", "# Linux/x86 5.15.0 Kernel Configuration\nCONFIG_DEBUG_INFO_BTF=y\nCONFIG_PAHOLE_VERSION=124\n", finding.Pass, "the kernel was built with pahole 1.24"},
		// Too old wins over too new: upgrading comes first.
		{"5.10 built with 1.25, pahole 1.24", "v1.24", "# Linux/x86 5.10.0 Kernel Configuration\nCONFIG_DEBUG_INFO_BTF=y\nCONFIG_PAHOLE_VERSION=125\n", finding.Warn, "older than the 1.25 this kernel config needs"},
		{"DWARF4 with pahole 1.20", "v1.20", "# Linux/x86 6.1.0 Kernel Configuration\nCONFIG_DEBUG_INFO_BTF=y\nCONFIG_DEBUG_INFO_DWARF4=y\n", finding.Pass, "pahole 1.20 meets what"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewEnv(fakeHost(t, map[string]string{"pahole": "echo " + tt.pahole}))
			withRoot(t, e, map[string]string{"/proc/sys/kernel/osrelease": "6.1.0\n", "/boot/config-6.1.0": tt.config})
			f := runOnly(t, e, "pahole.kernel")
			if f.Status != tt.status || !strings.Contains(f.Message, tt.msg) {
				t.Errorf("got %s %q, want %s containing %q", f.Status, f.Message, tt.status, tt.msg)
			}
		})
	}
}
