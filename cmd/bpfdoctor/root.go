package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/bpfdoctor/bpfdoctor/internal/clip"
	"github.com/bpfdoctor/bpfdoctor/internal/host"
	"github.com/bpfdoctor/bpfdoctor/internal/usage"
)

// Exit codes, the contract with CI.
const (
	exitOK    = 0
	exitFail  = 1 // something failed (warnings too with --strict)
	exitUsage = 2 // bad usage or unreadable input
)

// version is set at build time with -ldflags "-X main.version=...".
var version = ""

// IO is where a command reads and writes; tests swap it.
type IO struct {
	In          io.Reader
	Out, ErrOut io.Writer
	// OutTTY says whether Out is a terminal, for --color=auto.
	OutTTY bool
	// ErrTTY says whether ErrOut is a terminal, for progress bars.
	ErrTTY bool
	Getenv func(string) string
}

// exitError carries an exit code through cobra.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// interrupted is the cause the run's context is cancelled with when a
// signal asks bpfdoctor to stop; a command that stops for it exits as a
// shell reports a process the signal killed.
type interrupted struct{ sig os.Signal }

func (e interrupted) Error() string { return "interrupted" }

// signalContext is cancelled, with an interrupted cause, by the first of
// host.TermSignals; stop restores their default action.
func signalContext() (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, host.TermSignals...)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-ch:
			cancel(interrupted{s})
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(done)
		cancel(nil)
	}
}

// Main runs bpfdoctor with the process's arguments and streams.
func Main() int {
	ctx, stop := signalContext()
	defer stop()
	return run(ctx, os.Args[1:], IO{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		OutTTY: isTerminal(os.Stdout), ErrTTY: isTerminal(os.Stderr),
		Getenv: os.Getenv,
	})
}

func run(ctx context.Context, args []string, io IO) int {
	err := newCLI(io, args).ExecuteContext(ctx)
	var ee exitError
	var ie interrupted
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &ie) || errors.As(context.Cause(ctx), &ie):
		// Whatever a command's own error says ("decompress ...: context
		// canceled"), a run a signal stopped ends the same way.
		fmt.Fprintln(io.ErrOut, "bpfdoctor: interrupted")
		return host.SignalExitCode(ie.sig)
	default:
		fmt.Fprintf(io.ErrOut, "bpfdoctor: %v\n", err)
		if usage.Is(err) {
			return exitUsage
		}
		return exitFail
	}
}

// newCLI is the command tree run with args, its argument errors typed.
func newCLI(io IO, args []string) *cobra.Command {
	root := newRootCmd(io)
	// cobra adds help and completion only when it executes; add them now
	// so that their argument errors are usage errors too.
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd(args...)
	shellArgs(root)
	usageArgs(root)
	root.SetArgs(args)
	return root
}

// shellArgs makes `completion SHELL` with a shell cobra does not know a
// usage error naming the shells; cobra prints the help and exits 0.
func shellArgs(root *cobra.Command) {
	for _, c := range root.Commands() {
		if c.Name() != "completion" {
			continue
		}
		var shells []string
		for _, s := range c.Commands() {
			shells = append(shells, s.Name())
		}
		c.Args = cobra.ArbitraryArgs
		c.RunE = func(c *cobra.Command, a []string) error {
			if len(a) == 0 {
				return c.Help()
			}
			return usage.Errorf("unknown shell %q for completion: want %s", clip.String(a[0], clip.Short), strings.Join(shells, ", "))
		}
	}
}

// usageArgs makes the argument errors of cmd and its subcommands (too many
// arguments, an unknown subcommand) usage errors; cobra's are plain.
func usageArgs(cmd *cobra.Command) {
	if args := cmd.Args; args != nil {
		cmd.Args = func(c *cobra.Command, a []string) error { return usage.Wrap(args(c, a)) }
	}
	for _, c := range cmd.Commands() {
		usageArgs(c)
	}
}

func newRootCmd(io IO) *cobra.Command {
	opts := &checkOptions{outputOptions: outputOptions{io: io}}
	root := &cobra.Command{
		Use:   "bpfdoctor",
		Short: "Check a machine for Linux BPF development and say how to fix each gap",
		Long: `bpfdoctor checks LLVM, clang, pahole, the running kernel and libbpf/bpftool
for BPF development, in one concurrent run, and prints what to do about each gap.

Exit codes: 0 nothing failed, 1 something failed (warnings too with --strict),
2 bad usage or unreadable input.`,
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCheck(cmd.Context(), opts)
		},
	}
	root.SetIn(io.In)
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	// pflag's and cobra's flag errors are plain; every one is bad usage.
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usage.Wrap(err) })
	root.CompletionOptions.HiddenDefaultCmd = false

	addCheckFlags(root, opts)
	check := &cobra.Command{
		Use:   "check",
		Short: "Run every check (the default command)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCheck(cmd.Context(), opts)
		},
	}
	addCheckFlags(check, opts)
	root.AddCommand(
		check,
		newListCmd(io),
		newReportCmd(io),
		newKconfigCmd(io),
		newLintCmd(io),
		newBootstrapCmd(io),
		newVersionCmd(io),
	)
	return root
}

func isTerminal(f *os.File) bool { return isatty.IsTerminal(f.Fd()) }
