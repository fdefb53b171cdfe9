package checks

import (
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"
	"github.com/bpfdoctor/bpfdoctor/internal/host"
	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
)

// kernelBTF is a tiny /sys/kernel/btf/vmlinux: a struct and an int, with
// an ENUM64 (kernel 6.0 on) when enum64 is set. cilium/ebpf's encoder
// writes it, with no kind replaced.
func kernelBTF(t *testing.T, enum64 bool) string {
	t.Helper()
	i32 := &btf.Int{Name: "int", Size: 4, Encoding: btf.Signed}
	types := []btf.Type{&btf.Struct{Name: "task_struct", Size: 4, Members: []btf.Member{{Name: "pid", Type: i32}}}}
	if enum64 {
		types = append(types, &btf.Enum{Name: "e64", Size: 8, Values: []btf.EnumValue{{Name: "BIG", Value: 1 << 40}}})
	}
	b, err := btf.NewBuilder(types, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := b.Marshal(nil, &btf.MarshalOptions{Order: binary.LittleEndian})
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// bpftoolJSON is a fake bpftool whose `version -j` prints out (real 7.1.0
// output or a variant of it) and whose other commands succeed.
func bpftoolJSON(out string) string {
	return "[ \"$1\" = version ] && { echo '" + out + "'; exit; }\nexit 0"
}

func TestLibbpfSkewAndBTF(t *testing.T) {
	real71 := strings.TrimSpace(testkit.ReadTestdata(t, "../../libbpf/testdata/bpftool-7.1.0.version.json"))
	empty := strings.Replace(real71, `"libbpf_version":"1.1"`, `"libbpf_version":""`, 1)
	old05 := `{"version":"5.15.0","libbpf_version":"0.5","features":{"libbfd":true,"skeletons":true}}`
	new14 := strings.NewReplacer(`"7.1.0"`, `"7.4.0"`, `"1.1"`, `"1.4"`).Replace(real71)
	debian := map[string]string{
		"/usr/include/bpf/libbpf_version.h":             testkit.ReadTestdata(t, "../../libbpf/testdata/libbpf_version-1.1.h"),
		"/usr/lib/x86_64-linux-gnu/libbpf.so.1.1.2":     "",
		"/usr/lib/x86_64-linux-gnu/libbpf.so.1":         "",
		"/usr/lib/x86_64-linux-gnu/libbpf.so":           "",
		"/usr/lib/x86_64-linux-gnu/libbpf.a":            "",
		"/usr/lib/x86_64-linux-gnu/pkgconfig/libbpf.pc": "",
	}
	pc := func(v string) string { return "echo " + v }
	tests := []struct {
		name   string
		id     string
		tools  map[string]string
		root   map[string]string
		status finding.Status
		msg    string
		fix    string
	}{
		{name: "empty libbpf version", id: "libbpf.bpftool", tools: map[string]string{"bpftool": bpftoolJSON(empty)},
			status: finding.Warn, msg: "bpftool 7.1.0 at ", fix: "install -y bpftool"},
		{name: "empty libbpf version suggests", id: "libbpf.bpftool", tools: map[string]string{"bpftool": bpftoolJSON(empty)},
			status: finding.Warn, msg: "does not say which libbpf it was built with (its version suggests libbpf 1.1)"},
		{name: "debian 12 agrees", id: "libbpf.skew", tools: map[string]string{"bpftool": bpftoolJSON(real71), "pkg-config": pc("1.1.2")}, root: debian,
			status: finding.Pass, msg: "bpftool's libbpf 1.1 and the libbpf programs build with (headers 1.1, pkg-config 1.1.2, library 1.1.2) agree"},
		{name: "bpftool newer than the headers", id: "libbpf.skew", tools: map[string]string{"bpftool": bpftoolJSON(new14), "pkg-config": pc("1.1.2")}, root: debian,
			status: finding.Warn, msg: "bpftool's libbpf 1.4 is newer than the libbpf 1.1 programs compile against", fix: "install -y libbpf-dev bpftool"},
		{name: "headers newer than the library", id: "libbpf.skew", tools: map[string]string{"bpftool": bpftoolJSON(new14), "pkg-config": pc("1.4.7")}, root: debian,
			status: finding.Warn, msg: "the libbpf 1.4 headers are newer than the library 1.1.2 (/usr/lib/x86_64-linux-gnu/libbpf.so.1.1.2)"},
		{name: "bpftool older than the headers is fine", id: "libbpf.skew", tools: map[string]string{"bpftool": bpftoolJSON(old05), "pkg-config": pc("1.1.2")}, root: debian,
			status: finding.Pass, msg: "bpftool's libbpf 0.5 and "},
		{name: "empty libbpf: inferred from 7.1.0", id: "libbpf.skew", tools: map[string]string{"bpftool": bpftoolJSON(empty), "pkg-config": pc("1.1.2")}, root: debian,
			status: finding.Pass, msg: "bpftool's libbpf 1.1 and "},
		{name: "libbpf 0.5 bpftool against ENUM64", id: "libbpf.btf-kinds", tools: map[string]string{"bpftool": bpftoolJSON(old05)},
			root:   map[string]string{"/sys/kernel/btf/vmlinux": kernelBTF(t, true)},
			status: finding.Fail, msg: "bpftool 5.15.0 (libbpf 0.5) cannot read this kernel's BTF: it has 1 ENUM64 types (read from libbpf 1.0, kernel 6.0 on)", fix: "install -y bpftool"},
		{name: "libbpf 0.5 bpftool without ENUM64", id: "libbpf.btf-kinds", tools: map[string]string{"bpftool": bpftoolJSON(old05)},
			root:   map[string]string{"/sys/kernel/btf/vmlinux": kernelBTF(t, false)},
			status: finding.Pass, msg: "bpftool's libbpf 0.5 read this kernel's BTF (2 types; none of FLOAT, DECL_TAG, TYPE_TAG, ENUM64)"},
		{name: "bpftool 7.1 against ENUM64", id: "libbpf.btf-kinds", tools: map[string]string{"bpftool": bpftoolJSON(real71), "pkg-config": pc("1.1.2")},
			root:   map[string]string{"/sys/kernel/btf/vmlinux": kernelBTF(t, true), "/usr/lib64/libbpf.so.1.1.2": ""},
			status: finding.Pass, msg: "bpftool's libbpf 1.1 and libbpf 1.1.2 read this kernel's BTF (3 types; ENUM64 1)"},
		{name: "an old library against ENUM64", id: "libbpf.btf-kinds", tools: map[string]string{"bpftool": bpftoolJSON(real71)},
			root:   map[string]string{"/sys/kernel/btf/vmlinux": kernelBTF(t, true), "/usr/lib64/libbpf.so.0.5.0": ""},
			status: finding.Warn, msg: "libbpf 0.5.0 (/usr/lib64/libbpf.so.0.5.0) cannot read this kernel's BTF: it has 1 ENUM64 types", fix: "install -y libbpf-dev"},
		{name: "unreadable BTF", id: "libbpf.btf-kinds", tools: map[string]string{"bpftool": bpftoolJSON(real71)},
			root:   map[string]string{"/sys/kernel/btf/vmlinux": "not BTF at all, but long enough"},
			status: finding.Error, msg: "read /sys/kernel/btf/vmlinux: scan BTF: bad magic"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewEnv(fakeHost(t, tt.tools))
			withRoot(t, e, map[string]string{"/etc/os-release": "ID=debian\n"})
			withRoot(t, e, tt.root)
			f := runOnly(t, e, tt.id)
			wantFinding(t, f, tt.status, tt.msg, tt.fix)
			if strings.Contains(f.Message, "(libbpf )") {
				t.Errorf("a blank libbpf version: %q", f.Message)
			}
		})
	}
}

// Ubuntu's /usr/sbin/bpftool is a wrapper that runs the running kernel's
// bpftool from its linux-tools package; without that package it fails.
func TestLinuxToolsWrapper(t *testing.T) {
	wrapper := strings.TrimPrefix(testkit.ReadTestdata(t, "../../libbpf/testdata/ubuntu-linux-tools-wrapper.sh"), "#!/bin/bash\n")
	rel, err := os.ReadFile("/proc/sys/kernel/osrelease") // what the wrapper's uname -r says
	if err != nil {
		t.Fatal(err)
	}
	prefix := t.TempDir()
	t.Setenv("LINUX_TOOLS_PREFIX", prefix)
	noble := "ID=ubuntu\nVERSION_ID=\"24.04\"\nVERSION_CODENAME=noble\nUBUNTU_CODENAME=noble\n"
	for _, os_ := range []struct{ name, osRelease, fix string }{
		{"ubuntu 24.04", noble, "sudo apt-get install -y linux-tools-common linux-tools-$(uname -r)"},
		{"unknown os-release", "ID=something\n", "sudo apt-get install -y linux-tools-$(uname -r)"},
	} {
		t.Run(os_.name, func(t *testing.T) {
			e := NewEnv(fakeHost(t, map[string]string{"bpftool": wrapper}))
			withRoot(t, e, map[string]string{"/etc/os-release": os_.osRelease, "/proc/sys/kernel/osrelease": "6.8.0-1021-azure\n"})
			f := runOnly(t, e, "libbpf.bpftool")
			if f.Status != finding.Fail || !strings.Contains(f.Message, "is Ubuntu's linux-tools wrapper and the bpftool for kernel 6.8.0-1021-azure is not installed") {
				t.Errorf("got %s %q", f.Status, f.Message)
			}
			if f.Fix == nil || len(f.Fix.Commands) != 1 || f.Fix.Commands[0] != os_.fix {
				t.Errorf("fix = %+v, want %q", f.Fix, os_.fix)
			}
			if !strings.Contains(strings.Join(f.Details, "\n"), "WARNING: bpftool not found for kernel") {
				t.Errorf("details %q lack the wrapper's warning", f.Details)
			}
		})
	}
	t.Run("installed", func(t *testing.T) {
		testkit.WriteFile(t, filepath.Join(prefix, strings.TrimSpace(string(rel)), "bpftool"),
			"#!/bin/sh\n"+bpftoolJSON(strings.TrimSpace(testkit.ReadTestdata(t, "../../libbpf/testdata/bpftool-7.1.0.version.json"))), 0o755)
		e := NewEnv(fakeHost(t, map[string]string{"bpftool": wrapper}))
		withRoot(t, e, map[string]string{"/etc/os-release": noble})
		f := runOnly(t, e, "libbpf.bpftool")
		if f.Status != finding.Pass || !strings.Contains(f.Message, "bpftool 7.1.0 (libbpf 1.1) at ") ||
			!strings.Contains(strings.Join(f.Details, "\n"), "is Ubuntu's linux-tools wrapper") {
			t.Errorf("got %s %q %q", f.Status, f.Message, f.Details)
		}
	})
}

// TestRealBTFKindsAgree runs libbpf.btf-kinds and libbpf.skew on this
// machine (Debian 12: bpftool 7.1.0 with libbpf 1.1, libbpf-dev 1.1.2) and
// checks the BTF verdict against what bpftool really does with this
// kernel's BTF.
func TestRealBTFKindsAgree(t *testing.T) {
	t.Setenv("PATH", os.Getenv("PATH")+":/usr/sbin")
	bpftool := testkit.Tool(t, "bpftool")
	if _, err := os.Stat(vmlinuxBTF); err != nil {
		testkit.Missing(t, "no kernel BTF: %v", err)
		return
	}
	h := host.Real()
	e := NewEnv(h)
	f := runOnly(t, e, "libbpf.btf-kinds")
	t.Logf("%s %s", f.Status, f.Message)
	out, err := os.Create(filepath.Join(t.TempDir(), "vmlinux.h"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd := exec.Command(bpftool, "btf", "dump", "file", vmlinuxBTF, "format", "c")
	cmd.Stdout = out
	dumpErr := cmd.Run()
	if (f.Status == finding.Fail) != (dumpErr != nil) {
		t.Errorf("libbpf.btf-kinds says %s %q, but the real dump returned %v", f.Status, f.Message, dumpErr)
	}
	if f.Status == finding.Error || f.Status == finding.Skip {
		t.Errorf("libbpf.btf-kinds: %s %q", f.Status, f.Message)
	}
	s := runOnly(t, e, "libbpf.skew")
	t.Logf("%s %s", s.Status, s.Message)
	v, err := exec.Command(bpftool, "version", "-j").Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := `"libbpf_version":"` + s.Facts["bpftool_libbpf"] + `"`; s.Facts["bpftool_libbpf"] == "" || !strings.Contains(string(v), want) {
		t.Errorf("libbpf.skew's bpftool_libbpf fact %q, bpftool says %s", s.Facts["bpftool_libbpf"], v)
	}
	if s.Status == finding.Error || s.Status == finding.Skip {
		t.Errorf("libbpf.skew: %s %q", s.Status, s.Message)
	}
}
