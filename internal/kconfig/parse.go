package kconfig

import (
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"unicode/utf8"

	"github.com/bpfdoctor/bpfdoctor/internal/clip"
)

const (
	// maxSize bounds what Parse reads: real configs are under 1 MiB, and
	// --config /dev/zero must not eat the memory.
	maxSize = 16 << 20
	// maxPresize is above the symbol count of an x86 allyesconfig.
	maxPresize = 1 << 15
)

// Parse reads a kernel config or fragment from r; name is used in errors
// and as Config.Source. Gzip input (/proc/config.gz) is detected by its
// magic bytes, not by name, since --config may point at a renamed copy.
// The input is read whole (at most 16 MiB) and the entries share it.
func Parse(r io.Reader, name string) (*Config, error) {
	text, err := readText(r, name)
	if err != nil {
		return nil, err
	}
	// Presizing from the line count and slicing symbols and values out of
	// one string keeps a 10,000-line config to a handful of allocations.
	// The cap keeps a file of blank lines from reserving gigabytes.
	n := min(strings.Count(text, "\n")+1, maxPresize)
	p := parser{
		cfg:  &Config{Source: name, index: make(map[string]int, n), entries: make([]Entry, 0, n)},
		name: name,
	}
	for len(text) > 0 {
		line := text
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = ""
		}
		p.line++
		if err := p.parseLine(line); err != nil {
			return nil, err
		}
	}
	return p.cfg, nil
}

// readText returns the whole, decompressed input, refusing binary data.
// A strings.Builder avoids both zeroing the buffer and copying it into
// the string that entries are sliced from.
func readText(r io.Reader, name string) (string, error) {
	text, err := readAll(r, sizeHint(r), name)
	if err != nil {
		return "", err
	}
	if strings.HasPrefix(text, "\x1f\x8b") {
		zr, err := gzip.NewReader(strings.NewReader(text))
		if err != nil {
			return "", fmt.Errorf("decompress %s: %w", name, err)
		}
		// /proc/config.gz inflates about 4.5 times.
		if text, err = readAll(zr, 5*len(text), name); err != nil {
			return "", err
		}
	}
	if looksBinary(text) {
		return "", fmt.Errorf("parse %s: %w", name, ErrBinary)
	}
	return text, nil
}

// readAll reads all of r, refusing more than maxSize bytes (also after
// decompression: a gzip bomb is no config); hint presizes the buffer.
func readAll(r io.Reader, hint int, name string) (string, error) {
	var sb strings.Builder
	sb.Grow(min(hint, maxSize) + 512)
	if _, err := io.Copy(&sb, io.LimitReader(r, maxSize+1)); err != nil {
		return "", fmt.Errorf("read %s: %w", name, err)
	}
	if sb.Len() > maxSize {
		return "", fmt.Errorf("parse %s: larger than %d MiB, not a kernel config", name, maxSize>>20)
	}
	return sb.String(), nil
}

// sizeHint guesses the input size from readers that know it; files in
// /proc report 0, which is fine as a hint.
func sizeHint(r io.Reader) int {
	switch v := r.(type) {
	case interface{ Len() int }:
		return v.Len()
	case interface{ Stat() (fs.FileInfo, error) }:
		if fi, err := v.Stat(); err == nil && fi.Mode().IsRegular() {
			return int(fi.Size())
		}
	}
	return 0
}

// looksBinary is the one rule for what is no config: a NUL anywhere, or
// more than one byte in eight that is a control byte (not tab, CR, VT or
// FF) or invalid UTF-8 outside a comment. Invalid UTF-8 in a comment is
// tolerated wherever it is: a Latin-1 "# \xe9t\xe9" from a hand edit is text.
func looksBinary(s string) bool {
	if strings.IndexByte(s, 0) >= 0 {
		return true
	}
	bad := 0
	lineStart, comment := true, false
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\n':
			lineStart, comment = true, false
			i++
			continue
		case lineStart && isSpace(c):
			i++
			continue
		case lineStart:
			lineStart, comment = false, c == '#'
		}
		if c < utf8.RuneSelf {
			if (c < 0x20 && !isSpace(c)) || c == 0x7f {
				bad++
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 && !comment {
			bad++
		}
		i += size
	}
	return bad > 0 && bad*8 >= len(s)
}

