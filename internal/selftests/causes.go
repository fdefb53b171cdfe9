package selftests

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/bpfdoctor/bpfdoctor/internal/clip"
)

// Cause is one distinct root cause a selftests build log shows, with the
// finding that has to name it for the doctor to have predicted the build.
type Cause struct {
	Key      string   // "compiler", "lld", "lib:libelf", ...; Unclassified when no rule knows the line
	Finding  string   // the finding ID that must name it; "" for Unclassified
	Count    int      // lines of the log that showed it (make's echoes of it not counted)
	Example  string   // the first such line, clipped
	Examples []string // up to maxExamples distinct such lines, Example first
	Targets  []string // up to maxTargets make targets it broke
}

// Unclassified is the key of the lines no rule explains: the doctor cannot
// be shown to name them.
const Unclassified = "unclassified"

const (
	// maxLogLine is what is kept of a line: clang echoes a whole inline-asm
	// block as one line of several KB, and a log may hold anything.
	maxLogLine  = 4096
	exampleLen  = 160
	maxExamples = 3
	maxTargets  = 5
	// maxCauses bounds the distinct keys ("lib:X" comes from the log);
	// further keys fold into Unclassified.
	maxCauses  = 64
	maxPending = 256
	// echoWindow: the lines after a cause that is not a compile diagnostic
	// within which a make failure line is taken as its echo. make prints
	// the failure of a recipe when the recipe exits, a few lines after its
	// output (the kbuild block of an external module is ~15 lines).
	echoWindow = 40
	// maxHeld bounds the snippet and note lines one diagnostic may own.
	maxHeld = 64
)

// causeFinding is the finding that must name each key; "lib:" keys go to
// selftests.libs.
var causeFinding = map[string]string{
	"compiler":    "selftests.clang",
	"vmlinux-btf": "selftests.vmlinux-btf",
	"lld":         "selftests.lld",
	"rst2man":     "selftests.tools",
	"python3":     "selftests.tools",
	"pahole":      "selftests.tools",
	"tree-kernel": "selftests.kernel",
}

func findingFor(key string) string {
	if strings.HasPrefix(key, "lib:") {
		return "selftests.libs"
	}
	return causeFinding[key]
}

// causeRule classifies a line that is not a compiler diagnostic of the
// file:line: form. lib, when set, takes the library from the match.
type causeRule struct {
	re  *regexp.Regexp
	key string
	lib bool
}

// causeRules, first match wins. The messages are the ones the real log
// testdata/causes/clang14-debian12.log shows, or that 6.12's Makefiles
// print: Makefile:812 and :1902 (a tree not configured, CONFIG_MODULES=n),
// scripts/Makefile.modpost:136 (Module.symvers), selftests/bpf/Makefile:237
// (no vmlinux) and Makefile.docs:53 (rst2man); python3 is run through
// scripts/bpf_doc.py's "#!/usr/bin/env python3".
var causeRules = []causeRule{
	{re: regexp.MustCompile(`invalid linker name in argument '-fuse-ld=lld'`), key: "lld"},
	{re: regexp.MustCompile(`rst2man not found`), key: "rst2man"},
	// env quotes the name with ‘’ in a UTF-8 locale, with '' in C.
	{re: regexp.MustCompile(`\bpython3: (?:not found|command not found|No such file)|['‘]python3['’]: No such file`), key: "python3"},
	{re: regexp.MustCompile(`\bpahole\b.*(?:not found|command not found|not available|too old|No such file)`), key: "pahole"},
	{re: regexp.MustCompile(`ERROR: Kernel configuration is invalid|disabled CONFIG_MODULES|Module\.symvers.*missing|No rule to make target '?modules'?`), key: "tree-kernel"},
	{re: regexp.MustCompile(`Cannot find a vmlinux for VMLINUX_BTF`), key: "vmlinux-btf"},
	{re: regexp.MustCompile(`Package '?([\w.+-]+)'? was not found in the pkg-config search path`), lib: true},
	{re: regexp.MustCompile(`cannot find -l([\w.+-]+)`), lib: true},
	// clang 14 leaves __builtin_memcmp as a call to memcmp, which the BPF
	// static linker (bpftool gen object) cannot resolve: the compiler's.
	{re: regexp.MustCompile(`failed to find BTF info for global/extern symbol '(?:memcmp|bcmp|memcpy|memmove|memset|strlen|strcmp|strncmp)'`), key: "compiler"},
}

