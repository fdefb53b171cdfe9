package kconfig

import "strings"

// Small string helpers for parseLine; regexps would dominate the profile
// of a full .config.

func trimSpace(s string) string {
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'
}

func validSymbol(s string) bool {
	if len(s) == 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// isInt accepts an optional minus and decimal digits. Leading zeros are
// allowed: the kernel warns about them later, knowing the symbol's type.
func isInt(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if len(s) == 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isHex(s string) bool {
	if len(s) < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') {
		return false
	}
	for i := 2; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

const (
	notSetHead = "# " + Prefix
	notSetTail = " is not set"
)

// notSetComment recognises "# CONFIG_X is not set"; any other comment is
// just a comment, as in the kernel.
func notSetComment(line string) (string, bool) {
	if len(line) < len(notSetHead)+len(notSetTail) ||
		!strings.HasPrefix(line, notSetHead) || !strings.HasSuffix(line, notSetTail) {
		return "", false
	}
	sym := line[len(notSetHead) : len(line)-len(notSetTail)]
	return sym, validSymbol(sym)
}

// unquote decodes a quoted value. As in the kernel, a backslash takes the
// next byte literally; unlike the kernel, text after the closing quote is
// an error, since it is always a mistake. It returns a problem description
// instead of an error so the caller can add the line number.
func unquote(s string) (string, string) {
	s = s[1:]
	end := strings.IndexAny(s, `"\`)
	if end >= 0 && s[end] == '"' {
		if end != len(s)-1 {
			return "", "text after the closing quote"
		}
		return s[:end], "" // no escapes: the common case, no copy
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
			if i == len(s) {
				return "", "unterminated string"
			}
			out = append(out, s[i])
		case '"':
			if i != len(s)-1 {
				return "", "text after the closing quote"
			}
			return string(out), ""
		default:
			out = append(out, s[i])
		}
	}
	return "", "unterminated string"
}
