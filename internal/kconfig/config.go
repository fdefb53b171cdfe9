package kconfig

import (
	"strconv"
	"strings"
)

// Prefix starts every option's name in a config file.
const Prefix = "CONFIG_"

// Entry is one symbol's assignment.
type Entry struct {
	Symbol string // without the CONFIG_ prefix, e.g. "BPF_SYSCALL"
	Kind   Kind
	// Value is "y"/"m" for Tristate, "n" for NotSet, the digits for Int
	// ("-1" ok), "0x1f" for Hex, the unescaped string for String.
	Value string
	Line  int // 1-based line in the source file
}

// String renders the entry as a canonical config line, so fixes and
// reports can quote it; NotSet is written as the comment form.
func (e Entry) String() string {
	switch e.Kind {
	case NotSet:
		return "# " + Prefix + e.Symbol + " is not set"
	case String:
		return Prefix + e.Symbol + "=" + quote(e.Value)
	}
	return Prefix + e.Symbol + "=" + e.Value
}

// quote escapes only '"' and '\', as the kernel's conf_write does.
func quote(s string) string {
	if !strings.ContainsAny(s, `"\`) {
		return `"` + s + `"`
	}
	var b strings.Builder
	b.Grow(len(s) + 4)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

// Duplicate records a symbol assigned more than once (the last one wins,
// as in the kernel). There is one record per symbol, however many times
// it is assigned, in the order the repeats are found.
type Duplicate struct {
	Symbol      string
	First, Last int // line numbers
}

// Config is a parsed kernel config or fragment.
type Config struct {
	Source     string // the file name it was parsed from, as given
	Duplicates []Duplicate
	// Version is the kernel version the header of a full .config names
	// ("6.1.0"), "" for fragments and configs without one.
	Version string

	entries []Entry        // order of first appearance, last value
	index   map[string]int // symbol -> position in entries
}

// Lookup returns the assignment of symbol, given with or without the
// CONFIG_ prefix; the prefix is stripped first. A symbol absent from the file is not the same as NotSet:
// absence often means a parent option is off.
func (c *Config) Lookup(symbol string) (Entry, bool) {
	if c == nil {
		return Entry{}, false
	}
	i, ok := c.index[strings.TrimPrefix(symbol, Prefix)]
	if !ok {
		// A line CONFIG_CONFIG_X=y names the symbol CONFIG_X; rare, but it
		// must stay reachable.
		if i, ok = c.index[symbol]; !ok {
			return Entry{}, false
		}
	}
	return c.entries[i], true
}

// Entries returns all assignments in file order of first appearance, each
// with its last value. The slice is a copy.
func (c *Config) Entries() []Entry {
	if c == nil {
		return nil
	}
	return append([]Entry(nil), c.entries...)
}

// Len returns the number of distinct symbols.
func (c *Config) Len() int {
	if c == nil {
		return 0
	}
	return len(c.entries)
}

// Int returns the numeric value of an Int or Hex symbol, e.g.
// CONFIG_PAHOLE_VERSION. It reports false for other kinds and for values
// that do not fit in an int64 (0xdead000000000000 is a real one).
func (c *Config) Int(symbol string) (int64, bool) {
	e, ok := c.Lookup(symbol)
	if !ok {
		return 0, false
	}
	var n int64
	var err error
	switch e.Kind {
	case Int:
		n, err = strconv.ParseInt(e.Value, 10, 64)
	case Hex:
		n, err = strconv.ParseInt(e.Value[2:], 16, 64)
	default:
		return 0, false
	}
	if err != nil {
		return 0, false
	}
	return n, true
}
