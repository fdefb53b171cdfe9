package libbpf

import (
	"reflect"
	"strings"
	"testing"

	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
)

func TestParseBpftoolJSON(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		version  string
		libbpf   string
		features map[string]bool
		wantErr  bool
	}{
		{
			name: "real 7.1.0", in: testkit.ReadTestdata(t, "bpftool-7.1.0.version.json"),
			version: "7.1.0", libbpf: "1.1",
			features: map[string]bool{"libbfd": false, "libbpf_strict": true, "skeletons": false},
		},
		{
			name: "real 7.1.0 pretty", in: testkit.ReadTestdata(t, "bpftool-7.1.0.version.pretty.json"),
			version: "7.1.0", libbpf: "1.1",
			features: map[string]bool{"libbfd": false, "libbpf_strict": true, "skeletons": false},
		},
		{
			name:    "7.5 with llvm and bootstrap",
			in:      `{"version":"7.5.0","libbpf_version":"1.5","features":{"libbfd":false,"llvm":true,"skeletons":true,"bootstrap":false}}`,
			version: "7.5.0", libbpf: "1.5",
			features: map[string]bool{"libbfd": false, "llvm": true, "skeletons": true, "bootstrap": false},
		},
		{
			name:    "kernel-versioned 5.10 without libbpf_version",
			in:      `{"version":"5.10.0","features":{"libbfd":true,"skeletons":true}}` + "\n",
			version: "5.10.0", libbpf: "",
			features: map[string]bool{"libbfd": true, "skeletons": true},
		},
		{
			name:    "no features",
			in:      `{"version":"5.4.0"}`,
			version: "5.4.0", features: map[string]bool{},
		},
		{
			name:    "rc kernel version",
			in:      `{"version":"6.2.0-rc3","libbpf_version":"1.2","features":{}}`,
			version: "6.2.0-rc3", libbpf: "1.2", features: map[string]bool{},
		},
		{
			name:    "non-boolean feature ignored",
			in:      `{"version":"7.7.0","features":{"crypto":true,"future":"maybe"}}`,
			version: "7.7.0", features: map[string]bool{"crypto": true},
		},
		{name: "empty", in: "", wantErr: true},
		{name: "null", in: "null", wantErr: true},
		{name: "empty object", in: "{}", wantErr: true},
		{name: "text form", in: testkit.ReadTestdata(t, "bpftool-7.1.0.version.txt"), wantErr: true},
		{name: "truncated", in: `{"version":"7.1.0","libbpf_version":"1.1","feat`, wantErr: true},
		{name: "version not a string", in: `{"version":7}`, wantErr: true},
		{name: "version garbage", in: `{"version":"seven"}`, wantErr: true},
		{name: "version empty", in: `{"version":""}`, wantErr: true},
		{name: "array", in: `[1,2]`, wantErr: true},
		{name: "trailing data", in: `{"version":"7.1.0"} {}`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseBpftoolJSON([]byte(tt.in))
			if tt.wantErr {
				if err == nil {
					t.Fatalf("got %+v, want error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Version.Original() != tt.version {
				t.Errorf("Version = %q, want %q", got.Version.Original(), tt.version)
			}
			if got.LibbpfVersion != tt.libbpf {
				t.Errorf("LibbpfVersion = %q, want %q", got.LibbpfVersion, tt.libbpf)
			}
			if !reflect.DeepEqual(got.Features, tt.features) {
				t.Errorf("Features = %v, want %v", got.Features, tt.features)
			}
		})
	}
}

