package cmake

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzReadCache: every entry read has a name without '=', ':' or a line
// break, and writing the entries back as NAME:STRING=VALUE reads the same.
func FuzzReadCache(f *testing.F) {
	for _, s := range []string{
		"# This is the CMakeCache file.\n//Build type\nCMAKE_BUILD_TYPE:STRING=Release\nCMAKE_GENERATOR:INTERNAL=Ninja\n",
		"A=1\nA:BOOL=2\n", "=\n:=\nNOEQ\n", "X:STRING=a=b:c\r\n", "\x00=\xff", "",
	} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, "CMakeCache.txt")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		m, err := ReadCache(p)
		if err != nil {
			if !strings.Contains(err.Error(), p) {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		var out strings.Builder
		for k, v := range m {
			if strings.ContainsAny(k, "=:\n") || strings.Contains(v, "\n") {
				t.Fatalf("entry %q = %q", k, v)
			}
			if k == "" || strings.HasPrefix(k, "#") || strings.HasPrefix(k, "//") {
				continue // a name the cache cannot hold as a line of its own
			}
			if strings.HasSuffix(v, "\r") {
				delete(m, k) // a line's last CR is its CRLF ending: not a value cmake can write
				continue
			}
			fmt.Fprintf(&out, "%s:STRING=%s\n", k, v)
		}
		if err := os.WriteFile(p, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		again, err := ReadCache(p)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range again {
			if m[k] != v {
				t.Fatalf("round trip: %q = %q, was %q", k, v, m[k])
			}
		}
	})
}

// FuzzParseNinjaStatus: a status read has 0 <= done <= total, total > 0,
// and formatting it as ninja does reads back the same.
func FuzzParseNinjaStatus(f *testing.F) {
	for _, s := range []string{
		"[1/10] Building CXX object lib/Support/CMakeFiles/LLVMSupport.dir/APInt.cpp.o",
		"[10/10] Linking CXX executable bin/clang-23", "[0/0] x", "[5/3] y", "[999999999999/999999999999]",
		"[1234567890123/1] z", "FAILED: x.o", NinjaNoWork, NinjaInterrupted, "[1/2]", "[1/2]\x00\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		s, ok := ParseNinjaStatus(line)
		if !ok {
			if s != (Status{}) {
				t.Fatalf("not a status but %+v", s)
			}
			return
		}
		if s.Total <= 0 || s.Done < 0 || s.Done > s.Total {
			t.Fatalf("impossible status %+v", s)
		}
		if len(s.Edge) > len(line) {
			t.Fatalf("edge %q longer than the line", s.Edge)
		}
		again, ok := ParseNinjaStatus(fmt.Sprintf("[%d/%d] %s", s.Done, s.Total, s.Edge))
		if !ok || again != s {
			t.Fatalf("round trip of %+v: %+v, %v", s, again, ok)
		}
	})
}
