package fetch

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestBarTTY(t *testing.T) {
	var out bytes.Buffer
	c := &clock{time.Unix(1000, 0)}
	b := NewBar(&out, "dwarves-1.31.tar.xz", TTY, Bytes)
	b.Now = c.now
	b.Update(0, 4<<20)
	c.advance(time.Second)
	b.Update(1<<20, 4<<20) // 1 MiB/s: 3 MiB left, 3s
	if got := b.String(); got != "dwarves-1.31.tar.xz [######..................]  25% 1.0 MiB/4.0 MiB 1.0 MiB/s ETA 3s" {
		t.Errorf("line = %q", got)
	}
	c.advance(10 * time.Millisecond)
	b.Update(1<<20+1, 4<<20) // too soon to redraw
	c.advance(3 * time.Second)
	b.Update(4<<20, 4<<20)
	b.Finish()
	s := out.String()
	if n := strings.Count(s, "\r"); n != 4 {
		t.Errorf("%d redraws, want 4 (first, 1s, 4s, finish): %q", n, s)
	}
	if !strings.HasSuffix(s, "100% 4.0 MiB/4.0 MiB 1021.4 KiB/s\n") {
		t.Errorf("last line: %q", s)
	}
	// A second Finish (before the next log line) draws nothing.
	n := out.Len()
	b.Finish()
	if out.Len() != n {
		t.Errorf("second Finish drew %q", out.String()[n:])
	}
}

func TestBarLinesAndResume(t *testing.T) {
	var out bytes.Buffer
	c := &clock{time.Unix(1000, 0)}
	b := NewBar(&out, "building LLVM", Lines, Steps)
	b.Now = c.now
	b.Every = 30 * time.Second
	// A resumed build starts at 1000 of 3000: the rate counts from there.
	b.Update(1000, 3000)
	for range 12 {
		c.advance(5 * time.Second)
		b.Update(b.done+50, 3000)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("lines = %q, want one every 30s", lines)
	}
	// 300 steps in 30s: 10/s, 1700 left after 1300.
	if lines[0] != "building LLVM  43% 1300/3000 ETA 2m50s" {
		t.Errorf("line = %q", lines[0])
	}
	if strings.ContainsAny(out.String(), "\r#") {
		t.Errorf("terminal drawing in Lines mode: %q", out.String())
	}
}

func TestBarOff(t *testing.T) {
	var out bytes.Buffer
	b := NewBar(&out, "x", Off, Bytes)
	b.Update(1, 2)
	b.Finish()
	if out.Len() != 0 {
		t.Errorf("Off drew %q", out.String())
	}
}

func TestFormat(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1536: "1.5 KiB", 12 << 20: "12.0 MiB", 5 << 30: "5.0 GiB"} {
		if got := FormatBytes(n); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", n, got, want)
		}
	}
	for d, want := range map[time.Duration]string{42 * time.Second: "42s", 185 * time.Second: "3m05s", 62 * time.Minute: "1h02m", 1500 * time.Millisecond: "2s"} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%s) = %q, want %q", d, got, want)
		}
	}
}