func TestParseBpftoolText(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		version  string
		libbpf   string
		features map[string]bool
		wantErr  bool
	}{
		{
			name: "real 7.1.0", in: testkit.ReadTestdata(t, "bpftool-7.1.0.version.txt"),
			version: "7.1.0", libbpf: "1.1",
			features: map[string]bool{"libbpf_strict": true, "libbfd": false, "skeletons": false},
		},
		{
			name: "real 7.1.0 run by path", in: testkit.ReadTestdata(t, "bpftool-7.1.0.version.fullpath.txt"),
			version: "7.1.0", libbpf: "1.1",
			features: map[string]bool{"libbpf_strict": true, "libbfd": false, "skeletons": false},
		},
		{
			name:    "older, features only",
			in:      "bpftool v5.10.0\nfeatures: libbfd, skeletons\n",
			version: "5.10.0", features: map[string]bool{"libbfd": true, "skeletons": true},
		},
		{
			name:    "oldest, version only",
			in:      "bpftool v5.4.0\n",
			version: "5.4.0", features: map[string]bool{},
		},
		{
			name:    "empty features line",
			in:      "bpftool v7.2.0\nusing libbpf v1.2\nfeatures:\n",
			version: "7.2.0", libbpf: "1.2",
			features: map[string]bool{"libbfd": false, "skeletons": false},
		},
		{
			name:    "7.5 llvm",
			in:      "bpftool v7.5.0\r\nusing libbpf v1.5\r\nfeatures: llvm, skeletons\r\n",
			version: "7.5.0", libbpf: "1.5",
			features: map[string]bool{"llvm": true, "skeletons": true, "libbfd": false},
		},
		{
			name:    "ubuntu linux-tools path with kernel version",
			in:      "/usr/lib/linux-tools/5.15.0-91-generic/bpftool v5.15.131\nusing libbpf v0.5\nfeatures: libbfd, skeletons\n",
			version: "5.15.131", libbpf: "0.5",
			features: map[string]bool{"libbfd": true, "skeletons": true},
		},
		{
			name:    "argv0 with spaces",
			in:      "/opt/my tools/bpftool v7.3.0\n",
			version: "7.3.0", features: map[string]bool{},
		},
		{name: "empty", in: "", wantErr: true},
		{name: "json form", in: testkit.ReadTestdata(t, "bpftool-7.1.0.version.json"), wantErr: true},
		{
			name:    "ubuntu wrapper without real bpftool",
			in:      "WARNING: bpftool not found for kernel 6.8.0-31\n\n  You may need to install the following packages for this specific kernel:\n    linux-tools-6.8.0-31-generic\n",
			wantErr: true,
		},
		{name: "no version", in: "bpftool\nusing libbpf v1.1\n", wantErr: true},
		{name: "garbage feature", in: "bpftool v7.1.0\nfeatures: lib bfd\n", wantErr: true},
		{name: "bad version", in: "bpftool vX.Y\n", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseBpftoolText(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("got %+v, want error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Version.String() != tt.version {
				t.Errorf("Version = %q, want %q", got.Version, tt.version)
			}
			if got.LibbpfVersion != tt.libbpf {
				t.Errorf("LibbpfVersion = %q, want %q", got.LibbpfVersion, tt.libbpf)
			}
			if !reflect.DeepEqual(got.Features, tt.features) {
				t.Errorf("Features = %v, want %v", got.Features, tt.features)
			}
		})
	}
}

