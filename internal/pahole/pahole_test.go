package pahole

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParseVersion(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Version
		wantErr bool
	}{
		{name: "real 1.24", in: readTestdata(t, "pahole-1.24.version.txt"), want: Version{1, 24}},
		{name: "real numeric 124", in: readTestdata(t, "pahole-1.24.numeric_version.txt"), want: Version{1, 24}},
		{name: "without v", in: "1.25\n", want: Version{1, 25}},
		{name: "capital V", in: "V1.16", want: Version{1, 16}},
		{name: "1.31", in: "v1.31\n", want: Version{1, 31}},
		{name: "two digit minor below ten", in: "v1.9\n", want: Version{1, 9}},
		{name: "rc suffix", in: "v1.30-rc1\n", want: Version{1, 30}},
		{name: "pre suffix", in: "v1.8pre1", want: Version{1, 8}},
		{name: "patch component", in: "v1.24.1", want: Version{1, 24}},
		{name: "crlf and spaces", in: "  v1.27\r\n", want: Version{1, 27}},
		{name: "warning before version", in: "libbpf: some warning\nv1.28\n", want: Version{1, 28}},
		{name: "numeric 130", in: "130\n", want: Version{1, 30}},
		{name: "numeric four digits", in: "1001", want: Version{10, 1}},
		{name: "empty", in: "", wantErr: true},
		{name: "blank lines", in: "\n \n\t\n", wantErr: true},
		{name: "unrecognized option", in: readTestdata(t, "pahole-1.24.supported_btf_features.stderr.txt"), wantErr: true},
		{name: "only major", in: "v1", wantErr: true},
		{name: "numeric too short", in: "12", wantErr: true},
		{name: "numeric too long", in: "12345", wantErr: true},
		{name: "trailing dot", in: "v1.", wantErr: true},
		{name: "free text after", in: "v1.24 (dirty)", wantErr: true},
		{name: "minor too large", in: "v1.100", wantErr: true},
		{name: "huge number", in: "v99999999999999999999.1", wantErr: true},
		{name: "letters", in: "vX.Y", wantErr: true},
		{name: "lone v", in: "v", wantErr: true},
		{name: "negative", in: "-124", wantErr: true},
		{name: "major zero", in: "v0.5", wantErr: true},
		{name: "numeric zero", in: "0000", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseVersion(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ParseVersion(%q) = %v, want error", tt.in, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseVersion(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseVersion(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestNumericRoundTrip(t *testing.T) {
	tests := []struct {
		n    int64
		want Version
		str  string
	}{
		{124, Version{1, 24}, "1.24"},
		{130, Version{1, 30}, "1.30"},
		{116, Version{1, 16}, "1.16"},
		{201, Version{2, 1}, "2.1"},
		{0, Version{}, "0.0"},
		{-5, Version{}, "0.0"},
	}
	for _, tt := range tests {
		got := FromNumeric(tt.n)
		if got != tt.want {
			t.Errorf("FromNumeric(%d) = %v, want %v", tt.n, got, tt.want)
		}
		if got.String() != tt.str {
			t.Errorf("FromNumeric(%d).String() = %q, want %q", tt.n, got.String(), tt.str)
		}
		if tt.n > 0 && int64(got.Numeric()) != tt.n {
			t.Errorf("FromNumeric(%d).Numeric() = %d", tt.n, got.Numeric())
		}
	}
}

func TestLess(t *testing.T) {
	tests := []struct {
		a, b Version
		want bool
	}{
		{Version{1, 16}, Version{1, 24}, true},
		{Version{1, 24}, Version{1, 16}, false},
		{Version{1, 24}, Version{1, 24}, false},
		{Version{1, 99}, Version{2, 0}, true},
		{Version{2, 0}, Version{1, 99}, false},
	}
	for _, tt := range tests {
		if got := tt.a.Less(tt.b); got != tt.want {
			t.Errorf("%v.Less(%v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestCapabilities(t *testing.T) {
	caps := Capabilities()
	if len(caps) == 0 {
		t.Fatal("empty capability table")
	}
	if caps[0].Since != (Version{1, 13}) || caps[len(caps)-1].Since != (Version{1, 31}) {
		t.Errorf("table spans %v..%v, want 1.13..1.31", caps[0].Since, caps[len(caps)-1].Since)
	}
	for i := 1; i < len(caps); i++ {
		if !caps[i-1].Since.Less(caps[i].Since) {
			t.Errorf("row %d (%v) not after row %d (%v): one row per version, ascending", i, caps[i].Since, i-1, caps[i-1].Since)
		}
	}
	for _, c := range caps {
		if strings.TrimSpace(c.What) == "" {
			t.Errorf("%v has no description", c.Since)
		}
	}
	// The returned slice is a copy.
	caps[0].What = "changed"
	if Capabilities()[0].What == "changed" {
		t.Error("Capabilities returns the package's own slice")
	}
	found := false
	for _, c := range caps {
		if c.Since == MinBTF {
			found = true
		}
	}
	if !found {
		t.Errorf("no row for MinBTF %v", MinBTF)
	}
}

func TestCapabilitiesOf(t *testing.T) {
	tests := []struct {
		v           Version
		lastHave    Version // zero when nothing is had
		firstMissed Version // zero when nothing is missing
	}{
		{Version{1, 24}, Version{1, 24}, Version{1, 25}},
		{Version{1, 12}, Version{}, Version{1, 13}},
		{Version{1, 15}, Version{1, 13}, Version{1, 16}},
		{Version{1, 31}, Version{1, 31}, Version{}},
		{Version{2, 0}, Version{1, 31}, Version{}},
	}
	total := len(Capabilities())
	for _, tt := range tests {
		have, missing := CapabilitiesOf(tt.v)
		if len(have)+len(missing) != total {
			t.Errorf("%v: %d+%d rows, want %d", tt.v, len(have), len(missing), total)
		}
		var lastHave, firstMissed Version
		if len(have) > 0 {
			lastHave = have[len(have)-1].Since
		}
		if len(missing) > 0 {
			firstMissed = missing[0].Since
		}
		if lastHave != tt.lastHave || firstMissed != tt.firstMissed {
			t.Errorf("CapabilitiesOf(%v): last have %v, first missing %v; want %v, %v",
				tt.v, lastHave, firstMissed, tt.lastHave, tt.firstMissed)
		}
	}
}

func TestParseSupportedBTFFeatures(t *testing.T) {
	const all = "encode_force,var,float,decl_tag,type_tag,enum64,optimized_func,consistent_func,decl_tag_kfuncs,reproducible_build,distilled_base,global_var,attributes"
	tests := []struct {
		name    string
		in      string
		want    []string
		wantErr bool
	}{
		{name: "1.30 list", in: all + "\n", want: strings.Split(all, ",")},
		{name: "1.26 list", in: "encode_force,var,float,decl_tag,type_tag,enum64,optimized_func,consistent_func\n",
			want: []string{"encode_force", "var", "float", "decl_tag", "type_tag", "enum64", "optimized_func", "consistent_func"}},
		{name: "single", in: "var", want: []string{"var"}},
		{name: "spaces around items", in: " var , float ", want: []string{"var", "float"}},
		{name: "stray commas", in: ",var,,float,", want: []string{"var", "float"}},
		{name: "empty", in: "", wantErr: true},
		{name: "whitespace", in: " \n", wantErr: true},
		{name: "only commas", in: ",,,", wantErr: true},
		{name: "pahole 1.24 rejects option", in: readTestdata(t, "pahole-1.24.supported_btf_features.stderr.txt"), wantErr: true},
		{name: "uppercase", in: "VAR,float", wantErr: true},
		{name: "dash", in: "decl-tag", wantErr: true},
		{name: "two lines", in: "var\nfloat", wantErr: true},
		{name: "space inside", in: "var float", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSupportedBTFFeatures(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("got %q, want error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestKernelNeeds(t *testing.T) {
	tests := []struct {
		name          string
		pahole        int64
		dwarf5        bool
		major, minor  int
		wantMins      []Version
		wantInWhyLast string
	}{
		{name: "old kernel, no info", major: 5, minor: 15, wantMins: []Version{MinBTF}},
		{name: "5.7 asked for 1.13", major: 5, minor: 7, wantMins: []Version{{1, 13}}, wantInWhyLast: "5.8 raised the minimum to 1.16"},
		{name: "5.8 asks for 1.16", major: 5, minor: 8, wantMins: []Version{MinBTF}},
		{name: "unknown kernel", wantMins: []Version{MinBTF}},
		{name: "dwarf5", dwarf5: true, major: 6, minor: 1, wantMins: []Version{MinBTF, {1, 21}}, wantInWhyLast: "DWARF5"},
		{name: "6.10 no kfunc tags", major: 6, minor: 10, wantMins: []Version{MinBTF}},
		{name: "6.11 kfunc tags", major: 6, minor: 11, wantMins: []Version{MinBTF, {1, 27}}, wantInWhyLast: "decl_tag_kfuncs"},
		{name: "7.0 kfunc tags", major: 7, minor: 0, wantMins: []Version{MinBTF, {1, 27}}},
		{name: "built with 1.24", pahole: 124, major: 6, minor: 1, wantMins: []Version{MinBTF, {1, 24}}, wantInWhyLast: "CONFIG_PAHOLE_VERSION=124"},
		{name: "all", pahole: 130, dwarf5: true, major: 6, minor: 18, wantMins: []Version{MinBTF, {1, 21}, {1, 27}, {1, 30}}},
		{name: "negative config value ignored", pahole: -1, major: 6, minor: 1, wantMins: []Version{MinBTF}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := KernelNeeds(tt.pahole, tt.dwarf5, tt.major, tt.minor)
			var mins []Version
			for _, n := range got {
				mins = append(mins, n.Min)
				if n.Why == "" {
					t.Errorf("need %v has no reason", n.Min)
				}
			}
			if !reflect.DeepEqual(mins, tt.wantMins) {
				t.Fatalf("mins = %v, want %v", mins, tt.wantMins)
			}
			if tt.wantInWhyLast != "" && !strings.Contains(got[len(got)-1].Why, tt.wantInWhyLast) {
				t.Errorf("last reason %q does not mention %q", got[len(got)-1].Why, tt.wantInWhyLast)
			}
		})
	}
}

func FuzzParseVersion(f *testing.F) {
	for _, s := range []string{"v1.24\n", "1.25", "124", "v1.30-rc1", "v1.8pre1", "", "v", "v1.", "libbpf: x\nv1.28"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseVersion(s)
		if err != nil {
			return
		}
		if v.Major < 0 || v.Minor < 0 || v.Minor > 99 || v.Major > 99 {
			t.Fatalf("ParseVersion(%q) = %v: out of range", s, v)
		}
		// What parses must survive the kernel's numeric form.
		if FromNumeric(int64(v.Numeric())) != v {
			t.Fatalf("ParseVersion(%q) = %v does not round-trip through %d", s, v, v.Numeric())
		}
	})
}

func TestKernelConflicts(t *testing.T) {
	tests := []struct {
		name         string
		v            Version
		built        int64
		major, minor int
		want         bool
	}{
		{"1.24 on 5.15", Version{1, 24}, 0, 5, 15, true},
		{"1.31 on 4.19", Version{1, 31}, 0, 4, 19, true},
		{"1.23 on 5.15", Version{1, 23}, 0, 5, 15, false},
		{"1.24 on 6.0", Version{1, 24}, 0, 6, 0, false},
		{"1.24 on 7.1", Version{1, 24}, 0, 7, 1, false},
		{"1.24 on unknown kernel", Version{1, 24}, 0, 0, 0, false},
		{"1.24 on 5.15 built with 1.24", Version{1, 24}, 124, 5, 15, false},
		{"1.25 on 5.15 built with 1.22", Version{1, 25}, 122, 5, 15, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := KernelConflicts(tt.v, tt.built, tt.major, tt.minor)
			if (len(got) > 0) != tt.want {
				t.Fatalf("KernelConflicts = %+v, want conflict %v", got, tt.want)
			}
			if tt.want && (got[0].From != (Version{1, 24}) || !strings.Contains(got[0].Why, "BTF_KIND_ENUM64")) {
				t.Errorf("conflict = %+v", got[0])
			}
		})
	}
}
