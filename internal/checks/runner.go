package checks

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/bpfdoctor/bpfdoctor/internal/finding"
)

// Check is one named unit of the doctor.
type Check struct {
	ID    string // stable, dotted: area.name
	Area  string
	Title string // a few words, shown in the report
	Looks string // what it looks at, for `bpfdoctor list`
	Run   func(ctx context.Context, e *Env) finding.Finding
}

// Grace is what the run allows beyond the per-command timeout, so that a
// check making two calls in a row still ends inside deadline + 1 s.
const Grace = 750 * time.Millisecond

// Run runs the checks concurrently and returns one finding per check, in the
// order given. Every check starts at once; the run as a whole ends within
// the host's command timeout plus Grace, whatever the checks do: a check
// still running then is reported as an error and left behind.
func Run(ctx context.Context, e *Env, cs []Check) []finding.Finding {
	deadline := e.Host.Timeout + Grace
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	e.ctx = ctx

	out := make([]finding.Finding, len(cs))
	done := make([]chan finding.Finding, len(cs))
	for i, c := range cs {
		done[i] = make(chan finding.Finding, 1)
		go func() { done[i] <- runOne(ctx, e, c) }()
	}
	// The guard outlives ctx a little, so that a check that honours ctx
	// can still report the command that hung instead of a bare timeout.
	guard := time.NewTimer(deadline + 100*time.Millisecond)
	defer guard.Stop()
	var expired bool
	for i, c := range cs {
		if !expired {
			select {
			case f := <-done[i]:
				out[i] = f
				continue
			case <-guard.C:
				expired = true
			}
		}
		select {
		case f := <-done[i]:
			out[i] = f
		default:
			out[i] = c.finding(finding.Result(finding.Error, "%s did not finish within %s", c.ID, deadline.Round(time.Millisecond)))
			out[i].Duration = deadline
		}
	}
	return out
}

func runOne(ctx context.Context, e *Env, c Check) (f finding.Finding) {
	start := time.Now()
	defer func() {
		if r := recover(); r != nil {
			f = finding.Result(finding.Error, "check %s crashed: %v", c.ID, r).
				WithDetails(stackLines(5)...)
		}
		f = c.finding(f)
		f.Duration = time.Since(start)
	}()
	return c.Run(ctx, e)
}

func (c Check) finding(f finding.Finding) finding.Finding {
	f.ID, f.Area, f.Title = c.ID, c.Area, c.Title
	return f
}

// stackLines keeps the frames of a panic that matter in a bug report.
func stackLines(n int) []string {
	var out []string
	for line := range strings.SplitSeq(string(debug.Stack()), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "/") && !strings.Contains(line, "/runtime/") && !strings.Contains(line, "checks/runner.go") {
			out = append(out, "at "+line)
			if len(out) == n {
				break
			}
		}
	}
	return out
}

// once computes a value shared by several checks a single time, even when
// they ask for it concurrently; a panic becomes the value's error.
type once[T any] struct {
	o   sync.Once
	v   T
	err error
}

func (o *once[T]) get(f func() (T, error)) (T, error) {
	o.o.Do(func() {
		defer func() {
			if r := recover(); r != nil {
				o.err = fmt.Errorf("%v", r)
			}
		}()
		o.v, o.err = f()
	})
	return o.v, o.err
}
