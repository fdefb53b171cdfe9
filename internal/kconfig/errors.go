package kconfig

import (
	"errors"
	"strconv"
	"strings"
)

// ErrBinary is wrapped by Parse when the input is not text, so a wrong
// --config argument gets one clear message instead of a bogus line error.
var ErrBinary = errors.New("binary file, not a kernel config")

// ParseError is returned for a malformed line.
type ParseError struct {
	File string
	Line int
	Msg  string
}

// Error returns "FILE:LINE: what is wrong".
func (e *ParseError) Error() string {
	file := e.File
	if file == "" {
		file = "<input>"
	}
	return file + ":" + strconv.Itoa(e.Line) + ": " + e.Msg
}

// NotFoundError is returned by Discover when no candidate exists.
type NotFoundError struct {
	Tried []string
}

func (e *NotFoundError) Error() string {
	return "no kernel config found (tried " + strings.Join(e.Tried, ", ") + ")"
}
