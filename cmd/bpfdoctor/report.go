package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/user"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bpfdoctor/bpfdoctor/internal/checks"
	"github.com/bpfdoctor/bpfdoctor/internal/host"
	"github.com/bpfdoctor/bpfdoctor/internal/render"
	"github.com/bpfdoctor/bpfdoctor/internal/usage"
)

type reportOptions struct {
	io      IO
	format  string
	redact  bool
	timeout time.Duration
	config  string
}

func newReportCmd(io IO) *cobra.Command {
	o := &reportOptions{io: io}
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Print a paste-able triage report: versions, kernel state and every problem",
		Long: `report runs every check and prints what a maintainer asks for in a bug
report or on a mailing list: bpfdoctor's version, the distribution, the
kernel release and config source, BTF, JIT and unprivileged settings, the
versions and paths of llc, clang, pahole, bpftool and libbpf, LLVM's CPU
levels, the selftests config summary, and every finding that is not a pass.

--redact replaces the host name, user names and home directories.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runReport(cmd.Context(), o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.format, "format", "markdown", "markdown or json")
	f.BoolVar(&o.redact, "redact", false, "replace host name, user names and home directories")
	f.DurationVar(&o.timeout, "timeout", host.DefaultTimeout, "deadline for each external command")
	f.StringVar(&o.config, "config", "", "the kernel config to judge (default: the running kernel's)")
	return cmd
}

func runReport(ctx context.Context, o *reportOptions) error {
	if o.format != "markdown" && o.format != "json" {
		return usage.Errorf("invalid --format %q: want markdown or json", o.format)
	}
	env, err := newEnv(o.io, o.timeout, o.config)
	if err != nil {
		return err
	}
	rep := render.Report{Version: bpfdoctorVersion(), OS: env.OS().PrettyName, Findings: checks.Run(ctx, env, checks.All())}
	rep.Kernel, _ = env.Release()
	if o.redact {
		// The values, before rendering: a name must not rewrite markup,
		// JSON syntax or bpfdoctor's own words.
		rep = render.RedactReport(rep, secrets(o.io, env.Host))
	}

	// The report exits 0 whatever it found: it describes, `check` judges.
	var b bytes.Buffer
	if o.format == "json" {
		err = render.JSON(&b, rep)
	} else {
		err = render.Triage(&b, rep)
	}
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	_, err = o.io.Out.Write(b.Bytes())
	return err
}

// secrets gathers what --redact removes: the machine's host names, and the
// user and home directory from the environment and the password database.
func secrets(io IO, h *host.Host) render.Secrets {
	var s render.Secrets
	if b, err := h.ReadFile("/proc/sys/kernel/hostname"); err == nil {
		s.Hosts = append(s.Hosts, strings.TrimSpace(string(b)))
	}
	if n, err := os.Hostname(); err == nil {
		s.Hosts = append(s.Hosts, n)
		// The short name too, when the host name is fully qualified.
		s.Hosts = append(s.Hosts, strings.Split(n, ".")[0])
	}
	for _, k := range []string{"USER", "LOGNAME", "SUDO_USER"} {
		if v := io.Getenv(k); v != "" {
			s.Users = append(s.Users, v)
		}
	}
	if v := io.Getenv("HOME"); v != "" {
		s.Homes = append(s.Homes, v)
	}
	if u, err := user.Current(); err == nil {
		s.Users = append(s.Users, u.Username)
		s.Homes = append(s.Homes, u.HomeDir)
	}
	// "root" names nobody, and prose such as "load programs as root" must
	// survive; /root is still replaced as a home directory.
	s.Users = slices.DeleteFunc(s.Users, func(u string) bool { return u == "root" })
	return s
}
