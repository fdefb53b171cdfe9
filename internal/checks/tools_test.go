package checks

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"
	"github.com/bpfdoctor/bpfdoctor/internal/host"
	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
)

// llcOut is `llc --version` of a vendor build with or without BPF.
func llcOut(version string, bpf bool) string {
	s := "echo 'Debian LLVM version " + version + "'\necho '  Optimized build.'\necho '  Default target: x86_64-pc-linux-gnu'\necho '  Host CPU: x'\necho\necho '  Registered Targets:'\n"
	if bpf {
		s += "echo '    bpf     - BPF (host endian)'\necho '    bpfeb   - BPF (big endian)'\necho '    bpfel   - BPF (little endian)'\n"
	}
	return s + "echo '    x86-64  - 64-bit X86: EM64T and AMD64'"
}

func clangOut(version string) string {
	return "echo 'clang version " + version + "'\necho 'Target: x86_64-pc-linux-gnu'\necho 'Thread model: posix'\necho 'InstalledDir: /usr/bin'"
}

func stripOut(version string) string {
	return "echo 'llvm-strip, compatible with GNU strip'\necho 'LLVM version " + version + "'"
}

func TestToolChecks(t *testing.T) {
	tests := []struct {
		name   string
		id     string
		tools  map[string]string
		root   map[string]string // files under the root; "+x" suffix on a key: executable
		status finding.Status
		msg    string
		fix    string
	}{
		{name: "llc on PATH", id: "llvm.llc", tools: map[string]string{"llc": llcOut("19.1.7", true)},
			status: finding.Pass, msg: "llc 19.1.7 (Debian) at "},
		{name: "llc only versioned", id: "llvm.llc", tools: map[string]string{"llc-18": llcOut("18.1.8", true), "llc-16": llcOut("16.0.6", true)},
			status: finding.Warn, msg: "llc is not on PATH; found llc 18.1.8 at ", fix: "export PATH=/usr/lib/llvm-18/bin:$PATH"},
		{name: "llc only in /usr/lib", id: "llvm.llc", root: map[string]string{"/usr/lib/llvm-17/bin/llc+x": llcOut("17.0.6", true)},
			status: finding.Warn, msg: "found llc 17.0.6 at /usr/lib/llvm-17/bin/llc", fix: "export PATH=/usr/lib/llvm-17/bin:$PATH"},
		{name: "llc without BPF", id: "llvm.bpf-targets", tools: map[string]string{"llc": llcOut("19.1.7", false)},
			status: finding.Fail, msg: "lacks the BPF back end (missing: bpf, bpfel, bpfeb)", fix: "bpfdoctor bootstrap llvm"},
		{name: "several LLVMs", id: "llvm.installations",
			tools:  map[string]string{"llc": llcOut("14.0.6", true), "llc-19": llcOut("19.1.7", true)},
			root:   map[string]string{"/usr/lib/llvm-16/bin/llc+x": llcOut("16.0.6", true)},
			status: finding.Pass, msg: "3 llc found (LLVM 14, 19, 16); PATH picks "},
		{name: "a newer LLVM off PATH", id: "llvm.installations",
			tools:  map[string]string{"llc": llcOut("14.0.6", true), "llc-19": llcOut("19.1.7", true)},
			status: finding.Pass, msg: "; LLVM 19 is newer (export PATH=/usr/lib/llvm-19/bin:$PATH)"},
		{name: "strip matches", id: "llvm.strip", tools: map[string]string{"llc": llcOut("19.1.7", true), "llvm-strip": stripOut("19.1.7")},
			status: finding.Pass, msg: "llvm-strip 19.1.7 at "},
		{name: "strip of another LLVM", id: "llvm.strip", tools: map[string]string{"llc": llcOut("19.1.7", true), "llvm-strip-14": stripOut("14.0.6")},
			status: finding.Warn, msg: "llvm-strip 14.0.6 does not match llc 19.1.7"},
		{name: "strip missing", id: "llvm.strip", tools: map[string]string{"llc": llcOut("19.1.7", true)},
			status: finding.Warn, msg: "llvm-strip not found", fix: "install -y llvm"},
		{name: "clang 9: no CO-RE", id: "clang.version", tools: map[string]string{"clang": clangOut("9.0.1")},
			status: finding.Fail, msg: "clang 9.0.1 is too old for BPF work: no CO-RE", fix: "bpfdoctor bootstrap llvm"},
		{name: "clang 12: known issues", id: "clang.version", tools: map[string]string{"clang": clangOut("12.0.1")},
			status: finding.Warn, msg: "clang 12.0.1 lacks kfunc externs and float BTF, BTF type and decl tags"},
		{name: "clang 19", id: "clang.version", tools: map[string]string{"clang": clangOut("19.1.7")},
			status: finding.Pass, msg: "clang 19.1.7 at "},
		{name: "clang and llc differ", id: "clang.llc-match", tools: map[string]string{"clang": clangOut("19.1.7"), "llc": llcOut("14.0.6", true)},
			status: finding.Warn, msg: "clang 19.1.7 ("},
		{name: "clang and llc agree", id: "clang.llc-match", tools: map[string]string{"clang": clangOut("14.0.6"), "llc": llcOut("14.0.6", true)},
			status: finding.Pass, msg: "clang and llc are both LLVM 14"},
		{name: "clang that cannot target BPF", id: "clang.probe",
			tools:  map[string]string{"clang": "case \"$1\" in --version) " + strings.ReplaceAll(clangOut("19.1.7"), "\n", ";") + ";; *) echo \"error: unknown target triple 'bpf'\" >&2; exit 1;; esac"},
			status: finding.Fail, msg: "clang cannot compile for BPF: `clang --target=bpf -O2 -g -c", fix: "bpfdoctor bootstrap llvm"},
		{name: "clang that writes no BPF object", id: "clang.probe",
			tools: map[string]string{"clang": "case \"$1\" in --version) " + strings.ReplaceAll(clangOut("19.1.7"), "\n", ";") +
				";; *) for a; do [ \"$prev\" = -o ] && echo 'not an elf' > \"$a\"; prev=$a; done;; esac"},
			status: finding.Fail, msg: "clang's BPF output is unusable"},
		{name: "bpftool without skeletons", id: "libbpf.bpftool",
			tools:  map[string]string{"bpftool": `echo '{"version":"7.1.0","libbpf_version":"1.1","features":{"libbfd":false,"libbpf_strict":true,"skeletons":false}}'`},
			status: finding.Pass, msg: "bpftool 7.1.0 (libbpf 1.1) at "},
		{name: "bpftool in sbin only", id: "libbpf.bpftool",
			root:   map[string]string{"/usr/sbin/bpftool+x": `echo '{"version":"7.4.0","libbpf_version":"1.4","features":{}}'`},
			status: finding.Warn, msg: "bpftool 7.4.0 is at ", fix: "export PATH=$PATH:"},
		{name: "vmlinux.h generated", id: "libbpf.vmlinux-h",
			tools: map[string]string{"bpftool": `[ "$1" = version ] && echo '{"version":"7.5.0","libbpf_version":"1.5","features":{}}' && exit
[ "$1 $2 $3" = "btf dump file" ] && [ -f "$4" ] && [ "$5 $6" = "format c" ] && echo '#ifndef __VMLINUX_H__' && exit
exit 9`},
			root:   map[string]string{"/sys/kernel/btf/vmlinux": "BTF"},
			status: finding.Pass, msg: "bpftool can print this kernel's BTF as C"},
		{name: "vmlinux.h refused", id: "libbpf.vmlinux-h",
			tools: map[string]string{"bpftool": `[ "$1" = version ] && echo '{"version":"5.10.0","libbpf_version":"0.3","features":{}}' && exit
echo "libbpf: Unsupported BTF_KIND:19" >&2; echo "Error: failed to load BTF from /sys/kernel/btf/vmlinux: Invalid argument" >&2; exit 255`},
			root:   map[string]string{"/sys/kernel/btf/vmlinux": "BTF"},
			status: finding.Fail, msg: "/sys/kernel/btf/vmlinux format c` exited with status 255: libbpf: Unsupported BTF_KIND:19"},
		{name: "libbpf from pkg-config", id: "libbpf.version", tools: map[string]string{"pkg-config": "echo 1.4.7"},
			status: finding.Pass, msg: "libbpf 1.4.7"},
		{name: "libbpf from the header", id: "libbpf.version",
			root:   map[string]string{"/usr/include/bpf/libbpf_version.h": "#define LIBBPF_MAJOR_VERSION 0\n#define LIBBPF_MINOR_VERSION 8\n"},
			status: finding.Warn, msg: "libbpf 0.8.0 predates 1.0", fix: "install -y libbpf-dev"},
		{name: "pahole 1.26 features", id: "pahole.btf-features",
			tools:  map[string]string{"pahole": `[ "$1" = --version ] && echo v1.27 || echo 'encode_force,var,float,decl_tag,type_tag,enum64,optimized_func,consistent_func,decl_tag_kfuncs,reproducible_build'`},
			status: finding.Pass, msg: "encode_force, var, float"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := fakeHost(t, tt.tools)
			e := NewEnv(h)
			withRoot(t, e, map[string]string{"/etc/os-release": "ID=debian\n"})
			for p, body := range tt.root {
				if exe, ok := strings.CutSuffix(p, "+x"); ok {
					testkit.WriteFile(t, filepath.Join(h.Root, exe), "#!/bin/sh\n"+body+"\n", 0o755)
				} else {
					testkit.WriteFile(t, filepath.Join(h.Root, p), body, 0o644)
				}
			}
			f := runOnly(t, e, tt.id)
			wantFinding(t, f, tt.status, tt.msg, tt.fix)
		})
	}
}

