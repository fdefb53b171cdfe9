package finding

import "testing"

func TestStatusWords(t *testing.T) {
	for _, tc := range []struct {
		s          Status
		word, mark string
	}{
		{Pass, "pass", "✓"}, {Skip, "skip", "-"}, {Warn, "warn", "!"}, {Error, "error", "?"}, {Fail, "fail", "✗"},
		{Status(9), "status(9)", "?"},
	} {
		if got := tc.s.String(); got != tc.word {
			t.Errorf("%d.String() = %q, want %q", int(tc.s), got, tc.word)
		}
		if got := tc.s.Mark(); got != tc.mark {
			t.Errorf("%s.Mark() = %q, want %q", tc.word, got, tc.mark)
		}
		if tc.s > Fail {
			continue
		}
		var back Status
		if err := back.UnmarshalText([]byte(tc.word)); err != nil || back != tc.s {
			t.Errorf("UnmarshalText(%q) = %v, %v", tc.word, back, err)
		}
	}
	var s Status
	if err := s.UnmarshalText([]byte("ok")); err == nil {
		t.Error("UnmarshalText(ok) succeeded")
	}
}

func TestWorstAndFailed(t *testing.T) {
	fs := []Finding{{Status: Pass}, {Status: Skip}, {Status: Warn}}
	if w := Worst(fs); w != Warn {
		t.Errorf("Worst = %v, want warn", w)
	}
	if Failed(fs, false) || !Failed(fs, true) {
		t.Error("a warning fails only with strict")
	}
	if !Failed([]Finding{{Status: Error}}, false) {
		t.Error("error must fail")
	}
	if Worst(nil) != Pass {
		t.Error("Worst(nil) must be pass")
	}
}
