package fetch

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bpfdoctor/bpfdoctor/internal/testkit"
)

func payload() []byte { return bytes.Repeat([]byte("dwarves "), 64<<10) } // 512 KiB

func server(t *testing.T, tls bool) (*httptest.Server, *int) {
	t.Helper()
	hits := new(int)
	mux := http.NewServeMux()
	mux.HandleFunc("/file", func(w http.ResponseWriter, r *http.Request) {
		*hits++
		w.Header().Set("Content-Length", strconv.Itoa(len(payload())))
		w.Write(payload())
	})
	mux.HandleFunc("/chunked", func(w http.ResponseWriter, r *http.Request) {
		for range 4 {
			w.Write(payload())
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/short", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		w.Write([]byte("only this"))
	})
	mux.HandleFunc("/stall", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		w.Write([]byte("first bytes"))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	mux.HandleFunc("/to-http", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://example.com/file", http.StatusFound)
	})
	mux.HandleFunc("/to-file", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/file", http.StatusFound)
	})
	var srv *httptest.Server
	if tls {
		srv = httptest.NewTLSServer(mux)
	} else {
		srv = httptest.NewServer(mux)
	}
	t.Cleanup(srv.Close)
	return srv, hits
}

func TestFileHTTPS(t *testing.T) {
	srv, _ := server(t, true)
	dest := filepath.Join(t.TempDir(), "dwarves-1.31.tar.xz")
	var calls int
	var last, lastTotal int64
	var warn bytes.Buffer
	n, err := File(context.Background(), srv.URL+"/to-file", dest, Options{
		Client:   srv.Client(),
		Progress: func(done, total int64) { calls++; last, lastTotal = done, total },
		Warn:     &warn,
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(len(payload())) || last != n || lastTotal != n || calls < 2 {
		t.Errorf("n=%d, progress calls=%d last=%d/%d", n, calls, last, lastTotal)
	}
	b, _ := os.ReadFile(dest)
	if !bytes.Equal(b, payload()) {
		t.Error("content differs")
	}
	if fi, _ := os.Stat(dest); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v", fi.Mode())
	}
	if warn.Len() != 0 {
		t.Errorf("warned over https: %q", warn.String())
	}
	testkit.AssertDir(t, filepath.Dir(dest), "dwarves-1.31.tar.xz")
}

func TestFilePlainHTTPLoopbackWarns(t *testing.T) {
	srv, _ := server(t, false)
	dest := filepath.Join(t.TempDir(), "f")
	var warn bytes.Buffer
	if _, err := File(context.Background(), srv.URL+"/chunked", dest, Options{Warn: &warn}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(warn.String(), "warning: downloading http://127.0.0.1:") || !strings.Contains(warn.String(), "plain HTTP") {
		t.Errorf("warning = %q", warn.String())
	}
}

func TestFileRefuses(t *testing.T) {
	tlsSrv, _ := server(t, true)
	plainSrv, _ := server(t, false)
	tests := []struct {
		name string
		url  string
		o    Options
		want string
	}{
		{"plain http elsewhere", "http://example.com/dwarves.tar.xz", Options{}, "refusing plain-HTTP URL http://example.com/dwarves.tar.xz: use https"},
		{"ftp", "ftp://example.com/x", Options{}, `unsupported URL scheme "ftp"`},
		{"no scheme", "example.com/x", Options{}, `unsupported URL scheme ""`},
		{"downgrade by redirect", tlsSrv.URL + "/to-http", Options{Client: tlsSrv.Client()}, "redirect: refusing plain-HTTP URL http://example.com/file"},
		{"not found", plainSrv.URL + "/nope", Options{}, "HTTP 404 Not Found"},
		{"short body", plainSrv.URL + "/short", Options{}, "unexpected EOF"},
		{"too big", plainSrv.URL + "/file", Options{MaxBytes: 1000}, "more than the 1000-byte limit"},
		{"too big chunked", plainSrv.URL + "/chunked", Options{MaxBytes: 1000}, "more than the 1000-byte limit"},
		{"stall", plainSrv.URL + "/stall", Options{IdleTimeout: 200 * time.Millisecond}, "no data received for 200ms"},
		{"deadline", plainSrv.URL + "/stall", Options{Timeout: 300 * time.Millisecond}, "no complete download within 300ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			dest := filepath.Join(dir, "f")
			// A previous good file stays when a new download fails.
			testkit.WriteFile(t, dest, "old", 0o644)
			start := time.Now()
			_, err := File(context.Background(), tt.url, dest, tt.o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
			if time.Since(start) > 3*time.Second {
				t.Errorf("took %s", time.Since(start))
			}
			if b, _ := os.ReadFile(dest); string(b) != "old" {
				t.Errorf("dest changed to %q", b)
			}
			testkit.AssertDir(t, dir, "f")
		})
	}
	_, err := File(context.Background(), plainSrv.URL+"/nope", filepath.Join(t.TempDir(), "x"), Options{})
	if !IsNotFound(err) {
		t.Errorf("IsNotFound(%v) = false", err)
	}
}

func TestCheckURL(t *testing.T) {
	for raw, wantPlain := range map[string]bool{
		"https://fedorapeople.org/~acme/dwarves/dwarves-1.31.tar.xz": false,
		"http://127.0.0.1:8080/x":                                    true,
		"http://127.1.2.3/x":                                         true,
		"http://[::1]:80/x":                                          true,
		"http://localhost/x":                                         true,
	} {
		u, _ := url.Parse(raw)
		plain, err := CheckURL(u)
		if err != nil || plain != wantPlain {
			t.Errorf("CheckURL(%s) = %v, %v", raw, plain, err)
		}
	}
	for _, raw := range []string{"http://10.0.0.1/x", "http://localhost.example.com/x", "https:///x", "file:///etc/passwd"} {
		u, _ := url.Parse(raw)
		if _, err := CheckURL(u); err == nil {
			t.Errorf("CheckURL(%s) accepted", raw)
		}
	}
}