// On a machine without the tools, every shared probe says so with
// ErrNotFound and no value, and the checks report it as before.
func TestProbesNotFound(t *testing.T) {
	e := NewEnv(fakeHost(t, nil))
	probes := map[string]func() (any, error){
		"LLC":      func() (any, error) { return e.LLC() },
		"LLCCPUs":  func() (any, error) { return e.LLCCPUs() },
		"Clang":    func() (any, error) { return e.Clang() },
		"BPFProbe": func() (any, error) { return e.BPFProbe() },
		"Pahole":   func() (any, error) { return e.Pahole() },
		"Bpftool":  func() (any, error) { return e.Bpftool() },
	}
	for name, probe := range probes {
		v, err := probe()
		if !errors.Is(err, ErrNotFound) || !strings.HasSuffix(err.Error(), " not found") {
			t.Errorf("%s: err = %v, want one wrapping ErrNotFound", name, err)
		}
		if !reflect.ValueOf(v).IsNil() {
			t.Errorf("%s: a value %+v beside ErrNotFound", name, v)
		}
	}
	tests := []struct {
		id     string
		status finding.Status
		msg    string
	}{
		{"llvm.llc", finding.Fail, "llc not found on PATH, as llc-N or in /usr/lib/llvm-*/bin"},
		{"llvm.bpf-targets", finding.Skip, "no usable llc (see llvm.llc)"},
		{"llvm.cpu", finding.Skip, "no usable llc (see llvm.llc)"},
		{"llvm.installations", finding.Skip, "no LLVM installed"},
		{"clang.version", finding.Fail, "clang not found on PATH, as clang-N or in /usr/lib/llvm-*/bin"},
		{"clang.llc-match", finding.Skip, "needs a usable clang and llc (see clang.version and llvm.llc)"},
		{"clang.probe", finding.Skip, "no usable clang (see clang.version)"},
		{"clang.pitfalls", finding.Skip, "no usable clang (see clang.version)"},
		{"pahole.version", finding.Fail, "pahole not found: kernels with CONFIG_DEBUG_INFO_BTF cannot be built"},
		{"pahole.btf-features", finding.Skip, "no usable pahole"},
		{"pahole.kernel", finding.Skip, "no usable pahole"},
		{"libbpf.bpftool", finding.Fail, "bpftool not found: it generates vmlinux.h and skeletons"},
		{"libbpf.vmlinux-h", finding.Skip, "no usable bpftool"},
	}
	for _, tt := range tests {
		if f := runOnly(t, e, tt.id); f.Status != tt.status || f.Message != tt.msg {
			t.Errorf("%s: got %s %q, want %s %q", tt.id, f.Status, f.Message, tt.status, tt.msg)
		}
	}
}

