package checks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"

	"github.com/Masterminds/semver/v3"

	"github.com/bpfdoctor/bpfdoctor/internal/distro"
	"github.com/bpfdoctor/bpfdoctor/internal/host"
	"github.com/bpfdoctor/bpfdoctor/internal/libbpf"
)

func init() {
	register([]Check{
		{ID: "libbpf.version", Area: "libbpf", Title: "libbpf", Run: checkLibbpf,
			Looks: "`pkg-config --modversion libbpf`, else /usr/include/bpf/libbpf_version.h"},
		{ID: "libbpf.bpftool", Area: "libbpf", Title: "bpftool", Run: checkBpftool,
			Looks: "`bpftool version -j`: version, libbpf and features"},
		{ID: "libbpf.vmlinux-h", Area: "libbpf", Title: "vmlinux.h", Run: checkVmlinuxH,
			Looks: "`bpftool btf dump file /sys/kernel/btf/vmlinux format c` produces a vmlinux.h"},
		{ID: "libbpf.skew", Area: "libbpf", Title: "bpftool and libbpf agree", Run: checkLibbpfSkew,
			Looks: "bpftool's libbpf against libbpf_version.h, `pkg-config --modversion libbpf` and the libbpf.so.X.Y.Z file name"},
		{ID: "libbpf.btf-kinds", Area: "libbpf", Title: "kernel BTF kinds", Run: checkBTFKinds,
			Looks: "the kinds of /sys/kernel/btf/vmlinux (FLOAT, DECL_TAG, TYPE_TAG, ENUM64) against what bpftool's libbpf and the installed libbpf read"},
	})
}

// libbpf 1.0 removed the legacy APIs; code written today assumes it. Source:
// the v1.0.0 release notes of libbpf/libbpf (August 2022) and its "libbpf
// 1.0 migration guide" (Documentation/bpf/libbpf/libbpf_naming_convention
// and the wiki page; the exact page is from memory).
var libbpfModern = semver.MustParse("1.0.0")

const libbpfHeader = "/usr/include/bpf/libbpf_version.h"

// libbpfBuild is the libbpf programs here are built with: its headers'
// version (pkg-config's, else libbpf_version.h's) and the library's.
type libbpfBuild struct {
	dev    *semver.Version // pkg-config's, else the header's
	devSrc string
	header *semver.Version
	pc     *semver.Version
	lib    *semver.Version // from the libbpf.so.X.Y.Z file name
	libSrc string
	why    []string
}

var libbpfBuildFact = &fact[*libbpfBuild]{"libbpf-build"}

// libDirs hold libbpf.so on the distributions bpfdoctor knows: Debian's
// multiarch directories, Fedora's lib64, Arch's lib, and a source build's
// /usr/local (libbpf's Makefile installs to /usr/local/lib64 on x86_64).
var libDirs = []string{"/usr/lib/*-linux-gnu*", "/usr/lib64", "/usr/lib", "/usr/local/lib64", "/usr/local/lib"}

func (e *Env) libbpfBuild() *libbpfBuild {
	b, _ := memo(e, libbpfBuildFact, func() (*libbpfBuild, error) {
		b := &libbpfBuild{}
		if _, err := e.Host.LookPath("pkg-config"); err == nil {
			out, err := e.run("pkg-config", "--modversion", "libbpf")
			if err == nil {
				b.pc, err = libbpf.ParsePkgConfigVersion(string(out.Stdout))
			}
			if err != nil {
				b.why = append(b.why, err.Error())
			}
		}
		h, err := e.Host.ReadFile(libbpfHeader)
		if err == nil {
			b.header, err = libbpf.ParseVersionHeader(string(h))
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			b.why = append(b.why, err.Error())
		}
		switch {
		case b.pc != nil:
			b.dev, b.devSrc = b.pc, "pkg-config --modversion libbpf"
		case b.header != nil:
			b.dev, b.devSrc = b.header, libbpfHeader
		}
		// The first directory with a versioned file wins, as the linker
		// searches them in about this order; within it the newest.
		for _, d := range libDirs {
			m, _ := e.Host.Glob(d + "/libbpf.so.*")
			for _, p := range m {
				if v, ok := libbpf.ParseSharedObjectVersion(path.Base(p)); ok && (b.lib == nil || v.GreaterThan(b.lib)) {
					b.lib, b.libSrc = v, p
				}
			}
			if b.lib != nil {
				break
			}
		}
		return b, nil
	})
	return b
}