// parser holds the state of one Parse call.
type parser struct {
	cfg  *Config
	name string
	line int
	dups map[string]int // symbol -> position in cfg.Duplicates
}

func (p *parser) errorf(format string, args ...any) error {
	return &ParseError{File: p.name, Line: p.line, Msg: fmt.Sprintf(format, args...)}
}

// parseLine handles one line, without its newline. The checks are written
// by hand because this runs for every line of a 10,000-line config.
func (p *parser) parseLine(raw string) error {
	line := trimSpace(raw)
	if len(line) == 0 {
		return nil
	}
	if line[0] == '#' {
		if sym, ok := notSetComment(line); ok {
			p.set(sym, NotSet, "n")
		} else if p.cfg.Version == "" && p.line <= 5 {
			p.cfg.Version = headerVersion(line)
		}
		return nil
	}
	if !strings.HasPrefix(line, Prefix) {
		return p.errorf("want CONFIG_NAME=value or a comment, got %q", clip.String(line, clip.Short))
	}
	eq := strings.IndexByte(line, '=')
	if eq < 0 {
		return p.errorf("missing \"=value\" in %q", clip.String(line, clip.Short))
	}
	sym := line[len(Prefix):eq]
	if !validSymbol(sym) {
		return p.errorf("invalid symbol name %q", clip.String(sym, clip.Short))
	}
	val := line[eq+1:]
	if len(val) == 0 {
		return p.errorf("empty value for CONFIG_%s", clip.String(sym, clip.Short))
	}
	switch {
	case val[0] == '"':
		s, problem := unquote(val)
		if problem != "" {
			return p.errorf("%s for CONFIG_%s", problem, clip.String(sym, clip.Short))
		}
		p.set(sym, String, s)
	case val == "y" || val == "m":
		p.set(sym, Tristate, val)
	case val == "n":
		p.set(sym, NotSet, val)
	case isHex(val):
		p.set(sym, Hex, val)
	case isInt(val):
		p.set(sym, Int, val)
	default:
		return p.errorf("invalid value %q for CONFIG_%s: want y, m, n, a number or a quoted string", clip.String(val, clip.Short), clip.String(sym, clip.Short))
	}
	return nil
}

// set records an assignment; a repeated symbol keeps its first position
// and takes the new value, as the kernel's conf_read does.
func (p *parser) set(sym string, kind Kind, value string) {
	c := p.cfg
	i, ok := c.index[sym]
	if !ok {
		c.index[sym] = len(c.entries)
		c.entries = append(c.entries, Entry{Symbol: sym, Kind: kind, Value: value, Line: p.line})
		return
	}
	e := &c.entries[i]
	if d, ok := p.dups[sym]; ok {
		c.Duplicates[d].Last = p.line
	} else {
		if p.dups == nil {
			p.dups = make(map[string]int)
		}
		p.dups[sym] = len(c.Duplicates)
		c.Duplicates = append(c.Duplicates, Duplicate{Symbol: sym, First: e.Line, Last: p.line})
	}
	e.Kind, e.Value, e.Line = kind, value, p.line
}

// headerVersion reads the kernel version from the header conf_write puts
// at the top of a .config: "# Linux/x86 6.1.0 Kernel Configuration".
func headerVersion(line string) string {
	f := strings.Fields(line)
	if len(f) == 5 && f[0] == "#" && strings.HasPrefix(f[1], "Linux/") && f[3] == "Kernel" && f[4] == "Configuration" {
		return f[2]
	}
	return ""
}
