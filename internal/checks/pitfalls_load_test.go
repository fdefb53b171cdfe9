package checks

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bpfdoctor/bpfdoctor/internal/bpfobj"
	"github.com/bpfdoctor/bpfdoctor/internal/finding"
	"github.com/bpfdoctor/bpfdoctor/internal/host"
	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
)

// loaderBlind are the corpus objects lint fails that the loader takes:
// lint is right and the loader does not notice.
var loaderBlind = map[string]string{
	// -m32: long is 4 bytes, so ctx->di and ctx->si are read at the i386
	// offsets of a struct pt_regs laid out with 4-byte longs, the wrong
	// slots of x86-64's; the kernel checks only that the reads are in
	// bounds and aligned.
	"kprobe-llvm14-m32": "reads the wrong pt_regs slots",
	"kprobe-llvm19-m32": "reads the wrong pt_regs slots",
	"kprobe-llvm22-m32": "reads the wrong pt_regs slots",
	// -m32: the program's own long arithmetic is 32-bit while the kernel's
	// is 64-bit; this small program happens to pass the verifier.
	"xdp_switch-llvm14-m32": "long is 4 bytes: sizes disagree with the kernel's",
	"xdp_switch-llvm19-m32": "long is 4 bytes: sizes disagree with the kernel's",
	"xdp_switch-llvm22-m32": "long is 4 bytes: sizes disagree with the kernel's",
}

// TestCorpusAgreesWithLoader loads every object of the corpus
// (scripts/build-lint-corpus.sh) with the real loader, bpftool prog
// loadall into a bpffs of its own, and checks that lint's verdict for this
// host agrees: fail exactly when the loader refuses, but for loaderBlind.
func TestCorpusAgreesWithLoader(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("loading BPF programs needs root")
	}
	bpftool, err := exec.LookPath("bpftool")
	if err != nil {
		for _, d := range sbinDirs {
			if _, err := os.Stat(d + "/bpftool"); err == nil {
				bpftool = d + "/bpftool"
			}
		}
	}
	if bpftool == "" {
		testkit.Missing(t, "bpftool not found on PATH or in %v", sbinDirs)
	}
	fs := t.TempDir()
	if out, err := exec.Command("mount", "-t", "bpf", "bpf", fs).CombinedOutput(); err != nil {
		t.Fatalf("mount bpffs: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", fs).CombinedOutput(); err != nil {
			t.Errorf("umount bpffs: %v: %s", err, out)
		}
	})
	h := host.Real()
	h.Path = append(h.Path, sbinDirs...)
	target := NewEnv(h).LintTarget()
	t.Logf("judged for %s", target)

	objs, err := filepath.Glob("../bpfobj/testdata/corpus/*.o")
	if err != nil || len(objs) == 0 {
		t.Fatalf("no corpus objects: %v", err)
	}
	for _, path := range objs {
		name := strings.TrimSuffix(filepath.Base(path), ".o")
		t.Run(name, func(t *testing.T) {
			o, err := bpfobj.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			var fails []string
			for _, f := range LintObjectFor(path, o, []bpfobj.Target{target}, nil, nil) {
				if f.Status == finding.Fail {
					fails = append(fails, f.ID+": "+f.Message)
				}
			}
			pin := filepath.Join(fs, name)
			out, lerr := exec.Command(bpftool, "prog", "loadall", path, pin).CombinedOutput()
			os.RemoveAll(pin)
			refused := lerr != nil
			if refused {
				t.Logf("bpftool refused it: %s", loaderSaid(out))
			}
			blind, isBlind := loaderBlind[name]
			switch {
			case refused && len(fails) == 0:
				t.Errorf("the loader refuses it, lint fails nothing: %s", loaderSaid(out))
			case !refused && len(fails) > 0 && isBlind:
				t.Logf("lint fails it, the loader takes it (%s): %q", blind, fails)
			case !refused && len(fails) > 0:
				t.Errorf("the loader takes it, lint fails it: %q", fails)
			case isBlind && refused:
				t.Errorf("listed in loaderBlind (%s), but the loader refuses it now: drop it from the list", blind)
			case isBlind:
				t.Errorf("listed in loaderBlind (%s), but lint no longer fails it", blind)
			}
		})
	}
}

// loaderSaid is the lines of bpftool's output that say why: libbpf's, and
// the verifier's last, without the load log.
func loaderSaid(out []byte) string {
	var keep []string
	for line := range strings.SplitSeq(string(out), "\n") {
		if strings.HasPrefix(line, "libbpf: ") && !strings.Contains(line, "skipping") || strings.HasPrefix(line, "Error: ") {
			keep = append(keep, line)
		}
	}
	if len(keep) > 6 {
		keep = keep[len(keep)-6:]
	}
	return strings.Join(keep, " | ")
}