func checkLibbpf(_ context.Context, e *Env) finding.Finding {
	b := e.libbpfBuild()
	v := b.dev
	if v == nil {
		f := finding.Result(finding.Warn, "no libbpf development files (pkg-config and %s)", libbpfHeader).WithDetails(b.why...)
		f.Fix = e.install("Install libbpf's headers and library, or vendor libbpf as libbpf-bootstrap does.", distro.LibbpfDev)
		return f
	}
	f := finding.Result(finding.Pass, "libbpf %s", v).WithSource(b.devSrc).WithFact("version", v.String())
	if v.LessThan(libbpfModern) {
		f.Status = finding.Warn
		f.Message = fmt.Sprintf("libbpf %s predates 1.0, which removed the legacy APIs current code and docs assume", v)
		f.Fix = e.install("Install a newer libbpf, or vendor libbpf as a submodule.", distro.LibbpfDev)
	}
	return f
}

type bpftoolProbe struct {
	path   string
	onPath bool
	// wrapper: path is Ubuntu's linux-tools wrapper script.
	wrapper bool
	info    libbpf.Bpftool
}

// sbinDirs hold bpftool on distributions that install it there, which a
// normal user's PATH often lacks.
var sbinDirs = []string{"/usr/sbin", "/usr/local/sbin", "/sbin"}

var bpftoolFact = &fact[*bpftoolProbe]{"bpftool"}

// Bpftool finds bpftool and reads `bpftool version -j`. Without bpftool on
// PATH or in sbinDirs it returns an error wrapping ErrNotFound.
func (e *Env) Bpftool() (*bpftoolProbe, error) {
	return memo(e, bpftoolFact, func() (*bpftoolProbe, error) {
		p := &bpftoolProbe{}
		if path, err := e.Host.LookPath("bpftool"); err == nil {
			p.path, p.onPath = path, true
		} else {
			for _, d := range sbinDirs {
				if e.Host.IsExecutable(d + "/bpftool") {
					p.path = e.Host.Abs(d + "/bpftool")
					break
				}
			}
		}
		if p.path == "" {
			return nil, fmt.Errorf("bpftool %w", ErrNotFound)
		}
		p.wrapper = libbpf.IsLinuxToolsWrapper(readHead(p.path, 4096))
		out, err := e.run(p.path, "version", "-j")
		if err != nil {
			return p, err
		}
		if p.info, err = libbpf.ParseBpftoolJSON(out.Stdout); err != nil {
			return p, fmt.Errorf("read `bpftool version -j`: %w (first line: %q)", err, host.FirstLine(out.Stdout))
		}
		return p, nil
	})
}

// readHead reads up to n bytes from the start of a file, nil on error.
func readHead(name string, n int) []byte {
	f, err := os.Open(name)
	if err != nil {
		return nil
	}
	defer f.Close()
	b := make([]byte, n)
	m, _ := io.ReadFull(f, b)
	return b[:m]
}

