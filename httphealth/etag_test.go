package httphealth_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/httphealth"
	"github.com/echofx/healthcheck/internal/testutil"
)

// TestDetailedETag: over real HTTP with a real signed token, every form of
// the detailed routes the status page uses carries a strong ETag; the same
// snapshot answers If-None-Match with 304 and no body, a new result with
// 200 and a new ETag, and a bad token 401 whatever If-None-Match says.
func TestDetailedETag(t *testing.T) {
	clk := testutil.NewFakeClock(time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC))
	runner := checks.NewRunner(checks.WithClock(clk))
	t.Cleanup(runner.Close)
	for _, name := range []string{"alpha", "beta"} {
		if err := runner.Register(checks.Check{Name: name, TTL: time.Hour, Interval: time.Hour,
			Func: checks.FromFunc(func(context.Context) error { return nil })}); err != nil {
			t.Fatal(err)
		}
	}
	runner.Run(context.Background())
	secret := []byte("etag-test-secret-of-at-least-32-bytes!!")
	auth, err := httphealth.NewJWT(httphealth.JWTConfig{Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	h, err := httphealth.New(runner, httphealth.WithDetailed(auth))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	if err := h.Mount(mux); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	good := testutil.MintHS256(secret, testutil.ValidClaims("", "", time.Hour))
	bad := testutil.MintHS256([]byte("another-secret-that-is-32-bytes-long!!"), testutil.ValidClaims("", "", time.Hour))

	get := func(path, token, inm string) (int, http.Header, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		if inm != "" {
			req.Header.Set("If-None-Match", inm)
		}
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res.StatusCode, res.Header, string(b)
	}

	forms := []string{
		"/healthcheck/detailed",
		"/healthcheck/detailed?series=1&history=1&compact=24",  // the page
		"/healthcheck/detailed?series=1&history=1&check=alpha", // the page, a check shown in full
		"/healthcheck/detailed/alpha?history=1",
	}
	tags := map[string]string{}
	for _, path := range forms {
		code, hdr, body := get(path, good, "")
		tag := hdr.Get("ETag")
		if code != http.StatusOK || body == "" {
			t.Fatalf("%s: %d %q", path, code, body)
		}
		if !strings.HasPrefix(tag, `"`) || !strings.HasSuffix(tag, `"`) || len(tag) < 3 {
			t.Fatalf("%s: ETag %q, want a strong one", path, tag)
		}
		for other, ot := range tags {
			if ot == tag {
				t.Errorf("%s and %s share the ETag %s", path, other, tag)
			}
		}
		tags[path] = tag

		// Same snapshot: 304, no body, the same ETag.
		code, hdr, body = get(path, good, tag)
		if code != http.StatusNotModified || body != "" || hdr.Get("ETag") != tag {
			t.Errorf("%s If-None-Match %s: %d, ETag %q, %d body bytes; want 304, the same ETag, none", path, tag, code, hdr.Get("ETag"), len(body))
		}
		if cc := hdr.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s 304: Cache-Control %q", path, cc)
		}
		// In a list, and weak: still a match (RFC 9110's weak comparison).
		if code, _, _ := get(path, good, `"other", W/`+tag); code != http.StatusNotModified {
			t.Errorf("%s If-None-Match in a list: %d, want 304", path, code)
		}
		// Unchanged, twice: the same bytes under the same ETag.
		_, h1, b1 := get(path, good, "")
		_, h2, b2 := get(path, good, "")
		if h1.Get("ETag") != tag || h2.Get("ETag") != tag || b1 != b2 {
			t.Errorf("%s: two answers of one snapshot differ: ETags %s, %s; same body %v", path, h1.Get("ETag"), h2.Get("ETag"), b1 == b2)
		}
		// A bad token gets 401, whatever If-None-Match says.
		code, hdr, body = get(path, bad, tag)
		if code != http.StatusUnauthorized || !strings.Contains(body, "unauthorized") || hdr.Get("ETag") != "" {
			t.Errorf("%s bad token with a valid If-None-Match: %d %q, ETag %q; want 401 without an ETag", path, code, body, hdr.Get("ETag"))
		}
	}

	// The clock enters the next trend bucket: the forms with trends change
	// (their series moved), the others do not.
	clk.Advance(time.Minute)
	for _, path := range forms {
		code, hdr, _ := get(path, good, tags[path])
		if trends := strings.Contains(path, "series=1"); trends != (code == http.StatusOK) {
			t.Errorf("%s a minute later: %d; want 200 with trends, 304 without", path, code)
		} else if trends {
			tags[path] = hdr.Get("ETag")
		}
	}

	// A new result: 200 and a new ETag for every form.
	if _, err := runner.Refresh(context.Background(), "alpha"); err != nil {
		t.Fatal(err)
	}
	for _, path := range forms {
		code, hdr, body := get(path, good, tags[path])
		if code != http.StatusOK || body == "" || hdr.Get("ETag") == "" || hdr.Get("ETag") == tags[path] {
			t.Errorf("%s after a new result: %d, ETag %q (was %q), %d body bytes; want 200 and a new ETag", path, code, hdr.Get("ETag"), tags[path], len(body))
		}
	}
}