var (
	diagRe      = regexp.MustCompile(`^([^:]+?):(\d+):(?:\d+:)? (fatal error|error|warning|note): (.*)$`)
	includedRe  = regexp.MustCompile(`^In file included from (.+?):\d+[:,]$`)
	generatedRe = regexp.MustCompile(`^\d+ (?:errors?|warnings?)(?: and \d+ (?:errors?|warnings?))? generated\.$`)
	makeRe      = regexp.MustCompile(`^(?:\S*/)?g?make(\[\d+\])?: `)
	// inlineRe: a line another job's whole line can be written into the
	// middle of: make's failure, a build-progress line of the labels the
	// selftests and kbuild print.
	inlineRe   = regexp.MustCompile(`(?:\S*/)?g?make(?:\[\d+\])?: \*\*\* |  (?:CLNG-BPF|GEN-SKEL|LINK-BPF|CC|CXX|BINARY|LIB|GEN|INSTALL|MKDIR|EXT-OBJ|TEST-HDR|TEST-OBJ|MOD|HOSTCC|HOSTLD|LD|AR|LINK|SIGN-FILE) +(?:\[|/|\S+\.)`)
	makeErrRe  = regexp.MustCompile(`^(?:\S*/)?g?make(?:\[\d+\])?: \*\*\* (?:\[([^\]]*)\] )?Error \d+`)
	makeEchoRe = regexp.MustCompile(`: (?:Target .* not remade because of errors\.|Failed to remake makefile|\*\*\* Waiting for unfinished jobs|Leaving directory|Entering directory|Nothing to be done)`)
	progressRe = regexp.MustCompile(`^  [A-Z][A-Z0-9-]+ `)
	// followRe: lines that only say a step failed; the cause is above.
	followRe = regexp.MustCompile(`^(?:collect2: error: ld returned|\S*clang(?:-\d+)?: error: linker command failed|\S*(?:ld|ld\.bfd|ld\.lld): error: |Error: )`)
	quotedRe = regexp.MustCompile(`'([^']+)'`)
	errorRe  = regexp.MustCompile(`(?i)\berror:|\*\*\* .*Stop\.$`)
	// btfRe: the messages a vmlinux.h of another kernel than the tree's
	// produces in a BPF program: a kfunc or type declared differently, a
	// member or enum value gone, a member turned const.
	btfRe     = regexp.MustCompile(`conflicting types for|no member named .* in '(?:struct|union) |incomplete definition of type|discards qualifiers|redefinition of '|use of undeclared identifier|unknown type name`)
	missingRe = regexp.MustCompile(`^'?([^':\s]+)'?(?:: No such file or directory| file not found)`)
)

// headerLib names the library whose development files a user-space header
// comes from; other missing headers are left unclassified.
var headerLib = map[string]string{
	"gelf.h": "libelf", "libelf.h": "libelf", "zlib.h": "zlib",
	"sys/capability.h": "libcap", "pcap.h": "libpcap", "zstd.h": "libzstd",
	"lzma.h": "liblzma", "bfd.h": "libbfd", "dis-asm.h": "libbfd", "numa.h": "libnuma",
}

func libOfHeader(h string) string {
	if l, ok := headerLib[h]; ok {
		return l
	}
	switch {
	case strings.HasPrefix(h, "openssl/"):
		return "libcrypto"
	case strings.HasPrefix(h, "pcap/"):
		return "libpcap"
	case strings.HasPrefix(h, "llvm-c/"):
		return "libllvm"
	}
	return ""
}

