package echohealth_test

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/echohealth"
	"github.com/echofx/healthcheck/httphealth"
)

func TestMountErrors(t *testing.T) {
	h, err := httphealth.New(newRunner(t))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		router  func(*echo.Echo) echohealth.Router
		h       *httphealth.Handlers
		setting string
	}{
		{"nil router", func(*echo.Echo) echohealth.Router { return nil }, h, "router"},
		{"nil *echo.Echo", func(*echo.Echo) echohealth.Router { return (*echo.Echo)(nil) }, h, "router"},
		{"nil *echo.Group", func(*echo.Echo) echohealth.Router { return (*echo.Group)(nil) }, h, "router"},
		{"nil handlers", nil, nil, "handlers"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := echo.New()
			var r echohealth.Router = e
			if tc.router != nil {
				r = tc.router(e)
			}
			err := echohealth.Mount(r, tc.h)
			var ce *checks.ConfigError
			if !errors.Is(err, checks.ErrInvalidConfig) || !errors.As(err, &ce) || ce.Package != "echohealth" || ce.Setting != tc.setting {
				t.Fatalf("err = %#v, want echohealth's *checks.ConfigError for %s", err, tc.setting)
			}
			if n := len(e.Routes()); n != 0 {
				t.Fatalf("%d routes added despite the error", n)
			}
		})
	}
}

// A route of the app at one of our paths is reported, and nothing of ours
// is added (Echo v4 would silently replace it).
func TestMountDuplicateRoute(t *testing.T) {
	e := echo.New()
	e.GET("/healthcheck/live", func(c echo.Context) error { return c.String(200, "mine") })
	h, err := httphealth.New(newRunner(t))
	if err != nil {
		t.Fatal(err)
	}
	err = echohealth.Mount(e, h)
	var ce *checks.ConfigError
	if !errors.Is(err, httphealth.ErrDuplicateRoute) || !errors.As(err, &ce) || ce.Package != "echohealth" ||
		err.Error() != "echohealth: route already registered: path: GET /healthcheck/live" {
		t.Fatalf("err = %v, want echohealth's ErrDuplicateRoute naming GET /healthcheck/live", err)
	}
	if n := len(e.Routes()); n != 1 {
		t.Fatalf("%d routes, want the app's one", n)
	}
	if rec := do(e, http.MethodGet, "/healthcheck/live"); rec.Body.String() != "mine" {
		t.Fatalf("the app's route was replaced: %s", rec.Body)
	}
}

// Every GET route has an explicit HEAD twin (Echo v4's GET routes do not
// answer HEAD), named after it, answering with the GET's headers and no
// body.
func TestMountHeadRoutes(t *testing.T) {
	e := newEcho(t, newRunner(t), httphealth.WithDetailed(tokenAuth))
	names := map[string]string{}
	for _, rt := range e.Routes() {
		names[rt.Method+" "+rt.Path] = rt.Name
	}
	for key, name := range names {
		path, ok := strings.CutPrefix(key, "GET ")
		if !ok {
			continue
		}
		if head := names["HEAD "+path]; head == "" || !strings.HasPrefix(head, "healthcheck:") {
			t.Errorf("GET %s (%s) has no HEAD route", path, name)
		}
	}
	get := do(e, http.MethodGet, "/healthcheck/ready")
	head := do(e, http.MethodHead, "/healthcheck/ready")
	if head.Code != get.Code || head.Body.Len() != 0 || head.Header().Get("Content-Length") != strconv.Itoa(get.Body.Len()) {
		t.Fatalf("HEAD: %d %q %v; GET: %d %v", head.Code, head.Body, head.Header(), get.Code, get.Header())
	}
	if rec := do(e, http.MethodHead, "/healthcheck/detailed/x", "Authorization", "Bearer good"); rec.Code != http.StatusNotFound || rec.Body.Len() != 0 {
		t.Fatalf("HEAD detailed/x: %d %q", rec.Code, rec.Body)
	}
}

// Mount adds no middleware: unknown paths under the prefix keep Echo's
// own 404, even with the protected detailed routes, and the detailed
// routes do not exist without WithDetailed.
func TestUnknownPathsAreEchos404(t *testing.T) {
	auth := echohealth.AuthenticatorFunc(func(echo.Context) error { return errors.New("denied") })
	for _, opts := range [][]httphealth.Option{nil, {httphealth.WithDetailed(auth)}} {
		e := newEcho(t, newRunner(t), opts...)
		paths := []string{"/healthcheck/nope", "/healthcheck/live/x", "/healthcheck//", "/healthcheckx", "/other"}
		if len(opts) == 0 {
			paths = append(paths, "/healthcheck/detailed", "/healthcheck/detailed/database")
		}
		for _, p := range paths {
			rec := do(e, http.MethodGet, p)
			if rec.Code != http.StatusNotFound || rec.Body.String() != "{\"message\":\"Not Found\"}\n" {
				t.Errorf("GET %s: %d %q, want Echo's 404", p, rec.Code, rec.Body)
			}
		}
		// Methods Mount did not add are Echo's 405.
		if rec := do(e, http.MethodPost, "/healthcheck/"); rec.Code != http.StatusMethodNotAllowed {
			t.Errorf("POST: %d", rec.Code)
		}
	}
}
