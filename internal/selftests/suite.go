package selftests

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/bpfdoctor/bpfdoctor/internal/host"
)

// Dir is where a kernel tree keeps its BPF selftests.
const Dir = "tools/testing/selftests/bpf"

// maxFile bounds each file read: the selftests Makefile of 6.12 is 30 KiB,
// the largest prog 100 KiB.
const maxFile = 4 << 20

// Suite is the BPF selftests of one kernel tree.
type Suite struct {
	fsys fs.FS  // the tree, regular files only
	Tree string // the tree's directory, for messages and fixes
	Arch string // the kernel's SRCARCH: x86, arm64, s390, riscv, ...
	mk   *makefile
	docs *makefile // Makefile.docs; nil when the tree has none
}

// ErrNoSelftests is wrapped when a tree has no BPF selftests Makefile.
var ErrNoSelftests = errors.New("no BPF selftests Makefile")

// Open reads the selftests of the tree in fsys (named tree in messages)
// for the architecture srcarch. Files are read only when regular and at
// most 4 MiB, so a FIFO or a link to /dev/zero in a tree cannot stop the
// run.
func Open(fsys fs.FS, tree, srcarch string) (*Suite, error) {
	fsys = host.RegularFS(fsys, maxFile)
	b, err := fs.ReadFile(fsys, Dir+"/Makefile")
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("open selftests of %s: %w (%s/Makefile)", tree, ErrNoSelftests, Dir)
		}
		return nil, fmt.Errorf("open selftests of %s: %w", tree, err)
	}
	s := &Suite{fsys: fsys, Tree: tree, Arch: srcarch, mk: parseMakefile(string(b), srcarch)}
	if d, err := fs.ReadFile(fsys, Dir+"/Makefile.docs"); err == nil {
		s.docs = parseMakefile(string(d), srcarch)
	}
	return s, nil
}

// SrcArch maps `uname -m` to the kernel's SRCARCH, as the top Makefile's
// SUBARCH sed does (x86_64 and i?86 are x86, aarch64 arm64, ...).
func SrcArch(uname string) string {
	switch {
	case uname == "x86_64" || uname == "amd64" || (len(uname) == 4 && uname[0] == 'i' && strings.HasSuffix(uname, "86")):
		return "x86"
	case uname == "aarch64" || uname == "arm64":
		return "arm64"
	case strings.HasPrefix(uname, "arm"):
		return "arm"
	case uname == "s390x":
		return "s390"
	case strings.HasPrefix(uname, "riscv"):
		return "riscv"
	case strings.HasPrefix(uname, "ppc") || strings.HasPrefix(uname, "powerpc"):
		return "powerpc"
	case strings.HasPrefix(uname, "loongarch"):
		return "loongarch"
	}
	return uname
}

// From names a line of a file of the tree: "tools/testing/selftests/bpf/Makefile:278".
type From struct {
	File string
	Line int
}

func (f From) String() string {
	if f.Line == 0 {
		return f.File
	}
	return fmt.Sprintf("%s:%d", f.File, f.Line)
}

func (s *Suite) at(file string, line int) From { return From{path.Join(Dir, file), line} }

var (
	fuseLd     = regexp.MustCompile(`-fuse-ld=(\S+)`)
	notFoundRe = regexp.MustCompile(`"(\S+) not found`)
	mcpuRe     = regexp.MustCompile(`-mcpu=(v\d)`)
	moduleRe   = regexp.MustCompile(`^\$\(OUTPUT\)/([\w-]+\.ko):`)
)

// Linker is the linker the Makefile passes to clang with -fuse-ld for this
// architecture: "lld" on x86 since 6.1's urandom_read rules; "" when it
// uses none or lets clang use the system ld (`$(shell command -v $(LD))`).
func (s *Suite) Linker() (string, From) {
	for _, l := range s.mk.find(fuseLd) {
		v := fuseLd.FindStringSubmatch(l.text)[1]
		from := s.at("Makefile", l.no)
		if name, ok := strings.CutPrefix(v, "$("); ok {
			name = strings.TrimSuffix(name, ")")
			val, no, ok := s.mk.assigned(name)
			if !ok {
				continue
			}
			from = s.at("Makefile", no)
			v = val
		}
		if strings.Contains(v, "$") {
			// A path found at make time (command -v $(LD)): the system
			// linker, which the C compiler check covers.
			return "", from
		}
		return v, from
	}
	return "", From{}
}