// canonLib names -lX and pkg-config's X alike: -lz and zlib are "zlib",
// -lelf and libelf "libelf", -lssl, -lcrypto and openssl "libcrypto".
func canonLib(name string) string {
	n := strings.TrimPrefix(strings.ToLower(clip.String(name, 40)), "lib")
	switch n {
	case "z", "zlib":
		return "zlib"
	case "crypto", "ssl", "openssl":
		return "libcrypto"
	}
	return "lib" + n
}

// Causes reads a make log of the BPF selftests and returns the distinct root
// causes it shows, in first-seen order. Lines are clipped to maxLogLine and
// state is bounded, so a huge or hostile log costs time, not memory.
//
// The rules, in order, for each line:
//   - A diagnostic "file:line[:col]: error: msg" in a BPF program (the
//     file, or the top of its "In file included from" chain, is under
//     progs/, or the file or a note is in vmlinux.h) is "vmlinux-btf" when
//     its message is one a type mismatch produces (btfRe: conflicting
//     types, no member named, discards qualifiers, ...) or it or a note
//     after it points into vmlinux.h; anything else there (-Werror warnings, inline-asm operand
//     errors, a missing header) is "compiler". Including vmlinux.h is not
//     enough to blame it: nearly every program does. The verdict waits
//     for the diagnostic's notes, until the next diagnostic, "N errors
//     generated.", a make line or a build-progress line.
//   - The same in user space with a missing header names the library
//     ("lib:libelf"); anything else there is Unclassified.
//   - Other lines go through causeRules (lld, rst2man, the tree's kernel,
//     pkg-config, -lX, ...).
//   - A make failure line ("make[N]: *** [...target] Error N") or a line that
//     only says a step failed (collect2, bpftool's "Error:") is an echo:
//     it belongs to the not yet echoed compile diagnostic of the same file
//     stem (connect4_prog.c and .../no_alu32/connect4_prog.bpf.o), else to
//     the latest other cause within echoWindow lines, else it is
//     Unclassified. "Target not remade", "N errors generated." are ignored.
//   - A make failure or build-progress line written into the middle of
//     another line (-j) is split off; the text before it starts the next.
//   - Any other line with "error:" (any case) or a makefile's "*** ...
//     Stop." is Unclassified.
func Causes(r io.Reader) ([]Cause, error) {
	p := &causeParser{byKey: map[string]*Cause{}}
	br := bufio.NewReaderSize(r, maxLogLine)
	carry := ""
	for {
		b, err := br.ReadSlice('\n')
		line := string(b)
		for errors.Is(err, bufio.ErrBufferFull) {
			_, err = br.ReadSlice('\n') // the rest of an overlong line
		}
		if len(line) > 0 {
			line = clip.String(carry+strings.TrimRight(line, "\r\n"), maxLogLine)
			carry = ""
			// Under -j a job's whole line can land in the middle of
			// another's ("In file included from make: *** [...] Error 1",
			// or "... from progs/x.c  CLNG-BPF [test_progs] y.bpf.o", the
			// rest, ":5:", on the next line): the line is the intruder's,
			// what came before it starts the next line.
			if i := inlineRe.FindStringIndex(line); i != nil && i[0] > 0 {
				carry, line = line[:i[0]], line[i[0]:]
				if strings.TrimSpace(carry) == "" {
					carry = ""
				}
			}
			p.feed(line)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read make log: %w", err)
		}
	}
	if carry != "" {
		p.feed(carry)
	}
	p.finish()
	out := make([]Cause, len(p.causes))
	for i, c := range p.causes {
		out[i] = *c
	}
	return out, nil
}

type causeParser struct {
	causes       []*Cause
	byKey        map[string]*Cause
	pending      []pendingCause
	held         *heldDiag
	includedFrom string // the first "In file included from" since the last diagnostic
	line         int
	// module: the last build-progress line was kbuild's "CC [M]", a test
	// module compiled against the tree's kernel.
	module bool
}

// pendingCause is a cause make has not echoed yet.
type pendingCause struct {
	c    *Cause
	stem string // a compile's file stem: make's line for that stem is its echo
	echo bool   // not a BPF compile: any failure line within echoWindow is its echo
	line int
}

