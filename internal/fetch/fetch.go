// Package fetch downloads release files: over HTTPS only (plain HTTP only
// from a loopback address, for tests and local mirrors, with a warning),
// with an overall deadline and a stall timeout, a size cap, progress
// callbacks, and an atomic write, so a file in the cache is always a
// complete download.
package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Defaults for Options' zero fields.
const (
	DefaultTimeout     = 15 * time.Minute
	DefaultIdleTimeout = time.Minute
	DefaultMaxBytes    = 1 << 30
)

// Options tune a download.
type Options struct {
	// Client is the HTTP client; nil means a new one with sane transport
	// timeouts. Its redirect policy is replaced by CheckURL's rules.
	Client *http.Client
	// Timeout bounds the whole download.
	Timeout time.Duration
	// IdleTimeout fails a download that receives nothing for this long.
	IdleTimeout time.Duration
	// MaxBytes refuses larger bodies.
	MaxBytes int64
	// Progress is called as bytes arrive; total is -1 when the server did
	// not say. It must be cheap: it runs on every read.
	Progress func(done, total int64)
	// Warn receives warnings (plain HTTP); nil discards them.
	Warn io.Writer
}

// StatusError is a response other than 200 OK.
type StatusError struct {
	URL    string
	Status string
	Code   int
}

func (e *StatusError) Error() string { return fmt.Sprintf("download %s: HTTP %s", e.URL, e.Status) }

// IsNotFound reports whether err is a 404 or 410: the file is not there.
func IsNotFound(err error) bool {
	var se *StatusError
	return errors.As(err, &se) && (se.Code == http.StatusNotFound || se.Code == http.StatusGone)
}

// CheckURL accepts https URLs, and http URLs whose host is a loopback
// address; plain reports the latter. Anything else is an error that says
// why, so a typo'd or downgraded URL is refused before any byte moves.
func CheckURL(u *url.URL) (plain bool, err error) {
	switch u.Scheme {
	case "https":
		if u.Host == "" {
			return false, fmt.Errorf("URL %s has no host", u.Redacted())
		}
		return false, nil
	case "http":
		if !IsLoopback(u.Hostname()) {
			return false, fmt.Errorf("refusing plain-HTTP URL %s: use https (plain http is allowed only from localhost)", u.Redacted())
		}
		return true, nil
	default:
		return false, fmt.Errorf("unsupported URL scheme %q in %s: want https", u.Scheme, u.Redacted())
	}
}

// IsLoopback reports whether host is "localhost" or a loopback IP.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// File downloads rawURL into dest. The body goes to a temporary file next
// to dest, renamed over it only when complete and within the limits; on
// any error dest is untouched and the temporary file removed.
func File(ctx context.Context, rawURL, dest string, o Options) (n int64, err error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return 0, fmt.Errorf("download %s: %w", rawURL, err)
	}
	plain, err := CheckURL(u)
	if err != nil {
		return 0, err
	}
	if plain && o.Warn != nil {
		fmt.Fprintf(o.Warn, "warning: downloading %s over plain HTTP (loopback only)\n", u.Redacted())
	}
	timeout, idle, maxBytes := o.Timeout, o.IdleTimeout, o.MaxBytes
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	if idle <= 0 {
		idle = DefaultIdleTimeout
	}
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, fmt.Errorf("no complete download within %s", timeout))
	defer cancel()
	ctx, stall := context.WithCancelCause(ctx)
	defer stall(nil)
	idleTimer := time.AfterFunc(idle, func() { stall(fmt.Errorf("no data received for %s", idle)) })
	defer idleTimer.Stop()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return 0, fmt.Errorf("download %s: %w", u.Redacted(), err)
	}
	req.Header.Set("User-Agent", "bpfdoctor")
	resp, err := client(o.Client).Do(req)
	if err != nil {
		return 0, fmt.Errorf("download %s: %w", u.Redacted(), causeOf(ctx, err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, &StatusError{URL: u.Redacted(), Status: resp.Status, Code: resp.StatusCode}
	}
	total := resp.ContentLength
	if total > maxBytes {
		return 0, fmt.Errorf("download %s: %d bytes, more than the %d-byte limit", u.Redacted(), total, maxBytes)
	}

	tmp, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".part-")
	if err != nil {
		return 0, fmt.Errorf("download %s: %w", u.Redacted(), err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	body := &meter{r: io.LimitReader(resp.Body, maxBytes+1), total: total, progress: o.Progress, idle: idleTimer, idleFor: idle}
	n, err = io.Copy(tmp, body)
	if err != nil {
		return n, fmt.Errorf("download %s: %w", u.Redacted(), causeOf(ctx, err))
	}
	if n > maxBytes {
		return n, fmt.Errorf("download %s: more than the %d-byte limit", u.Redacted(), maxBytes)
	}
	if total >= 0 && n != total {
		return n, fmt.Errorf("download %s: got %d of %d bytes", u.Redacted(), n, total)
	}
	if err := tmp.Close(); err != nil {
		return n, fmt.Errorf("download %s: %w", u.Redacted(), err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return n, fmt.Errorf("download %s: %w", u.Redacted(), err)
	}
	if err := os.Rename(tmp.Name(), dest); err != nil {
		return n, fmt.Errorf("download %s: %w", u.Redacted(), err)
	}
	return n, nil
}

// causeOf prefers the reason the context gives (a stall, the deadline) to
// the transport's "context canceled".
func causeOf(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		return cause
	}
	return err
}

// client copies c (or a default) with a redirect policy that applies
// CheckURL to every hop: an https URL must not redirect to plain http.
func client(c *http.Client) *http.Client {
	var cc http.Client
	if c != nil {
		cc = *c
	} else {
		cc.Transport = &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   30 * time.Second,
			ResponseHeaderTimeout: time.Minute,
			ForceAttemptHTTP2:     true,
		}
	}
	cc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		if _, err := CheckURL(req.URL); err != nil {
			return fmt.Errorf("redirect: %w", err)
		}
		return nil
	}
	return &cc
}

// meter counts bytes, reports progress and keeps the stall timer alive.
type meter struct {
	r        io.Reader
	done     int64
	total    int64
	progress func(done, total int64)
	idle     *time.Timer
	idleFor  time.Duration
}

func (m *meter) Read(p []byte) (int, error) {
	n, err := m.r.Read(p)
	if n > 0 {
		m.done += int64(n)
		m.idle.Reset(m.idleFor)
		if m.progress != nil {
			m.progress(m.done, m.total)
		}
	}
	return n, err
}
