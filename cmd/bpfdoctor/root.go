package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"
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
	Getenv func(string) string
}

// exitError carries an exit code through cobra.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// usageError marks errors that exit 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// Main runs bpfdoctor with the process's arguments and streams.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, os.Args[1:], IO{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr, OutTTY: isTerminal(os.Stdout), Getenv: os.Getenv})
}

func run(ctx context.Context, args []string, io IO) int {
	root := newRootCmd(io)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	var ee exitError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		return ee.code
	default:
		fmt.Fprintf(io.ErrOut, "bpfdoctor: %v\n", err)
		var ue usageError
		if errors.As(err, &ue) || isFlagError(err) {
			return exitUsage
		}
		return exitFail
	}
}

// isFlagError recognises cobra's and pflag's usage errors, which are plain.
func isFlagError(err error) bool {
	s := err.Error()
	for _, p := range []string{"unknown flag", "unknown shorthand", "flag needs an argument", "invalid argument", "unknown command", "accepts ", "bad flag syntax", "requires at least", "requires at most"} {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
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
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
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
	root.AddCommand(check, newListCmd(io), newVersionCmd(io))
	for _, c := range commands {
		root.AddCommand(c(io))
	}
	return root
}

// commands holds the constructors of the other top-level commands (kconfig,
// lint, bootstrap, report); each command's file adds itself from init.
var commands []func(IO) *cobra.Command

func isTerminal(f *os.File) bool { return isatty.IsTerminal(f.Fd()) }
