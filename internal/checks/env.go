package checks

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"

	"github.com/bpfdoctor/bpfdoctor/internal/distro"
	"github.com/bpfdoctor/bpfdoctor/internal/host"
	"github.com/bpfdoctor/bpfdoctor/internal/kconfig"
)

// Env is what the checks of one run share: the host, the options, and the
// facts several checks need (llc's version, the kernel config), each found
// once through memo.
type Env struct {
	Host *host.Host
	// Config, when set, is the kernel config given with --config; ConfigPath
	// names it.
	Config     *kconfig.Config
	ConfigPath string
	// KernelSrc is a kernel tree given with --kernel-src, "" when none.
	KernelSrc string

	ctx context.Context // the run's; shared probes must not die with one check

	memoMu sync.Mutex
	memos  map[any]any // *once[T] by *fact[T]
}

// ErrNotFound is wrapped by a shared probe whose tool is not on the
// machine; such a probe returns no value, so a caller that forgets the
// case gets an error, not a zero probe that looks like a result.
var ErrNotFound = errors.New("not found")

// fact names a value the checks of one run share. The area file that
// finds the value declares its fact, so Env needs no field per fact, and
// T ties the key to the value's type.
type fact[T any] struct{ name string }

// memo computes the value of a fact once per run, even when checks ask for
// it concurrently.
func memo[T any](e *Env, k *fact[T], f func() (T, error)) (T, error) {
	e.memoMu.Lock()
	if e.memos == nil {
		e.memos = map[any]any{}
	}
	o, ok := e.memos[k].(*once[T])
	if !ok {
		o = &once[T]{}
		e.memos[k] = o
	}
	e.memoMu.Unlock()
	return o.get(f)
}

var (
	osFact      = &fact[distro.OS]{"os"}
	releaseFact = &fact[string]{"kernel release"}
	kconfigFact = &fact[foundConfig]{"kernel config"}
)

// NewEnv returns an Env for one run on h.
func NewEnv(h *host.Host) *Env { return &Env{Host: h, ctx: context.Background()} }

// run runs a command under the run's context.
func (e *Env) run(name string, args ...string) (host.Output, error) {
	return e.Host.Run(e.ctx, name, args...)
}

// OS returns the distribution from /etc/os-release (zero when unknown).
func (e *Env) OS() distro.OS {
	v, _ := memo(e, osFact, func() (distro.OS, error) { return distro.OfHost(e.Host), nil })
	return v
}

// Release is the running kernel's release.
func (e *Env) Release() (string, error) {
	return memo(e, releaseFact, e.Host.Release)
}

type foundConfig struct {
	cfg  *kconfig.Config
	path string
}

// KernelConfig returns the config to judge: the one given with --config, or
// the running kernel's.
func (e *Env) KernelConfig() (*kconfig.Config, string, error) {
	v, err := memo(e, kconfigFact, func() (foundConfig, error) {
		if e.Config != nil {
			return foundConfig{e.Config, e.ConfigPath}, nil
		}
		rel, err := e.Release()
		if err != nil {
			return foundConfig{}, err
		}
		cfg, path, err := kconfig.Discover(e.Host.FS(), rel)
		return foundConfig{cfg, path}, err
	})
	return v.cfg, v.path, err
}

// install builds the fix for missing packages: the distro's install
// command with what it needs first (a repository to enable, a command
// under another name), and the prose for those whose distro is unknown.
func (e *Env) install(text string, pkgs ...distro.Package) *finding.Fix {
	fix := &finding.Fix{Text: text}
	root := e.Host.UID == 0
	if cmd, ok := e.OS().InstallCommand(root, pkgs...); ok {
		fix.Commands = append(fix.Commands, cmd)
		if note := e.OS().InstallNote(root, pkgs...); note != "" {
			fix.Text += " " + note
		}
	} else {
		var names []string
		for _, p := range pkgs {
			names = append(names, p.String())
		}
		fix.Text += fmt.Sprintf(" (install %s with your distribution's package manager)", strings.Join(names, ", "))
	}
	return fix
}

// cmdError turns a failed command into an error finding that names it.
func cmdError(err error) finding.Finding {
	return finding.Result(finding.Error, "%v", err)
}