func checkBpftool(_ context.Context, e *Env) finding.Finding {
	p, err := e.Bpftool()
	if errors.Is(err, ErrNotFound) {
		f := finding.Result(finding.Fail, "bpftool not found: it generates vmlinux.h and skeletons")
		f.Fix = e.install("Install bpftool.", distro.Bpftool)
		return f
	}
	if err != nil && p != nil && p.wrapper {
		return linuxToolsWrapper(e, p, err)
	}
	if err != nil {
		return cmdError(err)
	}
	libbpfV := p.info.LibbpfVersion
	if libbpfV == "" {
		libbpfV = "unknown"
	}
	f := finding.Result(finding.Pass, "bpftool %s (libbpf %s) at %s", p.info.Version, libbpfV, p.path).
		WithSource(p.path+" version -j").
		WithFact("version", p.info.Version.String()).
		WithFact("libbpf_version", p.info.LibbpfVersion).
		WithFact("path", p.path).
		WithDetails(p.info.FeatureNotes()...)
	if p.wrapper {
		f = f.WithDetails(p.path + " is Ubuntu's linux-tools wrapper: it runs the bpftool of the running kernel's linux-tools package")
	}
	switch {
	case !p.onPath:
		f.Status = finding.Warn
		f.Message = fmt.Sprintf("bpftool %s is at %s, which is not on your PATH", p.info.Version, p.path)
		f = f.WithFix("Add its directory to PATH.", "export PATH=$PATH:"+strings.TrimSuffix(p.path, "/bpftool"))
	case p.info.LibbpfVersion == "":
		// Without it neither the skeletons' libbpf APIs nor the BTF kinds
		// bpftool reads can be judged (libbpf.skew, libbpf.btf-kinds).
		f.Status = finding.Warn
		f.Message = fmt.Sprintf("bpftool %s at %s does not say which libbpf it was built with", p.info.Version, p.path)
		if v, inferred := p.info.Libbpf(); inferred {
			f.Message += fmt.Sprintf(" (its version suggests libbpf %d.%d)", v.Major(), v.Minor())
		}
		f.Fix = e.install("Install a bpftool that reports its libbpf (`bpftool version` prints \"using libbpf vX.Y\"), or build one from github.com/libbpf/bpftool.", distro.Bpftool)
	}
	return f
}

// linuxToolsWrapper is the finding for Ubuntu's /usr/sbin/bpftool when the
// running kernel's linux-tools package, which holds the real bpftool, is
// not installed: the wrapper then prints "WARNING: bpftool not found for
// kernel ..." and exits 2.
func linuxToolsWrapper(e *Env, p *bpftoolProbe, err error) finding.Finding {
	rel, _ := e.Release()
	if rel == "" {
		rel = "$(uname -r)"
	}
	f := finding.Result(finding.Fail, "%s is Ubuntu's linux-tools wrapper and the bpftool for kernel %s is not installed", p.path, rel).
		WithSource(p.path + " version -j").WithDetails(err.Error())
	const text = "Install the running kernel's linux-tools package, which holds /usr/lib/linux-tools/$(uname -r)/bpftool."
	if strings.Contains(e.OS().PackageName(distro.Bpftool), "linux-tools-") {
		f.Fix = e.install(text, distro.Bpftool)
	} else {
		// The wrapper is Ubuntu's even when os-release does not say so
		// (a container's, a derivative bpfdoctor does not know).
		sudo := "sudo "
		if e.Host.UID == 0 {
			sudo = ""
		}
		f = f.WithFix(text, sudo+"apt-get install -y linux-tools-$(uname -r)")
	}
	return f
}

// majorMinor drops the patch level: libbpf_version.h has none, and libbpf
// adds API only in minor releases (a symbol version node per x.y.0 in
// src/libbpf.map).
func majorMinor(v *semver.Version) *semver.Version {
	return semver.New(v.Major(), v.Minor(), 0, "", "")
}

func mmString(v *semver.Version) string { return fmt.Sprintf("%d.%d", v.Major(), v.Minor()) }