// TestOneLLVMFix: with clang and llc of different LLVMs, the fixes of
// clang.llc-match and llvm.strip name an installation whose clang, llc and
// llvm-strip agree, never a directory that holds the mismatched tools. The
// fake tools print the real tools' --version (testdata).
func TestOneLLVMFix(t *testing.T) {
	tool := func(t *testing.T, name string, major int) string {
		return testdataTool(t, fmt.Sprintf("%s-%d.version.txt", name, major), "exit 1")
	}
	// llvmDir installs the tools of an LLVM in Debian's layout.
	llvmDir := func(t *testing.T, h *host.Host, major int) {
		for _, n := range []string{"clang", "llc", "llvm-strip"} {
			testkit.WriteFile(t, filepath.Join(h.Root, fmt.Sprintf("usr/lib/llvm-%d/bin", major), n), "#!/bin/sh\n"+tool(t, n, major), 0o755)
		}
	}
	link := func(t *testing.T, h *host.Host, name, target string) {
		if err := os.Symlink(filepath.Join(h.Root, target), filepath.Join(h.Path[0], name)); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		tools func(t *testing.T) map[string]string
		setup func(t *testing.T, h *host.Host)
		id    string
		msg   string
		fix   string // a command of the fix
		text  string // in the fix's text
	}{
		{name: "a PATH directory linking clang to LLVM 19 and llc to 14", id: "clang.llc-match",
			setup: func(t *testing.T, h *host.Host) {
				llvmDir(t, h, 14)
				llvmDir(t, h, 19)
				llvmDir(t, h, 22)
				link(t, h, "clang", "usr/lib/llvm-19/bin/clang")
				link(t, h, "llc", "usr/lib/llvm-14/bin/llc")
			},
			msg: "clang 19.1.7 (", fix: "export PATH=/usr/lib/llvm-19/bin:$PATH", text: "/usr/lib/llvm-19/bin holds LLVM 19's clang, llc and llvm-strip"},
		{name: "llvm-strip of llc's LLVM, not clang's", id: "llvm.strip",
			setup: func(t *testing.T, h *host.Host) {
				llvmDir(t, h, 14)
				llvmDir(t, h, 19)
				llvmDir(t, h, 22)
				link(t, h, "clang", "usr/lib/llvm-19/bin/clang")
				link(t, h, "llc", "usr/lib/llvm-14/bin/llc")
				link(t, h, "llvm-strip", "usr/lib/llvm-14/bin/llvm-strip")
			},
			msg: "llvm-strip 14.0.6 does not match clang 19.1.7", fix: "export PATH=/usr/lib/llvm-19/bin:$PATH"},
		{name: "llvm-strip off PATH: clang's, not the newest", id: "llvm.strip",
			tools: func(t *testing.T) map[string]string {
				return map[string]string{"clang": tool(t, "clang", 19), "llc": tool(t, "llc", 14)}
			},
			setup: func(t *testing.T, h *host.Host) {
				llvmDir(t, h, 14)
				llvmDir(t, h, 19)
				llvmDir(t, h, 22)
			},
			msg: "llvm-strip 19.1.7 does not match llc 14.0.6", fix: "export PATH=/usr/lib/llvm-19/bin:$PATH"},
		{name: "only llc's LLVM is whole", id: "clang.llc-match",
			tools: func(t *testing.T) map[string]string { return map[string]string{"clang": tool(t, "clang", 19)} },
			setup: func(t *testing.T, h *host.Host) {
				llvmDir(t, h, 14)
				link(t, h, "llc", "usr/lib/llvm-14/bin/llc")
			},
			msg: "clang 19.1.7 (", fix: "export PATH=/usr/lib/llvm-14/bin:$PATH"},
		{name: "versioned names on PATH", id: "clang.llc-match",
			tools: func(t *testing.T) map[string]string {
				return map[string]string{"clang": tool(t, "clang", 19), "llc": tool(t, "llc", 14),
					"clang-19": tool(t, "clang", 19), "llc-19": tool(t, "llc", 19), "llvm-strip-19": tool(t, "llvm-strip", 19)}
			},
			msg: "clang 19.1.7 (", fix: "make CLANG=clang-19 LLC=llc-19 LLVM_STRIP=llvm-strip-19", text: "on PATH as clang-19, llc-19 and llvm-strip-19"},
		{name: "no installation agrees: install one", id: "clang.llc-match",
			tools: func(t *testing.T) map[string]string {
				return map[string]string{"clang": tool(t, "clang", 19), "llc": tool(t, "llc", 14), "llvm-strip": tool(t, "llvm-strip", 14)}
			},
			msg: "clang 19.1.7 (", fix: "bpfdoctor bootstrap llvm", text: "No installation here holds them all of one LLVM"},
		{name: "a self-built LLVM clang is linked to", id: "clang.llc-match",
			tools: func(t *testing.T) map[string]string { return map[string]string{"llc": tool(t, "llc", 14)} },
			setup: func(t *testing.T, h *host.Host) {
				for _, n := range []string{"clang", "llc", "llvm-strip"} {
					testkit.WriteFile(t, filepath.Join(h.Root, "opt/llvm/bin", n), "#!/bin/sh\n"+tool(t, n, 19), 0o755)
				}
				link(t, h, "clang", "opt/llvm/bin/clang")
			},
			msg: "clang 19.1.7 (", fix: "/opt/llvm/bin:$PATH"},
		{name: "clang.pitfalls names the same installation", id: "clang.pitfalls",
			tools: func(t *testing.T) map[string]string {
				clang := copyTo(strings.ReplaceAll(clangOut("19.1.7"), "\n", ";"), realObject(t, false, "--target=bpf", "-O2", "-g"))
				return map[string]string{"clang": clang, "llc": llc14ReadingLLVM19(t),
					"clang-19": tool(t, "clang", 19), "llc-19": tool(t, "llc", 19), "llvm-strip-19": tool(t, "llvm-strip", 19)}
			},
			msg: "native -O2 -g | llc -march=bpf failed at llc: ", fix: "make CLANG=clang-19 LLC=llc-19 LLVM_STRIP=llvm-strip-19"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tools map[string]string
			if tt.tools != nil {
				tools = tt.tools(t)
			}
			h := fakeHost(t, tools)
			if tt.setup != nil {
				tt.setup(t, h)
			}
			e := NewEnv(h)
			withRoot(t, e, map[string]string{"/etc/os-release": "ID=debian\n"})
			f := runOnly(t, e, tt.id)
			if f.Status != finding.Warn || !strings.Contains(f.Message, tt.msg) {
				t.Errorf("got %s %q, want warn containing %q", f.Status, f.Message, tt.msg)
			}
			if f.Fix == nil {
				t.Fatalf("no fix")
			}
			if !strings.Contains(strings.Join(f.Fix.Commands, "\n"), tt.fix) || !strings.Contains(f.Fix.Text, tt.text) {
				t.Errorf("fix %q %q, want a command containing %q and text containing %q", f.Fix.Text, f.Fix.Commands, tt.fix, tt.text)
			}
			// The directory on PATH holds tools of two LLVMs: no fix may name it.
			if strings.Contains(fmt.Sprint(f.Fix.Commands), h.Path[0]) {
				t.Errorf("fix %q names %s, which holds the mismatched tools", f.Fix.Commands, h.Path[0])
			}
		})
	}
}
