package kver

import "testing"

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Version
		ok   bool
	}{
		{"6.18.44-fc-v669", Version{6, 18, 44}, true},
		{"6.1.0-27-amd64", Version{6, 1, 0}, true},
		{"6.12.117", Version{6, 12, 117}, true},
		{"v6.17", Version{6, 17, 0}, true},
		{"6.12", Version{6, 12, 0}, true},
		{"6.12-rc1", Version{6, 12, 0}, true},
		{"5.15.0-91-generic\n", Version{5, 15, 0}, true},
		{"6", Version{}, false},
		{"", Version{}, false},
		{"x.y", Version{}, false},
		{"0.1", Version{}, false},
		{"6.x", Version{}, false},
	}
	for _, tt := range tests {
		got, ok := Parse(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Parse(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	if s := (Version{6, 12, 0}).String(); s != "6.12" {
		t.Errorf("String() = %q", s)
	}
	if (Version{6, 12, 117}).Compare(Version{6, 12, 1}) != 0 || (Version{6, 1, 0}).Compare(Version{6, 12, 0}) >= 0 {
		t.Error("Compare orders by major and minor only")
	}
}

func TestAtLeast(t *testing.T) {
	for _, tc := range []struct {
		v        Version
		maj, min int
		want     bool
	}{
		{Version{5, 11, 0}, 5, 11, true},
		{Version{5, 10, 200}, 5, 11, false},
		{Version{6, 1, 0}, 5, 11, true},
		{Version{4, 19, 0}, 5, 2, false},
		{Version{}, 3, 0, false},
	} {
		if got := tc.v.AtLeast(tc.maj, tc.min); got != tc.want {
			t.Errorf("%v.AtLeast(%d, %d) = %v, want %v", tc.v, tc.maj, tc.min, got, tc.want)
		}
	}
	if !(Version{}).IsZero() || (Version{Major: 6}).IsZero() {
		t.Error("IsZero")
	}
}
