package kconfiglang_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mholt/archives"

	"github.com/bpfdoctor/bpfdoctor/internal/kconfig"
	"github.com/bpfdoctor/bpfdoctor/internal/kconfiglang"
	"github.com/bpfdoctor/bpfdoctor/internal/ktree"
	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
)

// kernelSrc is the kernel tree .ci/run extracts from Debian's
// linux-source-6.12 (Kconfig files, Makefiles, scripts/, the selftests'
// fragments): BPFDOCTOR_KERNEL_SRC. Without it the tests skip, unless
// BPFDOCTOR_REQUIRE_TOOLS=1 promises it.
func kernelSrc(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("BPFDOCTOR_KERNEL_SRC")
	if dir == "" {
		testkit.Missing(t, "BPFDOCTOR_KERNEL_SRC is not set: no kernel tree (.ci/run extracts it)")
	}
	if _, err := os.Stat(filepath.Join(dir, "scripts", "kconfig", "merge_config.sh")); err != nil {
		t.Fatalf("BPFDOCTOR_KERNEL_SRC=%s is not a kernel tree: %v", dir, err)
	}
	return dir
}

func hostArch(t *testing.T) kconfig.Arch {
	t.Helper()
	a, err := kconfig.LookupArch(runtime.GOARCH)
	if err != nil {
		t.Skipf("no selftests fragment for %s", runtime.GOARCH)
	}
	return a
}

// make runs make in the tree with the config in KCONFIG_CONFIG.
func kmake(t *testing.T, dir, config string, args ...string) {
	t.Helper()
	cmd := exec.Command("make", append([]string{"-s"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "KCONFIG_CONFIG="+config)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// buildBpfdoctor builds the command once for the real-tree tests.
func buildBpfdoctor(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = "/usr/local/go/bin/go" // where .ci/run's machine has it
	}
	bin := filepath.Join(t.TempDir(), "bpfdoctor")
	cmd := exec.Command(goTool, "build", "-o", bin, "github.com/bpfdoctor/bpfdoctor/cmd/bpfdoctor")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

type jsonReport struct {
	Findings []struct {
		ID      string            `json:"id"`
		Status  string            `json:"status"`
		Message string            `json:"message"`
		Facts   map[string]string `json:"facts"`
	} `json:"findings"`
}

// diffJSON runs `bpfdoctor kconfig diff --format json` and returns the
// options of its cause findings: those it reports wrong, and those it
// names as refused by the kernel.
func diffJSON(t *testing.T, bin string, args ...string) (wrong, refused []string, exit int) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"kconfig", "diff", "--format", "json"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		exit = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("bpfdoctor kconfig diff: %v", err)
	}
	if exit > 1 {
		t.Fatalf("bpfdoctor kconfig diff %v: exit %d: %s", args, exit, stderr.String())
	}
	var rep jsonReport
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("diff JSON: %v\n%s", err, out)
	}
	for _, f := range rep.Findings {
		opts := f.Facts["options"]
		if opts == "" {
			continue
		}
		syms := strings.Split(opts, ",")
		wrong = append(wrong, syms...)
		if strings.HasPrefix(f.ID, "kconfig.refused") {
			refused = append(refused, syms...)
		}
	}
	sort.Strings(wrong)
	sort.Strings(refused)
	return wrong, refused, exit
}