// Docs reports whether `make` builds the man pages (all: docs) and the
// tool Makefile.docs stops without: rst2man since 5.9's docs target.
func (s *Suite) Docs() (tool string, from From, ok bool) {
	if _, isAll := s.mk.contains("all: docs"); !isAll || s.docs == nil {
		return "", From{}, false
	}
	for _, l := range s.docs.lines {
		if l.live && strings.Contains(l.text, "$(error") && strings.Contains(l.text, "not found") {
			if m := notFoundRe.FindStringSubmatch(l.text); m != nil {
				return m[1], s.at("Makefile.docs", l.no), true
			}
		}
	}
	return "", From{}, false
}

// Interpreter is what runs scripts/bpf_doc.py, which libbpf's Makefile
// runs to generate bpf_helper_defs.h: the program its #! line names
// ("python3" for `#!/usr/bin/env python3`).
func (s *Suite) Interpreter() (string, From, bool) {
	const script = "scripts/bpf_doc.py"
	f, err := s.fsys.Open(script)
	if err != nil {
		return "", From{}, false
	}
	defer f.Close()
	line, _, _ := bufio.NewReader(f).ReadLine()
	shebang, ok := bytes.CutPrefix(line, []byte("#!"))
	if !ok {
		return "", From{}, false
	}
	w := strings.Fields(string(shebang))
	if len(w) == 0 {
		return "", From{}, false
	}
	if path.Base(w[0]) == "env" && len(w) > 1 {
		return w[1], From{script, 1}, true
	}
	return w[0], From{script, 1}, true
}

// Library is a library the selftests link or probe with pkg-config.
type Library struct {
	Name     string // pkg-config's name: libelf, zlib, libcrypto, libpcap, libcap
	Optional bool   // probed, and left out when missing
	Adds     string // for an optional one: the flags it turns on
	From     From
}

var (
	pkgConfigCall = regexp.MustCompile(`\$\(PKG_CONFIG\)((?:\s+--?[\w-]+)*)\s+([a-z][\w.+-]*)((?:\s+--?[\w-]+)*)`)
	fallbackLib   = regexp.MustCompile(`\|\|\s*echo\s+-l(\w+)`)
	defineFlag    = regexp.MustCompile(`-D(\w+)`)
	linkedLib     = regexp.MustCompile(`(?:^|\s)-l(\w+)`)
)

// pcNames maps the -l names the selftests link to their pkg-config names;
// the C library's own (rt, pthread, m, dl) are the C compiler's concern.
var pcNames = map[string]string{"elf": "libelf", "z": "zlib", "crypto": "libcrypto", "cap": "libcap", "pcap": "libpcap"}

// Libraries lists the libraries the Makefile asks pkg-config for, or links
// with -l in LDLIBS, in the order it names them. A pkg-config call with
// an `|| echo -lX` fallback, or a plain -lX, is required; one whose
// failure only leaves a feature out (libpcap since 6.11's traffic monitor)
// is optional.
func (s *Suite) Libraries() []Library {
	var out []Library
	seen := map[string]bool{}
	add := func(l Library) {
		if !seen[l.Name] {
			seen[l.Name] = true
			out = append(out, l)
		}
	}
	for _, l := range s.mk.lines {
		if !l.live {
			continue
		}
		for _, m := range pkgConfigCall.FindAllStringSubmatch(l.text, -1) {
			name := m[2]
			lib := Library{Name: name, From: s.at("Makefile", l.no)}
			if !fallbackLib.MatchString(l.text) && strings.Contains(l.text, "2>") {
				lib.Optional = true
				for _, d := range defineFlag.FindAllStringSubmatch(l.text, -1) {
					lib.Adds = strings.TrimSpace(lib.Adds + " -D" + d[1])
				}
			}
			if i := slices.IndexFunc(out, func(o Library) bool { return o.Name == name }); i >= 0 {
				// Required when any of its calls is: libelf's --cflags
				// probe is quiet, its --libs falls back to -lelf.
				out[i].Optional = out[i].Optional && lib.Optional
				continue
			}
			add(lib)
		}
		if a := assignment.FindStringSubmatch(strings.TrimSpace(l.text)); a != nil && strings.HasSuffix(a[1], "LDLIBS") {
			for _, m := range linkedLib.FindAllStringSubmatch(a[3], -1) {
				if pc, ok := pcNames[m[1]]; ok {
					add(Library{Name: pc, From: s.at("Makefile", l.no)})
				}
			}
		}
	}
	return out
}