// heldDiag is a compiler diagnostic waiting for its notes.
type heldDiag struct {
	file, top, msg, text string
	fatal, vmlinux       bool
	module               bool // compiled by kbuild as a test module
	lines                int
}

func (p *causeParser) feed(line string) {
	p.line++
	if m := diagRe.FindStringSubmatch(line); m != nil {
		p.diagnostic(line, m[1], m[3], m[4])
		return
	}
	if m := includedRe.FindStringSubmatch(line); m != nil {
		p.finish()
		if p.includedFrom == "" {
			p.includedFrom = m[1]
		}
		return
	}
	if generatedRe.MatchString(line) {
		p.finish()
		return
	}
	if mk := makeRe.FindStringSubmatch(line); mk != nil {
		p.finish()
		p.includedFrom = ""
		if makeEchoRe.MatchString(line) {
			return
		}
		if m := makeErrRe.FindStringSubmatch(line); m != nil {
			target := m[1]
			if i := strings.LastIndex(target, ": "); i >= 0 {
				target = target[i+2:]
			}
			p.echo(line, target, stemOf(target), mk[1] == "")
			return
		}
	}
	for _, rule := range causeRules {
		m := rule.re.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		key := rule.key
		if rule.lib {
			key = "lib:" + canonLib(m[1])
		}
		p.add(key, line, "", true)
		return
	}
	if followRe.MatchString(line) {
		p.finish()
		stem := ""
		if m := quotedRe.FindStringSubmatch(line); m != nil {
			stem = stemOf(m[1])
		}
		p.echo(line, "", stem, false)
		return
	}
	if progressRe.MatchString(line) {
		p.finish()
		p.includedFrom = ""
		p.module = strings.HasPrefix(line, "  CC [M] ")
		return
	}
	if p.held != nil {
		// A snippet of the held diagnostic's source: not judged, it may
		// say anything.
		if p.held.lines++; p.held.lines > maxHeld {
			p.finish()
		}
		return
	}
	if errorRe.MatchString(line) {
		p.add(Unclassified, line, "", true)
	}
}

func (p *causeParser) diagnostic(line, file, kind, msg string) {
	switch kind {
	case "note":
		if p.held != nil {
			p.held.vmlinux = p.held.vmlinux || isVmlinuxH(file)
			p.held.lines++
		}
		return
	case "warning":
		p.finish()
		p.includedFrom = ""
		return
	}
	p.finish()
	top := p.includedFrom
	if top == "" {
		top = file
	}
	p.includedFrom = ""
	p.held = &heldDiag{file: file, top: top, msg: msg, text: line, fatal: kind == "fatal error", module: p.module}
}

// finish judges the held diagnostic, if any.
func (p *causeParser) finish() {
	d := p.held
	if d == nil {
		return
	}
	p.held = nil
	stem := stemOf(d.top)
	if d.module {
		// A test module fails to compile against a tree whose kernel is
		// not prepared or built (asm/types.h missing after only
		// olddefconfig, seen in CI): the tree's kernel, whatever the
		// header.
		p.add("tree-kernel", d.text, stem, true)
		return
	}
	// A note into vmlinux.h marks a BPF compile even when its "In file
	// included from" line was lost: user space never includes vmlinux.h.
	if strings.HasPrefix(d.top, "progs/") || strings.Contains(d.top, "/progs/") || isVmlinuxH(d.file) || d.vmlinux {
		key := "compiler"
		if btfRe.MatchString(d.msg) || d.vmlinux || isVmlinuxH(d.file) {
			key = "vmlinux-btf"
		}
		// Without the program's name (its include line cut), make's
		// failure line that follows is the echo, whatever its stem.
		lost := !strings.HasPrefix(d.top, "progs/") && !strings.Contains(d.top, "/progs/")
		p.add(key, d.text, stem, lost)
		return
	}
	if m := missingRe.FindStringSubmatch(d.msg); d.fatal && m != nil {
		if lib := libOfHeader(m[1]); lib != "" {
			p.add("lib:"+lib, d.text, stem, true)
			return
		}
	}
	p.add(Unclassified, d.text, stem, true)
}

