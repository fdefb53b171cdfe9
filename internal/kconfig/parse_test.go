package kconfig

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []Entry
		dups  []Duplicate
	}{
		{"empty", "", nil, nil},
		{"tristate y", "CONFIG_BPF=y\n", []Entry{{"BPF", Tristate, "y", 1}}, nil},
		{"tristate m", "CONFIG_TEST_BPF=m\n", []Entry{{"TEST_BPF", Tristate, "m", 1}}, nil},
		{"=n is not set", "CONFIG_DEBUG_INFO_REDUCED=n\n", []Entry{{"DEBUG_INFO_REDUCED", NotSet, "n", 1}}, nil},
		{"not set comment", "# CONFIG_MODULES is not set\n", []Entry{{"MODULES", NotSet, "n", 1}}, nil},
		{"int", "CONFIG_NR_CPUS=128\n", []Entry{{"NR_CPUS", Int, "128", 1}}, nil},
		{"negative int", "CONFIG_X=-1\n", []Entry{{"X", Int, "-1", 1}}, nil},
		{"zero", "CONFIG_CLANG_VERSION=0\n", []Entry{{"CLANG_VERSION", Int, "0", 1}}, nil},
		{"hex", "CONFIG_PHYSICAL_ALIGN=0x1000000\n", []Entry{{"PHYSICAL_ALIGN", Hex, "0x1000000", 1}}, nil},
		{"hex upper", "CONFIG_X=0XdeadBEEF\n", []Entry{{"X", Hex, "0XdeadBEEF", 1}}, nil},
		{"string", `CONFIG_LSM="selinux,bpf,integrity"` + "\n", []Entry{{"LSM", String, "selinux,bpf,integrity", 1}}, nil},
		{"empty string", `CONFIG_DEFAULT_INIT=""`, []Entry{{"DEFAULT_INIT", String, "", 1}}, nil},
		{"escaped quote", `CONFIG_CMDLINE="a=\"b c\""`, []Entry{{"CMDLINE", String, `a="b c"`, 1}}, nil},
		{"escaped backslash", `CONFIG_X="C:\\dir\\"`, []Entry{{"X", String, `C:\dir\`, 1}}, nil},
		{"other escape is literal", `CONFIG_X="a\nb"`, []Entry{{"X", String, "anb", 1}}, nil},
		{"string with spaces kept", `CONFIG_X="  a b  "   `, []Entry{{"X", String, "  a b  ", 1}}, nil},
		{"string with hash", `CONFIG_X="#1"`, []Entry{{"X", String, "#1", 1}}, nil},
		{"utf-8 string", `CONFIG_CC_VERSION_TEXT="gcc – 15"`, []Entry{{"CC_VERSION_TEXT", String, "gcc – 15", 1}}, nil},
		{"comments and blanks", "#\n# Automatically generated file; DO NOT EDIT.\n\n   \n#CONFIG_X is not set\n# CONFIG_Y is set\nCONFIG_Z=y\n",
			[]Entry{{"Z", Tristate, "y", 7}}, nil},
		{"trailing whitespace", "CONFIG_A=y  \t\nCONFIG_B=42 \n# CONFIG_C is not set \n",
			[]Entry{{"A", Tristate, "y", 1}, {"B", Int, "42", 2}, {"C", NotSet, "n", 3}}, nil},
		{"leading whitespace", "  CONFIG_A=y\n\t# CONFIG_B is not set\n",
			[]Entry{{"A", Tristate, "y", 1}, {"B", NotSet, "n", 2}}, nil},
		{"crlf", "CONFIG_A=y\r\nCONFIG_S=\"x\"\r\n# CONFIG_B is not set\r\n\r\nCONFIG_C=0x10\r\n",
			[]Entry{{"A", Tristate, "y", 1}, {"S", String, "x", 2}, {"B", NotSet, "n", 3}, {"C", Hex, "0x10", 5}}, nil},
		{"no final newline", "CONFIG_A=y\nCONFIG_B=m", []Entry{{"A", Tristate, "y", 1}, {"B", Tristate, "m", 2}}, nil},
		{"lower-case symbol", "CONFIG_x86_64=y\n", []Entry{{"x86_64", Tristate, "y", 1}}, nil},
		{"digit-first symbol", "CONFIG_64BIT=y\n", []Entry{{"64BIT", Tristate, "y", 1}}, nil},
		{"duplicate, last wins, first position kept",
			"CONFIG_A=m\nCONFIG_B=y\nCONFIG_A=y\n",
			[]Entry{{"A", Tristate, "y", 3}, {"B", Tristate, "y", 2}},
			[]Duplicate{{"A", 1, 3}}},
		{"duplicate across forms",
			"# CONFIG_A is not set\nCONFIG_A=y\nCONFIG_B=1\nCONFIG_B=\"x\"\nCONFIG_A=n\n",
			[]Entry{{"A", NotSet, "n", 5}, {"B", String, "x", 4}},
			[]Duplicate{{"A", 1, 5}, {"B", 3, 4}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse(strings.NewReader(tt.input), "frag")
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := cfg.Entries(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Entries() = %v, want %v", got, tt.want)
			}
			if !reflect.DeepEqual(cfg.Duplicates, tt.dups) {
				t.Errorf("Duplicates = %v, want %v", cfg.Duplicates, tt.dups)
			}
			if cfg.Len() != len(tt.want) {
				t.Errorf("Len() = %d, want %d", cfg.Len(), len(tt.want))
			}
			if cfg.Source != "frag" {
				t.Errorf("Source = %q, want frag", cfg.Source)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name  string
		input string
		line  int
		msg   string // substring of ParseError.Msg
	}{
		{"bare word value", "CONFIG_A=y\nCONFIG_B=yes\n", 2, `invalid value "yes"`},
		{"upper-case Y", "CONFIG_A=Y\n", 1, `invalid value "Y"`},
		{"unquoted string", "CONFIG_LSM=selinux,bpf\n", 1, "invalid value"},
		{"empty value", "CONFIG_A=\n", 1, "empty value for CONFIG_A"},
		{"empty value with spaces", "CONFIG_A=   \n", 1, "empty value"},
		{"space before value", "CONFIG_A= y\n", 1, "invalid value"},
		{"lone minus", "CONFIG_A=-\n", 1, "invalid value"},
		{"plus sign", "CONFIG_A=+1\n", 1, "invalid value"},
		{"float", "CONFIG_A=1.5\n", 1, "invalid value"},
		{"bare 0x", "CONFIG_A=0x\n", 1, "invalid value"},
		{"bad hex digit", "CONFIG_A=0x1g\n", 1, "invalid value"},
		{"unterminated string", "\n\nCONFIG_A=\"abc\n", 3, "unterminated string"},
		{"escaped closing quote", `CONFIG_A="abc\"`, 1, "unterminated string"},
		{"trailing backslash", `CONFIG_A="abc\`, 1, "unterminated string"},
		{"garbage after quote", `CONFIG_A="abc" x`, 1, "text after the closing quote"},
		{"second string", `CONFIG_A="a" "b"`, 1, "text after the closing quote"},
		{"garbage after escaped quote", `CONFIG_A="a\"b"c`, 1, "text after the closing quote"},
		{"no CONFIG_ prefix", "BPF=y\n", 1, "want CONFIG_NAME=value"},
		{"free text", "CONFIG_A=y\nhello world\n", 2, "want CONFIG_NAME=value"},
		{"no equals", "CONFIG_BPF\n", 1, `missing "=value"`},
		{"empty symbol", "CONFIG_=y\n", 1, "invalid symbol name"},
		{"space in symbol", "CONFIG_A B=y\n", 1, "invalid symbol name"},
		{"space before equals", "CONFIG_A =y\n", 1, "invalid symbol name"},
		{"dash in symbol", "CONFIG_A-B=y\n", 1, "invalid symbol name"},
		{"crlf line number", "CONFIG_A=y\r\n\r\nCONFIG_B=q\r\n", 3, "invalid value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tt.input), "frag")
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse error = %v, want *ParseError", err)
			}
			if pe.File != "frag" || pe.Line != tt.line || !strings.Contains(pe.Msg, tt.msg) {
				t.Errorf("got %q, want frag:%d with %q", pe.Error(), tt.line, tt.msg)
			}
			if want := "frag:" + strconv.Itoa(tt.line) + ": "; !strings.HasPrefix(err.Error(), want) {
				t.Errorf("Error() = %q, want prefix %q", err.Error(), want)
			}
		})
	}
}
