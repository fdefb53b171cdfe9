// Package distro knows which package manager a Linux distribution uses and
// what it calls the packages a BPF toolchain needs, so a report can print a
// ready-to-paste install command. It reads os-release(5) (handed to it, or
// from a host with OfHost) and never runs anything.
package distro

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// OS is the part of os-release(5) that picks a package manager and names.
type OS struct {
	ID              string   // "debian", "ubuntu", "opensuse-tumbleweed"; "linux" when unset
	IDLike          []string // ID_LIKE, closest relative first
	Name            string
	PrettyName      string
	VersionID       string // "12", "24.04"; empty on rolling releases
	VersionCodename string
	// UbuntuCodename is UBUNTU_CODENAME, which Ubuntu and its derivatives
	// (Linux Mint, Pop!_OS) set: their own VERSION_ID says nothing about
	// which Ubuntu archive they use, and package names depend on it.
	UbuntuCodename string
}

// maxLine bounds one os-release line; the real file is a few hundred bytes.
const maxLine = 64 << 10

// ParseOSRelease reads os-release(5) syntax: KEY=value lines, values
// optionally in double or single quotes with shell-style backslash escapes,
// "#" comments and blank lines. Malformed lines are skipped, as systemd
// does, but input without a single valid assignment is an error. Unset ID
// and NAME take the defaults the man page gives ("linux", "Linux").
func ParseOSRelease(r io.Reader) (OS, error) {
	br := bufio.NewReader(r)
	var o OS
	assignments := 0
	for {
		line, err := br.ReadString('\n')
		if len(line) > maxLine {
			return OS{}, fmt.Errorf("read os-release: line longer than %d bytes", maxLine)
		}
		if key, val, ok := parseAssignment(line); ok {
			assignments++
			o.set(key, val)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return OS{}, fmt.Errorf("read os-release: %w", err)
		}
	}
	if assignments == 0 {
		return OS{}, errors.New("parse os-release: no KEY=value assignment found")
	}
	if o.ID == "" {
		o.ID = "linux"
	}
	if o.Name == "" {
		o.Name = "Linux"
	}
	if o.PrettyName == "" {
		o.PrettyName = o.Name
	}
	return o, nil
}

func (o *OS) set(key, val string) {
	switch key {
	case "ID":
		o.ID = strings.ToLower(val)
	case "ID_LIKE":
		o.IDLike = nil // an empty ID_LIKE is none, not an empty list
		if f := strings.Fields(strings.ToLower(val)); len(f) > 0 {
			o.IDLike = f
		}
	case "NAME":
		o.Name = val
	case "PRETTY_NAME":
		o.PrettyName = val
	case "VERSION_ID":
		o.VersionID = val
	case "VERSION_CODENAME":
		o.VersionCodename = strings.ToLower(val)
	case "UBUNTU_CODENAME":
		o.UbuntuCodename = strings.ToLower(val)
	}
}

// parseAssignment parses one line; ok is false for blank lines, comments and
// anything malformed.
func parseAssignment(line string) (key, val string, ok bool) {
	line = strings.TrimRight(line, "\r\n")
	trimmed := strings.TrimSpace(line)
	if trimmed == "" || trimmed[0] == '#' {
		return "", "", false
	}
	eq := strings.IndexByte(trimmed, '=')
	if eq <= 0 {
		return "", "", false
	}
	key = strings.TrimSpace(trimmed[:eq])
	if !validKey(key) {
		return "", "", false
	}
	val, ok = unquote(strings.TrimSpace(trimmed[eq+1:]))
	if !ok {
		return "", "", false
	}
	return key, val, true
}

func validKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c == '_', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// unquote undoes shell quoting the way os-release(5) allows it: double
// quotes in which a backslash escapes $ " \ and `, single quotes with no
// escapes, and bare text in which a backslash escapes any character.
// Adjacent pieces are joined, as a shell would. An unterminated quote fails.
func unquote(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); {
		switch c := s[i]; c {
		case '"':
			i++
			closed := false
			for i < len(s) {
				c := s[i]
				if c == '"' {
					closed = true
					i++
					break
				}
				if c == '\\' && i+1 < len(s) && strings.IndexByte("$\"\\`", s[i+1]) >= 0 {
					b.WriteByte(s[i+1])
					i += 2
					continue
				}
				b.WriteByte(c)
				i++
			}
			if !closed {
				return "", false
			}
		case '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return "", false
			}
			b.WriteString(s[i+1 : i+1+end])
			i += end + 2
		case '\\':
			if i+1 < len(s) {
				b.WriteByte(s[i+1])
				i += 2
			} else {
				i++
			}
		default:
			// Unquoted whitespace ends the value; what follows would be a
			// second shell word, which os-release does not allow.
			if c == ' ' || c == '\t' {
				return b.String(), true
			}
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), true
}
