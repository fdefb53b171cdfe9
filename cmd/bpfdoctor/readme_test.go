package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bpfdoctor/bpfdoctor/internal/checks"
	"github.com/bpfdoctor/bpfdoctor/internal/finding"
	"github.com/bpfdoctor/bpfdoctor/internal/render"
	"github.com/bpfdoctor/bpfdoctor/internal/require"
)

var readmePath = filepath.Join("..", "..", "README.md")

// failsWhen is the README's "fails when" column, which no list in the
// binary holds. TestReadmeUpToDate fails when a check lacks its entry or
// an entry names no check.
var failsWhen = map[string]string{
	"llvm.llc":            "no llc (warns when llc is only off PATH)",
	"llvm.bpf-targets":    "any of bpf, bpfel and bpfeb is missing",
	"llvm.cpu":            "warns without v3",
	"llvm.installations":  "informational",
	"llvm.strip":          "warns",
	"clang.version":       "below 10 (CO-RE). Warns below 13 (kfunc externs, float BTF) and 14 (BTF tags).",
	"clang.llc-match":     "warns",
	"clang.probe":         "the object is not EM_BPF, not 64-bit, or lacks `.BTF`/`.BTF.ext`",
	"clang.pitfalls":      "the recommended way (`--target=bpf`) itself gives a pitfall",
	"pahole.version":      "older than 1.16",
	"pahole.btf-features": "—",
	"pahole.kernel":       "warns when older than the config's `CONFIG_PAHOLE_VERSION`, than 1.21 with `DEBUG_INFO_DWARF5` or the toolchain's DWARF, or than 1.27 for kfunc tagging (kernel >= 6.11); warns when 1.24 or newer (ENUM64) for a kernel before 6.0 not built with one",
	"kernel.release":      "below 3.18 (no bpf(2)). Warns below 5.8, naming what the kernel lacks (global data, bounded loops, sysfs BTF, fentry, BPF LSM, ringbuf).",
	"kernel.config":       "error, listing the paths tried. Shows duplicate symbols with `-v`.",
	"kernel.btf":          "missing",
	"kernel.jit":          "warns when 0, 2 or absent",
	"kernel.unprivileged": "warns on 1 without privileges",
	"kernel.bpffs":        "warns",
	"kernel.caps":         "warns",
	"kernel.memlock":      "warns below 64 MiB",
	"kconfig.essential":   "any of `BPF_SYSCALL`, `BPF`, `DEBUG_INFO_BTF`, `BPF_JIT` is not `=y`; the message says what each breaks",
	"kconfig.selftests":   "warns when options are missing (see [below](#kernel-config-against-the-bpf-selftests)); `--require kconfig` makes that a failure",
	"libbpf.version":      "warns when missing or older than 1.0",
	"libbpf.bpftool":      "missing, or Ubuntu's linux-tools wrapper without the running kernel's linux-tools; warns when it does not say its libbpf. A bpftool built without `skeletons` still runs `gen skeleton`; only `prog profile` and pid info are missing.",
	"libbpf.vmlinux-h":    "bpftool cannot read the kernel's BTF",
	"libbpf.skew":         "warns when bpftool's libbpf is newer than the libbpf headers, or the headers newer than the library",
	"libbpf.btf-kinds":    "bpftool's libbpf cannot read a BTF kind the kernel uses (fails; warns for the installed libbpf)",
	// security.go (i10sec)
	"security.lockdown": "confidentiality (no kprobes, no bpf_probe_read_kernel); warns on integrity (no bpf_probe_write_user)",
	"security.lsm":      "warns when `bpf` is not an active LSM or the kernel lacks `CONFIG_BPF_LSM`",
	"security.tracefs":  "warns when no tracefs is mounted or it is unreadable",
	"security.perf":     "warns at 2 or more without CAP_PERFMON; never as root",
	// The selftests area: only with --kernel-src or inside a kernel tree.
	"selftests.tree":        "the tree is no kernel tree or has no BPF selftests Makefile",
	"selftests.clang":       "the clang make uses cannot compile the tree's sample programs (names a clang that can)",
	"selftests.lld":         "clang cannot link with the `-fuse-ld` the Makefile names (names the ld.lld directory)",
	"selftests.tools":       "pkg-config, bpf_doc.py's interpreter or rst2man (for `all: docs`) is not on PATH",
	"selftests.libs":        "pkg-config does not find a library the Makefile links",
	"selftests.optional":    "never: skips naming what is left out (libpcap, bpf-gcc, -mcpu=v4, LLVM's libraries)",
	"selftests.vmlinux-btf": "VMLINUX_BTF resolves to another kernel version's BTF, or to nothing",
	"selftests.version":     "warns when the running kernel is not the tree's version",
	"selftests.kernel":      "the tree's kernel is not configured, lacks CONFIG_MODULES, is not prepared or not built",
	"selftests.run":         "warns when not root, or bpffs or tracefs is not mounted",
	"selftests.vmtest":      "never: skips when vmtest.sh's QEMU or tools are missing",
	// The features area: probes of the running kernel; a refused probe
	// (unprivileged, EPERM) is a skip, never a failure.
	"features.programs":    "socket filter, kprobe, tc, tracepoint or XDP does not load. Warns without fentry or LSM.",
	"features.maps":        "hash, array or a per-CPU map cannot be created. Warns without ringbuf.",
	"features.btf":         "the kernel does not load BTF",
	"features.global-data": "no `BPF_F_RDONLY_PROG` maps or direct map value loads (before 5.2)",
	"features.loops":       "warns without bounded loops (before 5.3)",
	"features.isa":         "warns when clang's default `-mcpu` (v3 since clang 20) is above what the kernel takes",
	// The build probe (internal/checks/build.go).
	"build.bpf":      "the probe does not compile; warns when only libbpf-bootstrap's `-idirafter` system dirs make it compile (no gcc-multilib on Debian/Ubuntu)",
	"build.skeleton": "`bpftool gen skeleton` fails or bpftool has no `gen skeleton`",
	"build.loader":   "the loader does not compile or link (missing libbpf, libelf or zlib), its libbpf.so is not found, or the headers are of a newer libbpf than the runtime (warns when older)",
	"build.load":     "the verifier refuses the probe; skips without root or CAP_BPF and CAP_PERFMON",
}

