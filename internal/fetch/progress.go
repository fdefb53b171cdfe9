package fetch

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Unit is what a Bar counts.
type Unit int

const (
	Bytes Unit = iota // a download: sizes and a byte rate
	Steps             // a build: "[n/N]" edges
)

// Mode is how a Bar draws.
type Mode int

const (
	Off   Mode = iota // draws nothing
	TTY               // redraws one line in place, a few times a second
	Lines             // a plain line now and then, for logs and CI
)

// Bar renders progress with a rate and an ETA for a terminal or a log. It
// is not safe for concurrent use.
type Bar struct {
	// Every is the period of Lines mode (default 30s).
	Every time.Duration
	// Now is the clock; tests replace it.
	Now func() time.Time

	w     io.Writer
	label string
	mode  Mode
	unit  Unit

	started    bool
	start      time.Time
	startDone  int64
	done       int64
	total      int64
	at         time.Time // of the last Update
	lastDraw   time.Time
	drawnWidth int
}

// NewBar returns a bar writing to w, which is stderr in practice.
func NewBar(w io.Writer, label string, mode Mode, unit Unit) *Bar {
	return &Bar{w: w, label: label, mode: mode, unit: unit, Every: 30 * time.Second, Now: time.Now}
}

// Update records progress and redraws when due. total <= 0 means unknown.
func (b *Bar) Update(done, total int64) {
	if b.mode == Off {
		return
	}
	now := b.Now()
	b.at = now
	if !b.started {
		// The rate counts from the first report: a resumed build or a
		// download that starts at n must not look infinitely fast.
		b.started, b.start, b.startDone, b.lastDraw = true, now, done, now
		b.done, b.total = done, total
		if b.mode == TTY {
			b.draw(now)
		}
		return
	}
	b.done, b.total = done, total
	period := b.Every
	if b.mode == TTY {
		period = 150 * time.Millisecond
	}
	if now.Sub(b.lastDraw) >= period {
		b.draw(now)
	}
}

// Finish draws the last state and, on a terminal, ends the line. It does
// nothing on a bar with no progress since the last Finish, so it is safe to
// call before every log line; a later Update starts the bar again.
func (b *Bar) Finish() {
	if b.mode == Off || !b.started {
		return
	}
	b.at = b.Now()
	b.draw(b.at)
	if b.mode == TTY {
		fmt.Fprintln(b.w)
	}
	b.started, b.drawnWidth = false, 0
}

func (b *Bar) draw(now time.Time) {
	b.lastDraw = now
	line := b.String()
	if b.mode == TTY {
		// Pad over a longer previous line instead of relying on escape
		// sequences the terminal may not have.
		pad := max(b.drawnWidth-len(line), 0)
		b.drawnWidth = len(line)
		fmt.Fprintf(b.w, "\r%s%s", line, strings.Repeat(" ", pad))
		return
	}
	fmt.Fprintln(b.w, line)
}

// String is the current line without terminal control.
func (b *Bar) String() string {
	var s strings.Builder
	s.WriteString(b.label)
	if b.total > 0 {
		frac := min(float64(b.done)/float64(b.total), 1)
		if b.mode == TTY {
			const width = 24
			fill := int(frac * width)
			fmt.Fprintf(&s, " [%s%s]", strings.Repeat("#", fill), strings.Repeat(".", width-fill))
		}
		fmt.Fprintf(&s, " %3d%%", int(frac*100))
	}
	switch b.unit {
	case Bytes:
		if b.total > 0 {
			fmt.Fprintf(&s, " %s/%s", FormatBytes(b.done), FormatBytes(b.total))
		} else {
			fmt.Fprintf(&s, " %s", FormatBytes(b.done))
		}
		if r := b.rate(); r > 0 {
			fmt.Fprintf(&s, " %s/s", FormatBytes(int64(r)))
		}
	case Steps:
		if b.total > 0 {
			fmt.Fprintf(&s, " %d/%d", b.done, b.total)
		} else {
			fmt.Fprintf(&s, " %d", b.done)
		}
	}
	if eta, ok := b.ETA(); ok {
		fmt.Fprintf(&s, " ETA %s", FormatDuration(eta))
	}
	return s.String()
}

// rate is units per second since the first report.
func (b *Bar) rate() float64 {
	el := b.at.Sub(b.start).Seconds()
	if el <= 0 {
		return 0
	}
	return float64(b.done-b.startDone) / el
}

// ETA estimates the time left from the average rate so far; ok is false
// until there is a rate and a total.
func (b *Bar) ETA() (time.Duration, bool) {
	r := b.rate()
	if r <= 0 || b.total <= 0 || b.done >= b.total {
		return 0, false
	}
	return time.Duration(float64(b.total-b.done) / r * float64(time.Second)), true
}

// FormatBytes gives "512 B", "1.5 KiB", "12.0 MiB".
func FormatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// FormatDuration gives "42s", "3m05s", "1h02m".
func FormatDuration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	default:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
}