func fileSum(t *testing.T, name string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// TestRealTreeFixCloses is the acceptance test on a real kernel
// tree: for several starting configs, `bpfdoctor kconfig fix` writes the
// fix, the kernel's own tooling merges it (merge_config.sh for the
// fragment, scripts/config and make olddefconfig for the script), and
// `bpfdoctor kconfig diff` must then report nothing missing except the
// options the explain step said the kernel would refuse: exactly those.
func TestRealTreeFixCloses(t *testing.T) {
	dir := kernelSrc(t)
	arch := hostArch(t)
	if _, err := exec.LookPath("make"); err != nil {
		t.Fatal("make is not installed")
	}
	bin := buildBpfdoctor(t)
	work := t.TempDir()

	bases := map[string]string{}
	for _, target := range []string{"defconfig", "allnoconfig"} {
		p := filepath.Join(work, target)
		kmake(t, dir, p, target)
		bases[target] = p
	}
	// This machine's config as it is: most likely of another kernel
	// version, so the tree's Kconfig meets symbols it does not know and
	// lacks some it has.
	if b, err := kconfig.Load("/proc/config.gz"); err == nil {
		raw := filepath.Join(work, "running")
		var buf bytes.Buffer
		for _, e := range b.Entries() {
			buf.WriteString(e.String() + "\n")
		}
		if err := os.WriteFile(raw, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		bases["running"] = raw
	}

	// How the fix is applied: merge_config.sh as the fix's header says
	// (it runs make alldefconfig, then checks every value: slow), merge
	// only (-m) then make olddefconfig, or the script form (scripts/config
	// then make olddefconfig).
	const (
		mergeConfig = "merge_config"
		mergeOnly   = "merge_config-m"
		script      = "script"
	)
	// A fragment of options the kernel refuses on x86_64, for the ways
	// it refuses them, next to ones it takes.
	hard := filepath.Join(work, "hard.config")
	if err := os.WriteFile(hard, []byte(hardFragment), 0o644); err != nil {
		t.Fatal(err)
	}
	type tc struct {
		base     string
		apply    string
		vm       bool
		fragment string
	}
	cases := []tc{
		{"defconfig", mergeConfig, false, ""},
		{"defconfig", script, true, ""},
		{"allnoconfig", script, false, ""},
	}
	if _, ok := bases["running"]; ok {
		cases = append(cases, tc{"running", mergeOnly, false, ""})
	}
	if arch.Uname == "x86_64" {
		cases = append(cases, tc{"defconfig", mergeOnly, false, hard})
	}

	for _, c := range cases {
		as := kconfig.FixFragment
		if c.apply == script {
			as = kconfig.FixScript
		}
		name := c.base + "/" + c.apply
		if c.vm {
			name += "/vm"
		}
		if c.fragment != "" {
			name += "/hard"
		}
		t.Run(name, func(t *testing.T) {
			base := bases[c.base]
			sum := fileSum(t, base)
			flags := []string{"--config", base, "--kernel-src", dir, "--arch", arch.Uname}
			if c.vm {
				flags = append(flags, "--vm")
			}
			if c.fragment != "" {
				flags = append(flags, "--fragment", c.fragment)
			}
			before, predicted, exit := diffJSON(t, bin, flags...)
			if exit != 1 || len(before) == 0 {
				t.Fatalf("diff of %s: exit %d, %d options wrong; want a config that misses options", c.base, exit, len(before))
			}

			fix := filepath.Join(work, strings.ReplaceAll(name, "/", "-")+".fix")
			start := time.Now()
			out, err := exec.Command(bin, append([]string{"kconfig", "fix", "--as", as, "-o", fix}, flags...)...).CombinedOutput()
			if err != nil {
				t.Fatalf("kconfig fix: %v\n%s", err, out)
			}
			t.Logf("fix: %s (%s)", strings.TrimSpace(string(out)), time.Since(start).Round(time.Millisecond))
			if fileSum(t, base) != sum {
				t.Fatal("kconfig fix modified the config it judged")
			}

			merged := filepath.Join(work, strings.ReplaceAll(name, "/", "-")+".config")
			var cmd *exec.Cmd
			switch c.apply {
			case mergeConfig:
				cmd = exec.Command("./scripts/kconfig/merge_config.sh", base, fix)
			case mergeOnly:
				cmd = exec.Command("sh", "-c", `./scripts/kconfig/merge_config.sh -m "$1" "$2" && make -s olddefconfig`, "sh", base, fix)
			default:
				b, err := os.ReadFile(base)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(merged, b, 0o644); err != nil {
					t.Fatal(err)
				}
				cmd = exec.Command("sh", fix)
			}
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "KCONFIG_CONFIG="+merged)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("apply the fix: %v\n%s", err, out)
			}

			after, _, _ := diffJSON(t, bin, append([]string{"--config", merged}, flags[2:]...)...)
			t.Logf("%s: %d options wrong before, %d after; refused as predicted: %v", c.base, len(before), len(after), after)
			if !slices.Equal(after, predicted) {
				t.Errorf("after merging, diff reports %v still wrong; the explain step predicted %v", after, predicted)
			}
			if len(after) >= len(before) {
				t.Errorf("the fix closed nothing: %d wrong before, %d after", len(before), len(after))
			}
		})
	}
}