// Optional is a part of the selftests the Makefile builds only when the
// machine has what it probes for.
type Optional struct {
	Name  string // bpf-gcc, cpuv4, llvm
	Adds  string // what the build gains
	Probe string // what the Makefile runs or looks for
	From  From
}

// Optionals lists the flavours and features the Makefile builds only when
// a probe succeeds.
func (s *Suite) Optionals() []Optional {
	var out []Optional
	if _, no, ok := s.mk.assigned("BPF_GCC"); ok {
		out = append(out, Optional{"bpf-gcc", "test_progs-bpf_gcc: the tests' programs built by GCC's BPF back end", "bpf-gcc", s.at("Makefile", no)})
	}
	if no, ok := s.mk.contains("-mcpu=help"); ok {
		out = append(out, Optional{"cpuv4", "test_progs-cpuv4: the programs built with -mcpu=v4", "clang --target=bpf -mcpu=help lists v4", s.at("Makefile", no)})
	}
	for _, l := range s.mk.lines {
		if a := assignment.FindStringSubmatch(strings.TrimSpace(l.text)); a != nil && a[1] == "FEATURE_TESTS" && slices.Contains(strings.Fields(a[3]), "llvm") {
			out = append(out, Optional{"llvm", "HAVE_LLVM_SUPPORT: test_progs disassembles JITed programs with LLVM's libraries", "llvm-config and LLVM's development libraries", s.at("Makefile", l.no)})
		}
	}
	return out
}

// MCPU is the -mcpu the Makefile builds test_progs' programs with (v3
// since 6.0's CLANG_BPF_BUILD_RULE), "" when it passes none.
func (s *Suite) MCPU() string {
	in := false
	for _, l := range s.mk.lines {
		t := strings.TrimSpace(l.text)
		switch {
		case strings.HasPrefix(t, "define CLANG_BPF_BUILD_RULE"):
			in = true
		case in && t == "endef":
			return ""
		case in:
			if m := mcpuRe.FindStringSubmatch(t); m != nil {
				return m[1]
			}
		}
	}
	return ""
}

// Modules lists the test modules the Makefile builds ($(OUTPUT)/NAME.ko).
func (s *Suite) Modules() []string {
	var out []string
	for _, l := range s.mk.lines {
		if m := moduleRe.FindStringSubmatch(l.text); m != nil && l.live && !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

// QEMU is the emulator vmtest.sh runs for a `uname -m` and the tools it
// checks for with `which` or `command -v`; ok is false without vmtest.sh.
func (s *Suite) QEMU(uname string) (qemu string, tools []string, ok bool) {
	b, err := fs.ReadFile(s.fsys, Dir+"/vmtest.sh")
	if err != nil {
		return "", nil, false
	}
	arm := ""
	for line := range strings.SplitSeq(string(b), "\n") {
		t := strings.TrimSpace(line)
		if c, ok := strings.CutSuffix(t, ")"); ok && !strings.ContainsAny(c, " ($") {
			arm = c
		}
		if v, ok := strings.CutPrefix(t, "QEMU_BINARY="); ok && arm == uname && qemu == "" {
			qemu = strings.Trim(v, `"'`)
		}
		for _, re := range []*regexp.Regexp{whichRe, commandVRe} {
			if m := re.FindStringSubmatch(t); m != nil && !strings.Contains(m[1], "$") && !slices.Contains(tools, m[1]) {
				tools = append(tools, m[1])
			}
		}
	}
	return qemu, tools, true
}

var (
	// `if ! which zstd &> /dev/null`: which or command -v where a
	// command starts, not the word in a message.
	whichRe    = regexp.MustCompile(`(?:^|[!;&|(]|\bif)\s*which\s+"?([\w.+-]+|\$\{?\w+\}?)"?`)
	commandVRe = regexp.MustCompile(`(?:^|[!;&|(]|\bif)\s*command\s+-v\s+"?([\w.+-]+|\$\{?\w+\}?)"?`)
)
