package httphealth_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/httphealth"
)

var statusAllowAll = httphealth.AuthenticatorFunc(func(*http.Request) error { return nil })

func statusRunner(t testing.TB, n int) *checks.Runner {
	t.Helper()
	r := checks.NewRunner()
	t.Cleanup(r.Close)
	for i := range n {
		if err := r.Register(checks.Check{
			Name: fmt.Sprintf("check-%03d", i),
			Func: checks.FromFunc(func(context.Context) error { return nil }),
		}); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// routeHandler is the handler of h's route named name.
func routeHandler(t testing.TB, h *httphealth.Handlers, name string) http.Handler {
	t.Helper()
	for _, rt := range h.Routes() {
		if rt.Name == name {
			return rt.Handler
		}
	}
	t.Fatalf("no route named %s", name)
	return nil
}

func statusServe(t *testing.T, h http.Handler, method, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec
}

func TestStatusPageRoute(t *testing.T) {
	tests := []struct {
		name      string
		opts      []httphealth.Option
		path      string
		wantRoute bool
		wantFlag  string // data-public-errors
	}{
		{"on with detailed", []httphealth.Option{httphealth.WithDetailed(statusAllowAll)}, "/healthcheck/status", true, `data-public-errors="0"`},
		{"off without detailed", nil, "/healthcheck/status", false, ""},
		{"switched off", []httphealth.Option{httphealth.WithDetailed(statusAllowAll), httphealth.WithoutStatusPage()}, "/healthcheck/status", false, ""},
		{"public errors shown", []httphealth.Option{httphealth.WithDetailed(statusAllowAll), httphealth.WithStatusPagePublicErrors(true)}, "/healthcheck/status", true, `data-public-errors="1"`},
		{"public errors hidden by the public route", []httphealth.Option{httphealth.WithDetailed(statusAllowAll), httphealth.WithStatusPagePublicErrors(true), httphealth.WithPublicErrors(false)}, "/healthcheck/status", true, `data-public-errors="0"`},
		{"custom prefix", []httphealth.Option{httphealth.WithDetailed(statusAllowAll), httphealth.WithPrefix("/ops/health/")}, "/ops/health/status", true, `data-public-errors="0"`},
		{"empty prefix", []httphealth.Option{httphealth.WithDetailed(statusAllowAll), httphealth.WithPrefix("")}, "/status", true, `data-public-errors="0"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := httphealth.New(statusRunner(t, 1), tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, rt := range h.Routes() {
				if rt.Path == tt.path {
					names = append(names, rt.Method+" "+rt.Name)
				}
			}
			mux := http.NewServeMux()
			if err := h.Mount(mux); err != nil {
				t.Fatal(err)
			}
			get := statusServe(t, mux, http.MethodGet, tt.path)
			if !tt.wantRoute {
				if len(names) != 0 || get.Code != http.StatusNotFound {
					t.Fatalf("routes %v, GET %d; want no status route", names, get.Code)
				}
				return
			}
			if want := []string{"GET healthcheck:status", "HEAD healthcheck:status:head"}; strings.Join(names, ",") != strings.Join(want, ",") {
				t.Fatalf("routes at %s: %v, want %v", tt.path, names, want)
			}
			if get.Code != http.StatusOK {
				t.Fatalf("GET %s: %d", tt.path, get.Code)
			}
			for k, v := range map[string]string{
				"Content-Type":            "text/html; charset=utf-8",
				"Cache-Control":           "no-store",
				"X-Content-Type-Options":  "nosniff",
				"Referrer-Policy":         "no-referrer",
				"X-Frame-Options":         "DENY",
				"Content-Security-Policy": httphealth.StatusPageCSP,
			} {
				if got := get.Header().Get(k); got != v {
					t.Errorf("%s: %q, want %q", k, got, v)
				}
			}
			body := get.Body.String()
			if !strings.HasPrefix(body, "<!doctype html>") || !strings.Contains(body, tt.wantFlag) {
				t.Fatalf("body does not start the document or lacks %s:\n%.300s", tt.wantFlag, body)
			}
			head := statusServe(t, mux, http.MethodHead, tt.path)
			if head.Code != http.StatusOK || head.Body.Len() != 0 || head.Header().Get("Content-Length") != fmt.Sprint(len(body)) {
				t.Fatalf("HEAD: %d, %d body bytes, Content-Length %q; want 200, none, %d",
					head.Code, head.Body.Len(), head.Header().Get("Content-Length"), len(body))
			}
		})
	}
}

// The CSP admits exactly the page's inline script and style, and the page
// loads nothing else.
func TestStatusPageCSP(t *testing.T) {
	csp := httphealth.StatusPageCSP
	for _, want := range []string{
		"default-src 'none'", "connect-src 'self'", "img-src 'self' data:", "base-uri 'none'",
		"form-action 'none'", "frame-ancestors 'none'", "require-trusted-types-for 'script'",
	} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP lacks %q: %s", want, csp)
		}
	}
	if strings.Contains(csp, "unsafe") || strings.Contains(csp, "*") || strings.Contains(csp, "http") {
		t.Errorf("CSP allows too much: %s", csp)
	}
	h, err := httphealth.New(statusRunner(t, 1), httphealth.WithDetailed(statusAllowAll))
	if err != nil {
		t.Fatal(err)
	}
	page := statusServe(t, routeHandler(t, h, "healthcheck:status"), http.MethodGet, "/healthcheck/status").Body.String()

	for _, tag := range []string{"script", "style"} {
		re := regexp.MustCompile(`(?s)<` + tag + `>(.*?)</` + tag + `>`)
		m := re.FindAllStringSubmatch(page, -1)
		if len(m) != 1 {
			t.Fatalf("%d <%s> elements, want 1", len(m), tag)
		}
		sum := sha256.Sum256([]byte(m[0][1]))
		src := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
		if !strings.Contains(csp, tag+"-src "+src) {
			t.Errorf("CSP %s does not allow the inline %s (%s)", csp, tag, src)
		}
	}
	// Nothing is loaded from anywhere: no src attribute, and the only href
	// is the empty data: icon (which keeps browsers from asking for
	// /favicon.ico).
	if regexp.MustCompile(`\ssrc=`).MatchString(page) {
		t.Error("the page has a src attribute")
	}
	for _, m := range regexp.MustCompile(`href="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		if m[1] != "data:," {
			t.Errorf("the page links %q", m[1])
		}
	}
	// The only absolute URL is the SVG namespace, which is a name, not a
	// request.
	for _, m := range regexp.MustCompile(`(?i)(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}[^\s'"]*`).FindAllString(page, -1) {
		if m != "http://www.w3.org/2000/svg" {
			t.Errorf("the page names the URL %q", m)
		}
	}
	// The token is never put in a URL: the script reads the detailed route
	// with a header.
	if !strings.Contains(page, `Authorization: 'Bearer ' + token`) || strings.Contains(page, "token=") {
		t.Error("the script does not send the token as a Bearer header only")
	}
}

// The page is the same bytes whatever the runner holds.
func TestStatusPageConstant(t *testing.T) {
	a, err := httphealth.New(statusRunner(t, 1), httphealth.WithDetailed(statusAllowAll))
	if err != nil {
		t.Fatal(err)
	}
	b, err := httphealth.New(statusRunner(t, 100), httphealth.WithDetailed(statusAllowAll), httphealth.WithVersion("1.2.3"))
	if err != nil {
		t.Fatal(err)
	}
	pa := statusServe(t, routeHandler(t, a, "healthcheck:status"), http.MethodGet, "/healthcheck/status").Body.String()
	pb := statusServe(t, routeHandler(t, b, "healthcheck:status"), http.MethodGet, "/healthcheck/status").Body.String()
	if pa != pb || strings.Contains(pb, "check-042") || strings.Contains(pb, "1.2.3") {
		t.Fatal("the page differs with the runner, or names a check or the version")
	}
}

// statusDiscard is a ResponseWriter that keeps nothing, so that the benchmarks
// measure the handlers.
type statusDiscard struct{ h http.Header }

func (d *statusDiscard) Header() http.Header         { return d.h }
func (d *statusDiscard) Write(b []byte) (int, error) { return len(b), nil }
func (d *statusDiscard) WriteHeader(int)             {}

// BenchmarkStatusPage serves the page of a runner with 100 checks, against
// a baseline handler that writes the same bytes with one header.
func BenchmarkStatusPage(b *testing.B) {
	runner := statusRunner(b, 100)
	runner.Run(context.Background())
	h, err := httphealth.New(runner, httphealth.WithDetailed(statusAllowAll))
	if err != nil {
		b.Fatal(err)
	}
	page := routeHandler(b, h, "healthcheck:status")
	rec := httptest.NewRecorder()
	page.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthcheck/status", nil))
	doc, _ := io.ReadAll(rec.Body)
	baseline := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(doc)
	})
	req := httptest.NewRequest(http.MethodGet, "/healthcheck/status", nil)
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{{"baseline", baseline}, {"page", page}} {
		b.Run(bc.name, func(b *testing.B) {
			w := &statusDiscard{h: make(http.Header, 8)}
			b.SetBytes(int64(len(doc)))
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				bc.h.ServeHTTP(w, req)
			}
		})
	}
}

// The status page comes with the detailed routes; its HTML is constant and
// its script reads the public and detailed routes of the same origin.
func ExampleWithoutStatusPage() {
	runner := checks.NewRunner()
	defer runner.Close()
	auth, err := httphealth.NewJWT(httphealth.JWTConfig{Secret: []byte("an-example-secret-of-32-bytes-at-least")})
	if err != nil {
		panic(err)
	}
	h, err := httphealth.New(runner, httphealth.WithDetailed(auth)) // add httphealth.WithoutStatusPage() to leave it out
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	if err := h.Mount(mux); err != nil {
		panic(err)
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthcheck/status", nil))
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"))
	fmt.Println(strings.HasPrefix(rec.Header().Get("Content-Security-Policy"), "default-src 'none'; script-src 'sha256-"))
	// Output:
	// 200 text/html; charset=utf-8
	// true
}