// readmeSections renders the README's generated sections from the lists
// the binary reads: the check flags, checks.All(), require.Docs() and
// finding.Areas.
func readmeSections() (map[string]string, error) {
	var b strings.Builder
	row := func(cells ...string) {
		fmt.Fprintln(&b, strings.ReplaceAll("| "+strings.Join(cells, " | ")+" |", "|  |", "| |"))
	}
	sep := func(n int) { fmt.Fprintln(&b, "|"+strings.Repeat("---|", n)) }
	code := func(names []string) string {
		q := make([]string, len(names))
		for i, n := range names {
			q[i] = "`" + n + "`"
		}
		return strings.Join(q, ", ")
	}
	s := map[string]string{}

	row("flag", "meaning")
	sep(2)
	row("`--only AREA,...`", "run only these areas: "+strings.Join(checkAreas(), ", "))
	row("`--skip ID,...`", "leave out single checks")
	row("`--strict`", "warnings fail the run too")
	row("`-v`, `--verbose`", "details, provenance and each check's time")
	row("`--timeout 10s`", "deadline for each external command. A command that is still running then is killed along with its process group. The whole run ends within this deadline plus one second.")
	row("`--color auto\\|always\\|never`", "`auto` colours only a terminal, and honours `NO_COLOR` and `TERM=dumb`")
	row("`--format "+strings.Join(render.Formats, "\\|")+"`", "the report's format. Only the report goes to stdout.")
	row("`--require EXPR`", "repeatable. Fails unless EXPR holds. See [CI](#ci).")
	row("`--config FILE`", "the kernel config to judge. By default bpfdoctor reads the running kernel's config from the first of these that exists: `/proc/config.gz`, `/boot/config-$(uname -r)`, `/usr/lib/modules/$(uname -r)/config`, `/lib/modules/$(uname -r)/config`, `/lib/modules/$(uname -r)/build/.config`, `/usr/src/linux-$(uname -r)/.config`, `/usr/src/linux/.config`.")
	s["flags"], b = b.String(), strings.Builder{}

	row("ID", "what it looks at", "fails when")
	sep(3)
	var missing []string
	for _, c := range checks.All() {
		f, ok := failsWhen[c.ID]
		if !ok {
			missing = append(missing, c.ID)
		}
		row("`"+c.ID+"`", c.Looks, f)
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("failsWhen lacks %s", strings.Join(missing, ", "))
	}
	for id := range failsWhen {
		if !slices.ContainsFunc(checks.All(), func(c checks.Check) bool { return c.ID == id }) {
			return nil, fmt.Errorf("failsWhen names %s, which is no check", id)
		}
	}
	s["checks"], b = b.String(), strings.Builder{}

	row("expression", "holds when")
	sep(2)
	for _, d := range require.Docs() {
		row("`"+d.Example+"`", d.Holds)
	}
	s["require"], b = b.String(), strings.Builder{}

	var areas []string
	for _, a := range finding.Areas {
		areas = append(areas, a.Name)
	}
	row("field", "content")
	sep(2)
	row("`id`", "stable")
	row("`area`", "one of "+code(areas))
	row("`title`", "")
	row("`status`", "one of "+code([]string{finding.Pass.String(), finding.Warn.String(), finding.Fail.String(), finding.Error.String(), finding.Skip.String()}))
	row("`message`", "")
	row("`fix`", "`null` or `{commands, text, docs}`")
	row("`details`", "optional")
	row("`facts`", "optional machine-readable values, such as `version` and `path`")
	row("`source`", "the command or file the finding was read from")
	row("`duration_ms`", "")
	s["json-fields"] = b.String()
	return s, nil
}