// checkLibbpfSkew compares the libbpf bpftool generates skeletons for with
// the one programs here compile and link against. A skeleton is C that
// calls libbpf: one generated by a newer bpftool may call API an older
// libbpf lacks (e.g. bpf_object__open_subskeleton, LIBBPF_0.8.0;
// bpf_map__initial_value, LIBBPF_0.5.0: the symbol version nodes of
// libbpf.so.1.1.2, objdump -T), and headers newer than the library
// declare symbols the library does not export, so the program fails to
// link or, linked elsewhere, to start ("version `LIBBPF_1.2.0' not
// found"). Older-than-the-library is fine: libbpf keeps its ABI.
func checkLibbpfSkew(_ context.Context, e *Env) finding.Finding {
	b := e.libbpfBuild()
	if b.dev == nil && b.lib == nil {
		return finding.Result(finding.Skip, "no libbpf headers or library")
	}
	var (
		have   []string
		issues []string
		srcs   []string
	)
	if b.header != nil {
		have = append(have, "headers "+mmString(b.header))
		srcs = append(srcs, libbpfHeader)
	}
	if b.pc != nil {
		have = append(have, "pkg-config "+b.pc.String())
		srcs = append(srcs, "pkg-config --modversion libbpf")
	}
	if b.lib != nil {
		have = append(have, "library "+b.lib.String())
		srcs = append(srcs, b.libSrc)
	}
	f := finding.Result(finding.Pass, "")
	var bt *semver.Version
	if p, err := e.Bpftool(); err == nil {
		srcs = append(srcs, p.path+" version -j")
		if v, _ := p.info.Libbpf(); v != nil {
			bt = majorMinor(v)
			f = f.WithFact("bpftool_libbpf", mmString(bt))
		}
	}
	if b.dev != nil && bt != nil && bt.GreaterThan(majorMinor(b.dev)) {
		issues = append(issues, fmt.Sprintf("bpftool's libbpf %s is newer than the libbpf %s programs compile against: "+
			"a skeleton it generates may call libbpf API that %s lacks, and fail to compile or link", mmString(bt), mmString(b.dev), mmString(b.dev)))
	}
	if b.dev != nil && b.lib != nil && majorMinor(b.dev).GreaterThan(majorMinor(b.lib)) {
		issues = append(issues, fmt.Sprintf("the libbpf %s headers are newer than the library %s (%s): "+
			"a program using API added after %s fails to link or to start", mmString(b.dev), b.lib, b.libSrc, mmString(b.lib)))
	}
	if b.header != nil && b.pc != nil && !majorMinor(b.header).Equal(majorMinor(b.pc)) {
		issues = append(issues, fmt.Sprintf("%s says %s but pkg-config says %s: two libbpf installations are mixed", libbpfHeader, mmString(b.header), b.pc))
	}
	f = f.WithSource(strings.Join(srcs, ", "))
	if len(issues) == 0 {
		if bt != nil {
			f.Message = fmt.Sprintf("bpftool's libbpf %s and the libbpf programs build with (%s) agree", mmString(bt), strings.Join(have, ", "))
		} else {
			f.Message = fmt.Sprintf("libbpf %s; no bpftool libbpf version to compare", strings.Join(have, ", "))
		}
		return f
	}
	f.Status = finding.Warn
	f.Message = issues[0]
	f = f.WithDetails(issues[1:]...).WithDetails(strings.Join(have, ", "))
	f.Fix = e.install("Build with a libbpf at least as new as bpftool's: install the distribution's matching bpftool and libbpf-dev, "+
		"or vendor libbpf (a submodule, as libbpf-bootstrap does) and build bpftool from the same tree.", distro.LibbpfDev, distro.Bpftool)
	return f
}

const vmlinuxBTF = "/sys/kernel/btf/vmlinux"

