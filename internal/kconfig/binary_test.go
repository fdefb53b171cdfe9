package kconfig

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"strings"
	"testing"
)

func gzipBytes(t testing.TB, s string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestParseGzip(t *testing.T) {
	const text = "#\n# Linux/x86 6.18 Kernel Configuration\n#\nCONFIG_BPF=y\n# CONFIG_MODULES is not set\n"
	// Named like a plain file on purpose: gzip is found by content.
	cfg, err := Parse(bytes.NewReader(gzipBytes(t, text)), "config-copy")
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := cfg.Lookup("BPF"); !ok || e.Value != "y" || e.Line != 4 {
		t.Errorf("Lookup(BPF) = %+v, %v", e, ok)
	}
	if cfg.Len() != 2 {
		t.Errorf("Len() = %d, want 2", cfg.Len())
	}
}

func TestParseBadInput(t *testing.T) {
	good := gzipBytes(t, strings.Repeat("CONFIG_BPF=y\n", 1000))
	corrupt := append([]byte(nil), good...)
	for i := 20; i < len(corrupt)-8; i++ {
		corrupt[i] ^= 0x55 // keep the header, ruin the deflate stream
	}
	truncated := good[:len(good)-6]
	elf := append([]byte("\x7fELF\x02\x01\x01\x00"), make([]byte, 64)...)

	tests := []struct {
		name   string
		input  []byte
		binary bool   // want ErrBinary
		msg    string // substring of the error
	}{
		{"elf", elf, true, "parse x: binary file, not a kernel config"},
		{"nul in text", []byte("CONFIG_A=y\nCONFIG_B=\x00\n"), true, "binary file"},
		{"nul after the sniffed head", []byte(strings.Repeat("CONFIG_A=y\n", 2000) + "\x00\n"), true, "binary file"},
		{"control bytes", []byte("CONFIG_A=y\n\x1b\x01\x02\x03\x1b\x01\x02\x03\n"), true, "binary file"},
		{"random bytes", []byte{0xff, 0xfe, 0x41, 0x42, 0xc3}, true, "binary file"},
		{"gzip of binary", gzipBytes(t, "\x7fELF\x00\x00"), true, "binary file"},
		{"gzip bad header", []byte{0x1f, 0x8b, 0x00, 0x00}, false, "decompress x:"},
		{"gzip only magic", []byte{0x1f, 0x8b}, false, "decompress x:"},
		{"gzip corrupt body", corrupt, false, "read x: flate"},
		{"gzip truncated", truncated, false, "read x:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(bytes.NewReader(tt.input), "x")
			if err == nil {
				t.Fatal("Parse succeeded, want an error")
			}
			t.Log(err)
			if got := errors.Is(err, ErrBinary); got != tt.binary {
				t.Errorf("errors.Is(%v, ErrBinary) = %v, want %v", err, got, tt.binary)
			}
			var pe *ParseError
			if errors.As(err, &pe) && tt.binary {
				t.Errorf("binary input gave a line error: %v", err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not contain %q", err, tt.msg)
			}
		})
	}
}

// One rule for invalid UTF-8: a Latin-1 byte in a comment is text, in the
// first 8 KiB as after it (the first 8 KiB made it "binary" before).
func TestLatin1CommentIsText(t *testing.T) {
	for _, in := range []string{
		"# \xe9t\xe9\nCONFIG_A=y\n",
		strings.Repeat("CONFIG_A=y\n", 1000) + "# \xe9t\xe9\n",
		"  # caf\xe9\n# CONFIG_B is not set\nCONFIG_A=y\n",
	} {
		cfg, err := Parse(strings.NewReader(in), "x")
		if err != nil || cfg.Len() < 1 {
			t.Errorf("Parse(%.20q): %v", in, err)
		}
	}
}

// A multi-byte rune cut by the end of the sniffed window is not binary.
func TestSniffBoundary(t *testing.T) {
	prefix := "# " + strings.Repeat("x", 8<<10-3) // "é" straddles the window end
	in := prefix + "é\nCONFIG_A=y\n"
	cfg, err := Parse(strings.NewReader(in), "x")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Len() != 1 {
		t.Errorf("Len() = %d, want 1", cfg.Len())
	}
}

// endless yields config lines forever, like a pipe that never closes.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	const line = "CONFIG_A=y\n"
	for i := range p {
		p[i] = line[i%len(line)]
	}
	return len(p), nil
}

func TestSizeLimit(t *testing.T) {
	var bomb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&bomb, gzip.BestSpeed)
	if _, err := io.Copy(zw, io.LimitReader(endless{}, maxSize+100)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		r    io.Reader
	}{
		{"pipe", endless{}},
		{"bomb", &bomb},
	}
	for _, tt := range tests {
		_, err := Parse(tt.r, tt.name)
		if want := "parse " + tt.name + ": larger than 16 MiB"; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%s) error = %v, want %q", tt.name, err, want)
		}
	}
}

func TestBlankLines(t *testing.T) {
	cfg, err := Parse(strings.NewReader(strings.Repeat("\n", 1<<20)+"CONFIG_A=y\n"), "blank")
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := cfg.Lookup("A"); !ok || e.Line != 1<<20+1 {
		t.Errorf("Lookup(A) = %+v, %v", e, ok)
	}
}

func TestLongLineErrorIsShort(t *testing.T) {
	in := "CONFIG_A=y\nCONFIG_B=" + strings.Repeat("x", 1<<20) + "\n"
	_, err := Parse(strings.NewReader(in), "x")
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 2 {
		t.Fatalf("Parse error = %v, want a ParseError on line 2", err)
	}
	if len(err.Error()) > 200 {
		t.Errorf("error message is %d bytes long", len(err.Error()))
	}
}