const (
	beginMark = "<!-- BEGIN GENERATED: "
	endMark   = "<!-- END GENERATED -->"
)

// rewriteReadme replaces the body of each marked section of text. Every
// section must be marked once, and every marked section known.
func rewriteReadme(text string, sections map[string]string) (string, error) {
	var out strings.Builder
	seen := map[string]bool{}
	for {
		i := strings.Index(text, beginMark)
		if i < 0 {
			out.WriteString(text)
			break
		}
		j := strings.Index(text[i:], " -->\n")
		if j < 0 {
			return "", fmt.Errorf("unterminated %q", text[i:min(len(text), i+60)])
		}
		name := text[i+len(beginMark) : i+j]
		body, ok := sections[name]
		if !ok || seen[name] {
			return "", fmt.Errorf("section %q: unknown or marked twice", name)
		}
		seen[name] = true
		start := i + j + len(" -->\n")
		k := strings.Index(text[start:], endMark)
		if k < 0 {
			return "", fmt.Errorf("section %q has no %s", name, endMark)
		}
		out.WriteString(text[:start])
		out.WriteString(body)
		out.WriteString(endMark)
		text = text[start+k+len(endMark):]
	}
	for name := range sections {
		if !seen[name] {
			return "", fmt.Errorf("README.md lacks the marked section %q", name)
		}
	}
	return out.String(), nil
}

// TestReadmeUpToDate regenerates the README's marked sections and fails
// when the committed ones differ; -update-docs (scripts/gen-docs.sh)
// rewrites them.
func TestReadmeUpToDate(t *testing.T) {
	sections, err := readmeSections()
	if err != nil {
		t.Fatal(err)
	}
	old, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	gen, err := rewriteReadme(string(old), sections)
	if err != nil {
		t.Fatal(err)
	}
	if *updateDocs && gen != string(old) {
		if err := os.WriteFile(readmePath, []byte(gen), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if gen != string(old) {
		t.Errorf("README.md's generated sections are out of date: run scripts/gen-docs.sh")
	}
}

func TestRewriteReadme(t *testing.T) {
	got, err := rewriteReadme("a\n<!-- BEGIN GENERATED: x -->\nold\n<!-- END GENERATED -->\nb\n", map[string]string{"x": "new\n"})
	if want := "a\n<!-- BEGIN GENERATED: x -->\nnew\n<!-- END GENERATED -->\nb\n"; err != nil || got != want {
		t.Errorf("got %q, %v; want %q", got, err, want)
	}
	for _, text := range []string{
		"no markers\n",
		"<!-- BEGIN GENERATED: y -->\n<!-- END GENERATED -->\n",
		"<!-- BEGIN GENERATED: x -->\nno end\n",
		"<!-- BEGIN GENERATED: x -->\n<!-- END GENERATED -->\n<!-- BEGIN GENERATED: x -->\n<!-- END GENERATED -->\n",
	} {
		if _, err := rewriteReadme(text, map[string]string{"x": ""}); err == nil {
			t.Errorf("%q: no error", text)
		}
	}
}

// The flag help is built from the same lists: every area with checks and
// every --require name.
func TestFlagHelpFromLists(t *testing.T) {
	root := newRootCmd(IO{Getenv: func(string) string { return "" }})
	for _, c := range []string{"", "check"} {
		cmd := root
		if c != "" {
			cmd, _, _ = root.Find([]string{c})
		}
		only := cmd.Flags().Lookup("only").Usage
		for _, c := range checks.All() {
			if !strings.Contains(only, c.Area) {
				t.Errorf("--only help %q lacks %s", only, c.Area)
			}
		}
		req := cmd.Flags().Lookup("require").Usage
		for _, n := range require.Names() {
			if !strings.Contains(req, "'"+n) {
				t.Errorf("--require help %q lacks %s", req, n)
			}
		}
	}
}
