package kconfig

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("fragments", "*", "config*"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed fragments: %v", err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"", "\n", "\r\n", "#", "# CONFIG_ is not set", "# CONFIG_A is not set\r\n",
		"CONFIG_=y", "CONFIG_A=", "CONFIG_A=n", "CONFIG_A=-", "CONFIG_A=-0", "CONFIG_A=0x",
		`CONFIG_A="`, `CONFIG_A="\`, `CONFIG_A="\"`, `CONFIG_A="a"b`, `CONFIG_A="a\\" `,
		"CONFIG_A=y\nCONFIG_A=m\nCONFIG_A=n\n", "\x00", "\xff\xfe", "\x1f\x8b",
	} {
		f.Add([]byte(s))
	}
	f.Add(gzipBytes(f, "CONFIG_BPF=y\n"))

	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse(bytes.NewReader(data), "fuzz")
		if err != nil {
			var pe *ParseError
			if errors.As(err, &pe) && (pe.Line <= 0 || pe.File != "fuzz") {
				t.Fatalf("bad ParseError position: %v", err)
			}
			return
		}
		if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
			checkInvariants(t, cfg, 0) // lines count in the decompressed text
			return
		}
		checkInvariants(t, cfg, bytes.Count(data, []byte("\n"))+1)
		// Writing the entries back out must give the same values.
		var out bytes.Buffer
		for _, e := range cfg.Entries() {
			out.WriteString(e.String())
			out.WriteByte('\n')
		}
		again, err := Parse(&out, "again")
		if err != nil {
			t.Fatalf("reparse of rendered entries: %v\n%s", err, out.Bytes())
		}
		if got, want := stripLines(again.Entries()), stripLines(cfg.Entries()); !reflect.DeepEqual(got, want) {
			t.Fatalf("round trip changed entries:\n got %v\nwant %v", got, want)
		}
	})
}

// checkInvariants checks what holds for any successful parse; maxLine 0
// means the number of lines is unknown.
func checkInvariants(t *testing.T, cfg *Config, maxLine int) {
	t.Helper()
	entries := cfg.Entries()
	if len(entries) != cfg.Len() {
		t.Fatalf("len(Entries()) = %d, Len() = %d", len(entries), cfg.Len())
	}
	seen := map[string]bool{}
	for _, e := range entries {
		if e.Symbol == "" || !validSymbol(e.Symbol) {
			t.Fatalf("bad symbol in %+v", e)
		}
		if seen[e.Symbol] {
			t.Fatalf("symbol %s listed twice", e.Symbol)
		}
		seen[e.Symbol] = true
		if e.Line <= 0 || (maxLine > 0 && e.Line > maxLine) {
			t.Fatalf("line out of range 1..%d in %+v", maxLine, e)
		}
		// Lookup strips one CONFIG_ first, so only a symbol that itself
		// starts with CONFIG_ can be shadowed, by its stripped twin.
		_, shadowed := cfg.index[strings.TrimPrefix(e.Symbol, Prefix)]
		shadowed = shadowed && strings.HasPrefix(e.Symbol, Prefix)
		if got, ok := cfg.Lookup(e.Symbol); !shadowed && (!ok || got != e) {
			t.Fatalf("Lookup(%q) = %+v, %v; want %+v", e.Symbol, got, ok, e)
		}
		if got, ok := cfg.Lookup(Prefix + e.Symbol); !ok || got != e {
			t.Fatalf("Lookup(CONFIG_%s) disagrees", e.Symbol)
		}
		switch e.Kind {
		case Tristate:
			if e.Value != "y" && e.Value != "m" {
				t.Fatalf("tristate value in %+v", e)
			}
		case NotSet:
			if e.Value != "n" {
				t.Fatalf("not-set value in %+v", e)
			}
		case Int:
			if !isInt(e.Value) {
				t.Fatalf("int value in %+v", e)
			}
		case Hex:
			if !isHex(e.Value) {
				t.Fatalf("hex value in %+v", e)
			}
		case String:
		default:
			t.Fatalf("unknown kind in %+v", e)
		}
	}
	for _, d := range cfg.Duplicates {
		e, ok := cfg.Lookup(d.Symbol)
		if !ok || d.First <= 0 || d.First >= d.Last || e.Line != d.Last {
			t.Fatalf("bad duplicate %+v for entry %+v", d, e)
		}
	}
}

func stripLines(es []Entry) []Entry {
	for i := range es {
		es[i].Line = 0
	}
	return es
}
