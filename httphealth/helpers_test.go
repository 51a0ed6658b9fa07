package httphealth_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/httphealth"
)

// maxAuthorizationBytes is the longest Authorization header the JWT reads.
const maxAuthorizationBytes = 8 << 10

// newRunner returns a runner with cs registered, closed at cleanup.
func newRunner(t testing.TB, cs ...checks.Check) *checks.Runner {
	t.Helper()
	r := checks.NewRunner()
	if err := r.Register(cs...); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return r
}

// fixed returns a check Func that reports s with msg.
func fixed(s checks.Status, msg string) checks.Func {
	return func(context.Context) checks.Report { return checks.Report{Status: s, Message: msg} }
}

// newMux mounts the routes of runner with opts on a new http.ServeMux.
func newMux(t testing.TB, runner *checks.Runner, opts ...httphealth.Option) http.Handler {
	t.Helper()
	h, err := httphealth.New(runner, opts...)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	if err := h.Mount(mux); err != nil {
		t.Fatal(err)
	}
	return mux
}

// protected serves "secret" at GET / behind mw.
func protected(mw func(http.Handler) http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", mw(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "secret")
	})))
	return mux
}

// do serves one request through h.
func do(h http.Handler, method, target string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// assertHealthHeaders checks the headers every health response carries.
func assertHealthHeaders(t testing.TB, h http.Header, contentType string) {
	t.Helper()
	if got := h.Get("Content-Type"); !strings.HasPrefix(got, contentType) {
		t.Errorf("Content-Type = %q, want %q", got, contentType)
	}
	if got := h.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", got)
	}
	if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options = %q, want nosniff", got)
	}
}

// decode parses a JSON body into a generic map.
func decode(t testing.TB, r io.Reader) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.NewDecoder(r).Decode(&m); err != nil {
		t.Fatalf("body is not a JSON object: %v", err)
	}
	return m
}

// readiness is a settable httphealth.Readiness.
type readiness struct {
	ready  bool
	reason string
}

func (r *readiness) Readiness() (bool, string) { return r.ready, r.reason }

// liveness is a settable httphealth.Liveness.
type liveness bool

func (l liveness) Live() bool { return bool(l) }

// httptestNewServer is httptest.NewServer (a loopback server).
func httptestNewServer(h http.Handler) *httptest.Server { return httptest.NewServer(h) }