// hardFragment has options an x86_64 defconfig cannot take, each for
// another reason, and some it can.
const hardFragment = `CONFIG_BPF_SYSCALL=y
CONFIG_NET_SCH_INGRESS=y
CONFIG_MODULES=y
CONFIG_TEST_BPF=m
# an option of another architecture
CONFIG_ARM64_64K_PAGES=y
# a choice member only 32-bit x86 shows
CONFIG_HIGHMEM64G=y
# KCSAN depends on !KASAN
CONFIG_KASAN=y
CONFIG_KCSAN=y
# selected by what defconfig has
# CONFIG_CRYPTO_SHA1 is not set
# outside its range
CONFIG_NR_CPUS=100000
# DEBUG_INFO has no prompt: only the "Debug information" choice selects it
CONFIG_DEBUG_INFO=y
`

// TestRealTreeExplains checks the explanations against the tree on the
// case the issue names: without modules, MODULES is the root cause of
// the module options, and the fix sets it before them.
func TestRealTreeExplains(t *testing.T) {
	dir := kernelSrc(t)
	arch := hostArch(t)
	tree, err := ktree.OpenTree(os.DirFS(dir), dir)
	if err != nil {
		t.Fatal(err)
	}
	if tree.Version.Major != 6 || tree.Version.Minor != 12 {
		t.Logf("tree is %s, not 6.12", tree.Version)
	}
	start := time.Now()
	k, err := tree.Kconfig(arch)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("read %d Kconfig files, %d symbols in %s", k.Files, k.Len(), time.Since(start).Round(time.Millisecond))
	if len(k.Warnings) > 0 {
		t.Errorf("warnings reading a real tree: %v", k.Warnings)
	}
	work := t.TempDir()
	p := filepath.Join(work, "def")
	kmake(t, dir, p, "defconfig")
	def, err := kconfig.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	// The tree's defconfig as the simulation computes it: olddefconfig
	// must leave it as it is.
	entry := kconfiglang.Simulate(k, def)
	diffs := 0
	for _, name := range kconfiglang.DefinedSymbols(k) {
		got, ok := entry(name)
		want, wok := def.Lookup(name)
		if ok != wok || ok && got.Value != want.Value {
			diffs++
			if diffs < 10 {
				t.Errorf("%s: simulated %v %q, the tree's defconfig %v %q", name, ok, got.Value, wok, want.Value)
			}
		}
	}
	var buf strings.Builder
	for _, e := range def.Entries() {
		if e.Symbol != "MODULES" {
			buf.WriteString(e.String() + "\n")
		}
	}
	buf.WriteString("# CONFIG_MODULES is not set\n")
	p2 := filepath.Join(work, "nomod")
	if err := os.WriteFile(p2, []byte(buf.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	kmake(t, dir, p2, "olddefconfig")
	nomod, err := kconfig.Load(p2)
	if err != nil {
		t.Fatal(err)
	}
	set, err := tree.Fragments(&arch, false)
	if err != nil {
		t.Fatal(err)
	}
	x := kconfiglang.Explain(kconfig.Compare(nomod, set), nomod, k)
	var mod *kconfig.Cause
	for i, c := range x.Causes {
		if c.Root == "MODULES" {
			mod = &x.Causes[i]
		}
	}
	if mod == nil {
		t.Fatalf("no MODULES root cause in %v", causesText(x))
	}
	t.Log(mod.Summary(0))
	for _, want := range []string{"MODULE_SIG", "MODULE_UNLOAD", "MODVERSIONS", "TEST_BPF"} {
		if !slices.ContainsFunc(mod.Items, func(it kconfig.Item) bool { return it.Symbol == want }) {
			t.Errorf("MODULES group lacks %s: %s", want, mod.Summary(0))
		}
	}
	if i := slices.IndexFunc(x.Fix, func(l kconfig.FixLine) bool { return l.Symbol == "MODULES" }); i < 0 ||
		slices.ContainsFunc(x.Fix[:i], func(l kconfig.FixLine) bool { return strings.HasPrefix(l.Symbol, "MODULE_") }) {
		t.Errorf("the fix does not set MODULES before the options it hides")
	}
}

func causesText(x *kconfig.Explanation) []string {
	var out []string
	for _, c := range x.Causes {
		out = append(out, c.Summary(5))
	}
	return out
}

// debianConfig is Debian's amd64 config of the tree's kernel, as the
// linux-config-6.12 package ships it.
const debianConfig = "/usr/src/linux-config-6.12/config.amd64_none_amd64.xz"

// rcCoreModuleConfig is a config of the tree with RC_CORE a module, as
// Debian builds it: Debian's own config where linux-config-6.12 is
// installed, else the tree's defconfig with RC_CORE=m and LIRC=y, settled
// by make olddefconfig.
func rcCoreModuleConfig(t *testing.T, dir string) *kconfig.Config {
	t.Helper()
	if f, err := os.Open(debianConfig); err == nil {
		defer f.Close()
		zr, err := archives.Xz{}.OpenReader(f)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := kconfig.Parse(zr, debianConfig)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("Debian's config: %s", debianConfig)
		return cfg
	}
	t.Logf("%s is not installed: the tree's defconfig with RC_CORE=m", debianConfig)
	work := t.TempDir()
	p := filepath.Join(work, "def")
	kmake(t, dir, p, "defconfig")
	def, err := kconfig.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	var buf strings.Builder
	for _, e := range def.Entries() {
		switch e.Symbol {
		case "MODULES", "INPUT", "RC_CORE", "LIRC", "BPF_SYSCALL":
		default:
			buf.WriteString(e.String() + "\n")
		}
	}
	buf.WriteString("CONFIG_MODULES=y\nCONFIG_INPUT=y\nCONFIG_RC_CORE=m\nCONFIG_LIRC=y\nCONFIG_BPF_SYSCALL=y\n")
	if err := os.WriteFile(p, []byte(buf.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	kmake(t, dir, p, "olddefconfig")
	cfg, err := kconfig.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestRealTreeComparisonDependency is the case of Debian's 6.12 config:
// BPF_LIRC_MODE2 depends on RC_CORE=y and the config has RC_CORE=m, so
// RC_CORE is what hides it, not "nothing in the tree's Kconfig".
func TestRealTreeComparisonDependency(t *testing.T) {
	dir := kernelSrc(t)
	arch := hostArch(t)
	tree, err := ktree.OpenTree(os.DirFS(dir), dir)
	if err != nil {
		t.Fatal(err)
	}
	k, err := tree.Kconfig(arch)
	if err != nil {
		t.Fatal(err)
	}
	base := rcCoreModuleConfig(t, dir)
	if e, ok := base.Lookup("RC_CORE"); !ok || e.Value != "m" {
		t.Fatalf("the config has RC_CORE %v %q, want m", ok, e.Value)
	}
	set, err := tree.Fragments(&arch, false)
	if err != nil {
		t.Fatal(err)
	}
	x := kconfiglang.Explain(kconfig.Compare(base, set), base, k)
	var rc *kconfig.Cause
	for i, c := range x.Causes {
		for _, it := range c.Items {
			if it.Symbol == "BPF_LIRC_MODE2" {
				rc = &x.Causes[i]
			}
		}
	}
	if rc == nil {
		t.Fatalf("no cause holds BPF_LIRC_MODE2: %v", causesText(x))
	}
	t.Log(rc.Summary(0))
	if rc.Kind != kconfig.CauseParent || rc.Root != "RC_CORE" || !strings.HasPrefix(rc.Summary(0), "CONFIG_RC_CORE=m") {
		t.Errorf("BPF_LIRC_MODE2 is under %q (root %q), want the root cause RC_CORE=m", rc.Summary(0), rc.Root)
	}
	if !slices.ContainsFunc(rc.Items, func(it kconfig.Item) bool { return it.Symbol == "RC_CORE" && it.Entry.Value == "y" }) {
		t.Errorf("the RC_CORE cause does not want RC_CORE=y: %v", rc.Items)
	}
	if r, ok := x.Refused["BPF_LIRC_MODE2"]; ok {
		t.Errorf("BPF_LIRC_MODE2 refused: %s", r)
	}
	if i := slices.IndexFunc(x.Fix, func(l kconfig.FixLine) bool { return l.Symbol == "RC_CORE" }); i < 0 || x.Fix[i].Value != "y" ||
		slices.ContainsFunc(x.Fix[:i], func(l kconfig.FixLine) bool { return l.Symbol == "BPF_LIRC_MODE2" }) {
		t.Errorf("the fix does not set RC_CORE=y before BPF_LIRC_MODE2")
	}
}