// signature is what two examples must differ in to both be kept: the
// message without its file:line: and with quoted names blanked, so three
// examples show three kinds of error, not one error on three lines.
func signature(ex string) string {
	if m := diagRe.FindStringSubmatch(ex); m != nil {
		ex = m[4]
	}
	return quotedRe.ReplaceAllString(ex, "''")
}

func isVmlinuxH(file string) bool { return path.Base(file) == "vmlinux.h" }

// stemOf is a file's name up to its first dot: the part a compile's source
// and its make targets share (progs/x.c, .../no_alu32/x.bpf.o, x.skel.h).
func stemOf(file string) string {
	base := path.Base(file)
	if i := strings.IndexByte(base, '.'); i > 0 {
		base = base[:i]
	}
	if base == "." || base == "/" {
		return ""
	}
	return base
}

// add counts line under key and leaves it pending for make to echo.
func (p *causeParser) add(key, line, stem string, echo bool) {
	c := p.cause(key)
	c.Count++
	ex := clip.String(clip.Printable(strings.TrimSpace(line)), exampleLen)
	if c.Example == "" {
		c.Example = ex
	}
	if sig := signature(ex); len(c.Examples) < maxExamples && !slices.ContainsFunc(c.Examples, func(e string) bool { return signature(e) == sig }) {
		c.Examples = append(c.Examples, ex)
	}
	if !echo {
		for _, e := range p.pending {
			if e.c == c && e.stem == stem && !e.echo {
				return // another error of the same compile
			}
		}
	}
	// Echo causes past their window are of no more use.
	kept := p.pending[:0]
	for _, e := range p.pending {
		if !e.echo || p.line-e.line <= echoWindow {
			kept = append(kept, e)
		}
	}
	p.pending = kept
	if len(p.pending) >= maxPending {
		p.pending = append(p.pending[:0], p.pending[1:]...)
	}
	p.pending = append(p.pending, pendingCause{c: c, stem: stem, echo: echo, line: p.line})
}

func (p *causeParser) cause(key string) *Cause {
	if c, ok := p.byKey[key]; ok {
		return c
	}
	if len(p.causes) >= maxCauses-1 && key != Unclassified {
		key = Unclassified // keep a slot for it
		if c, ok := p.byKey[key]; ok {
			return c
		}
	}
	c := &Cause{Key: key, Finding: findingFor(key)}
	if key == Unclassified {
		c.Finding = ""
	}
	p.byKey[key] = c
	p.causes = append(p.causes, c)
	return c
}

// echo attributes a line that says a step failed to the cause above it:
// the pending compile of the same stem (consumed when top-level make says
// so: each compile fails one target), else the latest other cause within
// echoWindow lines. Else the line is itself Unclassified.
func (p *causeParser) echo(line, target, stem string, top bool) {
	// A sub-make's targets (all, include/config/auto.conf) are its own
	// business; the top-level target is the part of the suite that broke.
	target = shortTarget(target)
	if !top {
		target = ""
	}
	found := false
	if stem != "" {
		kept := p.pending[:0]
		for _, e := range p.pending {
			if e.stem == stem {
				p.target(e.c, target)
				found = true
				if top && !e.echo {
					continue
				}
			}
			kept = append(kept, e)
		}
		p.pending = kept
	}
	if found {
		return
	}
	for i := len(p.pending) - 1; i >= 0; i-- {
		if e := p.pending[i]; e.echo && p.line-e.line <= echoWindow {
			p.target(e.c, target)
			return
		}
	}
	p.add(Unclassified, line, "", true)
	p.target(p.cause(Unclassified), target)
}

func (p *causeParser) target(c *Cause, target string) {
	if target != "" && len(c.Targets) < maxTargets && !slices.Contains(c.Targets, target) {
		c.Targets = append(c.Targets, target)
	}
}

// shortTarget drops the path up to the selftests directory, which every
// target of the log shares.
func shortTarget(t string) string {
	const dir = "selftests/bpf/"
	if i := strings.LastIndex(t, dir); i >= 0 {
		t = t[i+len(dir):]
	}
	return clip.String(clip.Printable(t), 80)
}
