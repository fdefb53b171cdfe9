package libbpf

import "testing"

func TestLddLibbpf(t *testing.T) {
	for _, tc := range []struct {
		out, path string
		ok        bool
	}{
		{"\tlinux-vdso.so.1 (0x00007ffd)\n\tlibbpf.so.1 => /lib/x86_64-linux-gnu/libbpf.so.1 (0x00007f48cdfd2000)\n\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x1)\n",
			"/lib/x86_64-linux-gnu/libbpf.so.1", true},
		{"\tlibbpf.so.1 => not found\n", "", true},
		{"\tlibc.so.6 => /lib/libc.so.6 (0x1)\n", "", false},
		{"", "", false},
	} {
		path, ok := LddLibbpf(tc.out)
		if path != tc.path || ok != tc.ok {
			t.Errorf("LddLibbpf(%q) = %q, %v; want %q, %v", tc.out, path, ok, tc.path, tc.ok)
		}
	}
}

func TestSharedObjectVersion(t *testing.T) {
	if v, ok := SharedObjectVersion("libbpf.so.1.1.2"); !ok || v.String() != "1.1.2" {
		t.Errorf("libbpf.so.1.1.2: %v %v", v, ok)
	}
	for _, n := range []string{"libbpf.so.1", "libbpf.so", "libelf.so.1.2.3", "libbpf.so.1.x"} {
		if v, ok := SharedObjectVersion(n); ok {
			t.Errorf("%s: got %v", n, v)
		}
	}
}

func TestSymbolVersionsVersion(t *testing.T) {
	v, ok := SymbolVersionsVersion([]string{"libbpf.so.1", "LIBBPF_0.0.1", "LIBBPF_1.1.0", "LIBBPF_0.8.0", "LIBBPF_junk"})
	if !ok || v.String() != "1.1.0" {
		t.Errorf("got %v %v, want 1.1.0", v, ok)
	}
	if _, ok := SymbolVersionsVersion([]string{"GLIBC_2.2.5"}); ok {
		t.Error("no LIBBPF_ node must give no version")
	}
}