// The text and JSON forms of the same bpftool must agree.
func TestBpftoolTextMatchesJSON(t *testing.T) {
	j, err := ParseBpftoolJSON([]byte(testkit.ReadTestdata(t, "bpftool-7.1.0.version.json")))
	if err != nil {
		t.Fatal(err)
	}
	x, err := ParseBpftoolText(testkit.ReadTestdata(t, "bpftool-7.1.0.version.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if !j.Version.Equal(x.Version) || j.LibbpfVersion != x.LibbpfVersion || !reflect.DeepEqual(j.Features, x.Features) {
		t.Errorf("JSON %+v and text %+v differ", j, x)
	}
	if !reflect.DeepEqual(j.FeatureNotes(), x.FeatureNotes()) {
		t.Errorf("notes differ: %q vs %q", j.FeatureNotes(), x.FeatureNotes())
	}
}

func TestFeatureNotes(t *testing.T) {
	tests := []struct {
		name     string
		features map[string]bool
		want     []string // substrings, one per note, in order
	}{
		{name: "real 7.1.0", features: map[string]bool{"libbfd": false, "libbpf_strict": true, "skeletons": false},
			want: []string{"prog profile", "prog dump jited"}},
		{name: "all good", features: map[string]bool{"libbfd": true, "llvm": true, "skeletons": true, "crypto": true, "bootstrap": false}},
		{name: "llvm disassembler covers missing libbfd", features: map[string]bool{"libbfd": false, "llvm": true, "skeletons": true}},
		{name: "unknown features give no note", features: map[string]bool{}},
		{name: "nil map", features: nil},
		{name: "bootstrap", features: map[string]bool{"libbfd": true, "bootstrap": true}, want: []string{"bootstrap"}},
		{name: "no crypto", features: map[string]bool{"libbfd": true, "crypto": false}, want: []string{"--sign"}},
		{name: "legacy", features: map[string]bool{"libbfd": true, "libbpf_strict": false}, want: []string{"legacy"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Bpftool{Features: tt.features}.FeatureNotes()
			if len(got) != len(tt.want) {
				t.Fatalf("notes = %q, want %d notes", got, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("note %d = %q, want it to mention %q", i, got[i], w)
				}
			}
		})
	}
}

// skeletons=false must never be reported as a broken skeleton generator.
func TestSkeletonNoteSaysGenWorks(t *testing.T) {
	notes := Bpftool{Features: map[string]bool{"skeletons": false}}.FeatureNotes()
	if len(notes) != 1 {
		t.Fatalf("notes = %q", notes)
	}
	if !strings.Contains(notes[0], "`bpftool gen skeleton` still works") {
		t.Errorf("note %q does not say gen skeleton still works", notes[0])
	}
}

func TestParseVersionHeader(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr bool
	}{
		{name: "real 1.1", in: testkit.ReadTestdata(t, "libbpf_version-1.1.h"), want: "1.1.0"},
		{name: "0.8", in: "#define LIBBPF_MAJOR_VERSION 0\n#define LIBBPF_MINOR_VERSION 8\n", want: "0.8.0"},
		{name: "tabs and comments", in: "#define\tLIBBPF_MAJOR_VERSION\t1 /* major */\n#define LIBBPF_MINOR_VERSION 5\n", want: "1.5.0"},
		{name: "spaced hash", in: "# define LIBBPF_MAJOR_VERSION 1\n# define LIBBPF_MINOR_VERSION 6\n", want: "1.6.0"},
		{name: "crlf", in: "#define LIBBPF_MAJOR_VERSION 1\r\n#define LIBBPF_MINOR_VERSION 2\r\n", want: "1.2.0"},
		{name: "empty", in: "", wantErr: true},
		{name: "minor missing", in: "#define LIBBPF_MAJOR_VERSION 1\n", wantErr: true},
		{name: "not a number", in: "#define LIBBPF_MAJOR_VERSION one\n#define LIBBPF_MINOR_VERSION 1\n", wantErr: true},
		{name: "negative", in: "#define LIBBPF_MAJOR_VERSION -1\n#define LIBBPF_MINOR_VERSION 1\n", wantErr: true},
		{name: "other header", in: "#define FOO 1\n", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseVersionHeader(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("got %v, want error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParsePkgConfigVersion(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr bool
	}{
		{name: "real 1.1.2", in: testkit.ReadTestdata(t, "libbpf-1.1.2.pkgconfig-modversion.txt"), want: "1.1.2"},
		{name: "two parts", in: "1.5\n", want: "1.5.0"},
		{name: "0.x", in: "0.8.1", want: "0.8.1"},
		{name: "empty", in: "", wantErr: true},
		{name: "blank", in: " \n", wantErr: true},
		{name: "pkg-config error", in: "Package libbpf was not found in the pkg-config search path.\n", wantErr: true},
		{name: "two lines", in: "1.1.2\n1.2.0\n", wantErr: true},
		{name: "garbage", in: "abc", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePkgConfigVersion(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("got %v, want error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzParseBpftoolJSON(f *testing.F) {
	f.Add([]byte(testkit.ReadTestdata(f, "bpftool-7.1.0.version.json")))
	f.Add([]byte(testkit.ReadTestdata(f, "bpftool-7.1.0.version.pretty.json")))
	f.Add([]byte(`{"version":"5.10.0","features":{"libbfd":true}}`))
	f.Add([]byte(`{"version":null}`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, in []byte) {
		b, err := ParseBpftoolJSON(in)
		if err != nil {
			return
		}
		if b.Version == nil || b.Features == nil {
			t.Fatalf("success with nil Version or Features: %+v", b)
		}
		_ = b.FeatureNotes()
	})
}
