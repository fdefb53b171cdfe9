package checks

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
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
	})
}

// libbpf 1.0 removed the legacy APIs; code written today assumes it. Source:
// the v1.0.0 release notes of libbpf/libbpf (August 2022) and its "libbpf
// 1.0 migration guide" (Documentation/bpf/libbpf/libbpf_naming_convention
// and the wiki page; the exact page is from memory).
var libbpfModern = semver.MustParse("1.0.0")

const libbpfHeader = "/usr/include/bpf/libbpf_version.h"

func checkLibbpf(_ context.Context, e *Env) finding.Finding {
	var (
		v   *semver.Version
		src string
		why []string
	)
	if _, err := e.Host.LookPath("pkg-config"); err == nil {
		out, err := e.run("pkg-config", "--modversion", "libbpf")
		if err == nil {
			v, err = libbpf.ParsePkgConfigVersion(string(out.Stdout))
		}
		if err == nil {
			src = "pkg-config --modversion libbpf"
		} else {
			why = append(why, err.Error())
		}
	}
	if v == nil {
		b, err := e.Host.ReadFile(libbpfHeader)
		if err == nil {
			v, err = libbpf.ParseVersionHeader(string(b))
		}
		if err == nil {
			src = libbpfHeader
		} else if !errors.Is(err, fs.ErrNotExist) {
			why = append(why, err.Error())
		}
	}
	if v == nil {
		f := finding.Result(finding.Warn, "no libbpf development files (pkg-config and %s)", libbpfHeader).WithDetails(why...)
		f.Fix = e.install("Install libbpf's headers and library, or vendor libbpf as libbpf-bootstrap does.", distro.LibbpfDev)
		return f
	}
	f := finding.Result(finding.Pass, "libbpf %s", v).WithSource(src).WithFact("version", v.String())
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
	info   libbpf.Bpftool
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

func checkBpftool(_ context.Context, e *Env) finding.Finding {
	p, err := e.Bpftool()
	if errors.Is(err, ErrNotFound) {
		f := finding.Result(finding.Fail, "bpftool not found: it generates vmlinux.h and skeletons")
		f.Fix = e.install("Install bpftool.", distro.Bpftool)
		return f
	}
	if err != nil {
		return cmdError(err)
	}
	f := finding.Result(finding.Pass, "bpftool %s (libbpf %s) at %s", p.info.Version, p.info.LibbpfVersion, p.path).
		WithSource(p.path+" version -j").
		WithFact("version", p.info.Version.String()).
		WithFact("libbpf_version", p.info.LibbpfVersion).
		WithFact("path", p.path).
		WithDetails(p.info.FeatureNotes()...)
	if !p.onPath {
		f.Status = finding.Warn
		f.Message = fmt.Sprintf("bpftool %s is at %s, which is not on your PATH", p.info.Version, p.path)
		f = f.WithFix("Add its directory to PATH.", "export PATH=$PATH:"+strings.TrimSuffix(p.path, "/bpftool"))
	}
	return f
}

func checkVmlinuxH(_ context.Context, e *Env) finding.Finding {
	const btf = "/sys/kernel/btf/vmlinux"
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