// checkBTFKinds judges the kinds this kernel's BTF uses against what
// bpftool's libbpf (vmlinux.h) and the installed libbpf (CO-RE at load
// time, which reads the same file) can read: libbpf refuses a whole blob
// with one kind it does not know. Scanning the type headers takes about
// 8 ms for a 6.18 kernel's 5.5 MB, far less than decoding the types.
func checkBTFKinds(_ context.Context, e *Env) finding.Finding {
	raw, err := e.Host.ReadFile(vmlinuxBTF)
	if errors.Is(err, fs.ErrNotExist) {
		return finding.Result(finding.Skip, "no %s", vmlinuxBTF)
	}
	if err != nil {
		return finding.Result(finding.Error, "%v", err)
	}
	k, err := libbpf.ScanBTF(raw)
	if err != nil {
		return finding.Result(finding.Error, "read %s: %v", vmlinuxBTF, err)
	}
	var used []string
	for _, r := range libbpf.KindReaders {
		if n := k.Count[r.Kind]; n > 0 {
			used = append(used, fmt.Sprintf("%s %d", r.Name, n))
		}
	}
	usedS := "none of FLOAT, DECL_TAG, TYPE_TAG, ENUM64"
	if len(used) > 0 {
		usedS = strings.Join(used, ", ")
	}
	f := finding.Result(finding.Pass, "").WithSource(vmlinuxBTF).WithFact("types", fmt.Sprint(k.Types))
	for _, r := range libbpf.KindReaders {
		f = f.WithFact(strings.ToLower(r.Name), fmt.Sprint(k.Count[r.Kind]))
	}
	if k.Unknown != 0 {
		f.Status = finding.Warn
		f.Message = fmt.Sprintf("this kernel's BTF has kind %d, newer than ENUM64 (19), the last kind bpfdoctor knows: "+
			"libbpf releases that predate it cannot read this BTF", k.Unknown)
		f.Fix = e.install("Use the newest bpftool and libbpf; bpfdoctor's vmlinux.h check shows whether this bpftool reads it.", distro.Bpftool, distro.LibbpfDev)
		return f
	}
	need := func(rs []libbpf.KindReader) string {
		var s []string
		for _, r := range rs {
			s = append(s, fmt.Sprintf("%d %s types (read from libbpf %s, kernel %s on)", k.Count[r.Kind], r.Name, mmString(r.Libbpf), r.Kernel))
		}
		return strings.Join(s, ", ")
	}
	var readers []string
	p, perr := e.Bpftool()
	if perr == nil {
		v, inferred := p.info.Libbpf()
		if v == nil {
			f = f.WithDetails(fmt.Sprintf("bpftool %s does not say which libbpf it was built with, so what it reads is not judged here", p.info.Version))
		} else {
			if bad := k.Unreadable(v); len(bad) > 0 {
				from := ""
				if inferred {
					from = ", from its version"
				}
				f.Status = finding.Fail
				f.Message = fmt.Sprintf("bpftool %s (libbpf %s%s) cannot read this kernel's BTF: it has %s", p.info.Version, mmString(v), from, need(bad))
				f.Fix = e.install("Use a bpftool whose libbpf reads these kinds: the distribution's newer bpftool, or build it from the kernel tree "+
					"(make -C tools/bpf/bpftool) or from github.com/libbpf/bpftool.", distro.Bpftool)
				return f
			}
			readers = append(readers, fmt.Sprintf("bpftool's libbpf %s", mmString(v)))
		}
	}
	b := e.libbpfBuild()
	lib, libSrc := b.lib, b.libSrc
	if lib == nil {
		lib, libSrc = b.dev, b.devSrc
	}
	if lib != nil {
		if bad := k.Unreadable(lib); len(bad) > 0 {
			f.Status = finding.Warn
			f.Message = fmt.Sprintf("libbpf %s (%s) cannot read this kernel's BTF: it has %s; CO-RE programs linked with it fail to load", lib, libSrc, need(bad))
			f.Fix = e.install("Link with a libbpf that reads these kinds: the distribution's newer libbpf, or vendor a current libbpf.", distro.LibbpfDev)
			return f
		}
		readers = append(readers, fmt.Sprintf("libbpf %s", lib))
	}
	if len(readers) == 0 {
		f.Status = finding.Skip
		f.Message = fmt.Sprintf("this kernel's BTF uses %s; no bpftool or libbpf to judge", usedS)
		return f
	}
	f.Message = fmt.Sprintf("%s read this kernel's BTF (%d types; %s)", strings.Join(readers, " and "), k.Types, usedS)
	return f
}

func checkVmlinuxH(_ context.Context, e *Env) finding.Finding {
	const btf = vmlinuxBTF
	p, err := e.Bpftool()
	if err != nil {
		return finding.Result(finding.Skip, "no usable bpftool")
	}
	if _, err := e.Host.Stat(btf); err != nil {
		return finding.Result(finding.Skip, "no %s", btf)
	}
	cmd := "bpftool btf dump file " + btf + " format c"
	// bpftool writes vmlinux.h a line per write(2): into /dev/null that
	// takes half the time it takes into a file or a pipe, and its exit
	// status already says whether it could read and print every type.
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return finding.Result(finding.Error, "open %s: %v", os.DevNull, err)
	}
	defer devnull.Close()
	if _, err := e.Host.RunTo(e.ctx, devnull, p.path, "btf", "dump", "file", e.Host.Abs(btf), "format", "c"); err != nil {
		var ce *host.CmdError
		if errors.As(err, &ce) && ce.TimedOut {
			return cmdError(err)
		}
		return finding.Result(finding.Fail, "%v", err).WithSource(cmd).
			WithFix("bpftool cannot read this kernel's BTF: use a bpftool at least as new as the kernel.")
	}
	return finding.Result(finding.Pass, "bpftool can print this kernel's BTF as C").WithSource(cmd).
		WithDetails(cmd + " > vmlinux.h")
}
