package llvm

import (
	"errors"
	"slices"
	"testing"

	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
)

// llc 19 adds v4 (seen on Debian, see bpf-facts.md).
const llc19CPUHelp = `Available CPUs for this target:

  generic - Select the generic processor.
  probe   - Select the probe processor.
  v1      - Select the v1 processor.
  v2      - Select the v2 processor.
  v3      - Select the v3 processor.
  v4      - Select the v4 processor.

Available features for this target:

  alu32    - Enable ALU32 instructions.
  dummy    - unused feature.
  dwarfris - Disable MCAsmInfo DwarfUsesRelocationsAcrossSections.

Use +feature to enable a feature, or -feature to disable it.
For example, llc -mcpu=mycpu -mattr=+feature1,-feature2
`

func TestParseCPUHelp(t *testing.T) {
	v3 := []string{"generic", "probe", "v1", "v2", "v3"}
	feats := []string{"alu32", "dummy", "dwarfris"}
	tests := []struct {
		name, out string
		cpus      []string
		features  []string
		best      string
	}{
		{"llc-14", testkit.ReadTestdata(t, "llc-14.bpf-mcpu-help.txt"), v3, feats, "v3"},
		{"llc-15", testkit.ReadTestdata(t, "llc-15.bpf-mcpu-help.txt"), v3, feats, "v3"},
		{"llc-16", testkit.ReadTestdata(t, "llc-16.bpf-mcpu-help.txt"), v3, feats, "v3"},
		{"clang-14 -print-supported-cpus", testkit.ReadTestdata(t, "clang-14.bpf-print-supported-cpus.txt"), v3, nil, "v3"},
		{"llc-19", llc19CPUHelp, append(slices.Clone(v3), "v4"), feats, "v4"},
		{
			"v5 and wider padding",
			"Available CPUs for this target:\n\n  generic - Select the generic processor.\n  probe   - Select the probe processor.\n" +
				"  v1      - Select the v1 processor.\n  v2      - Select the v2 processor.\n  v3      - Select the v3 processor.\n" +
				"  v4      - Select the v4 processor.\n  v5      - Select the v5 processor.\n\nAvailable features for this target:\n\n" +
				"  alu32             - Enable ALU32 instructions.\n  dummy             - unused feature.\n" +
				"  dwarfris          - Disable MCAsmInfo DwarfUsesRelocationsAcrossSections.\n\n" +
				"Use +feature to enable a feature, or -feature to disable it.\n",
			append(slices.Clone(v3), "v4", "v5"),
			feats,
			"v5",
		},
		{
			"clang newer with v4",
			"Ubuntu clang version 19.1.7\nTarget: bpf\nThread model: posix\nInstalledDir: /usr/bin\nAvailable CPUs for this target:\n\n\tgeneric\n\tprobe\n\tv1\n\tv2\n\tv3\n\tv4\n\nUse -mcpu or -mtune to specify the target's processor.\nFor example, clang --target=aarch64-unknown-linux-gnu -mcpu=cortex-a35\n",
			append(slices.Clone(v3), "v4"), nil, "v4",
		},
		{"generic only", "Available CPUs for this target:\n  generic - Select the generic processor.\n", []string{"generic"}, nil, ""},
		{"CRLF, v10 beats v9", "Available CPUs for this target:\r\n\r\n  v9 - x\r\n  v10 - y\r\n  v2 - z\r\n", []string{"v9", "v10", "v2"}, nil, "v10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := ParseCPUHelp(tt.out)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(h.CPUs, tt.cpus) {
				t.Errorf("CPUs = %q, want %q", h.CPUs, tt.cpus)
			}
			if !slices.Equal(h.Features, tt.features) {
				t.Errorf("Features = %q, want %q", h.Features, tt.features)
			}
			if got := h.Best(); got != tt.best {
				t.Errorf("Best = %q, want %q", got, tt.best)
			}
			for _, cpu := range tt.cpus {
				if !h.Has(cpu) {
					t.Errorf("Has(%q) = false", cpu)
				}
			}
			if h.Has("alu32") || h.Has("") || h.Has("v") {
				t.Error("Has matched a non-CPU")
			}
		})
	}
}

func TestParseCPUHelpErrors(t *testing.T) {
	tests := []struct{ name, out string }{
		{"empty", ""},
		{"garbage", "\xff\xfe\x00 nothing here\n  v4 - but no header\n"},
		// clang 14 does not understand -mcpu=help: these are its real answers.
		{"clang-14 -mcpu=help", testkit.ReadTestdata(t, "clang-14.bpf-mcpu-help.txt")},
		{"clang-14 -mcpu=help with input", testkit.ReadTestdata(t, "clang-14.bpf-mcpu-help-with-input.txt")},
		{"llc version instead", testkit.ReadTestdata(t, "llc-14.version.txt")},
		{"header only", "Available CPUs for this target:\n\nUse -mcpu or -mtune to specify the target's processor.\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ParseCPUHelp(tt.out); !errors.Is(err, ErrNoCPUs) {
				t.Fatalf("err = %v, want ErrNoCPUs", err)
			}
		})
	}
}

func TestCPUHelpBest(t *testing.T) {
	tests := []struct {
		cpus []string
		want string
	}{
		{nil, ""},
		{[]string{"generic", "probe"}, ""},
		{[]string{"v1"}, "v1"},
		{[]string{"v4", "v3"}, "v4"},
		{[]string{"v", "vx", "v3a", "v2"}, "v2"},
		{[]string{"v99999999999999999999999", "v3"}, "v3"},
	}
	for _, tt := range tests {
		if got := (CPUHelp{CPUs: tt.cpus}).Best(); got != tt.want {
			t.Errorf("Best(%q) = %q, want %q", tt.cpus, got, tt.want)
		}
	}
}
