// Package usage marks errors that are the caller's fault (a bad flag, an
// option out of range, unreadable input), which the CLI exits 2 for. Domain
// packages return them; only cmd/bpfdoctor turns them into exit codes.
package usage

import (
	"errors"
	"fmt"
)

// Error is a usage error wrapping its cause.
type Error struct{ Err error }

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Errorf formats a usage error; %w wraps as fmt.Errorf does.
func Errorf(format string, args ...any) error {
	return &Error{fmt.Errorf(format, args...)}
}

// Wrap marks err as a usage error (nil stays nil).
func Wrap(err error) error {
	if err == nil {
		return nil
	}
	return &Error{err}
}

// Is reports whether err is, or wraps, a usage error.
func Is(err error) bool {
	var ue *Error
	return errors.As(err, &ue)
}
