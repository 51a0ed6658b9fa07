package echov5health_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/labstack/echo/v5"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/echov5health"
	"github.com/echofx/healthcheck/httphealth"
)

const unauthorizedJSON = `{"status":"error","error":"unauthorized"}`

func newHandlers(t *testing.T, opts ...httphealth.Option) *httphealth.Handlers {
	t.Helper()
	runner := checks.NewRunner()
	t.Cleanup(runner.Close)
	h, err := httphealth.New(runner, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func do(h http.Handler, method, target string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestMountErrors(t *testing.T) {
	h := newHandlers(t)
	for name, tc := range map[string]struct {
		r       echov5health.Router
		h       *httphealth.Handlers
		setting string
	}{
		"nil router":      {nil, h, "router"},
		"nil *echo.Echo":  {(*echo.Echo)(nil), h, "router"},
		"nil *echo.Group": {(*echo.Group)(nil), h, "router"},
		"nil handlers":    {echo.New(), nil, "handlers"},
	} {
		err := echov5health.Mount(tc.r, tc.h)
		var ce *checks.ConfigError
		if !errors.Is(err, checks.ErrInvalidConfig) || !errors.As(err, &ce) || ce.Package != "echov5health" || ce.Setting != tc.setting {
			t.Errorf("%s: err = %#v, want echov5health's *checks.ConfigError for %s", name, err, tc.setting)
		}
	}
}

// A route of the app at one of our paths is reported before anything is
// added.
func TestMountDuplicateRoute(t *testing.T) {
	e := echo.New()
	e.GET("/healthcheck/live", func(c *echo.Context) error { return c.String(200, "mine") })
	err := echov5health.Mount(e, newHandlers(t))
	var ce *checks.ConfigError
	if !errors.Is(err, httphealth.ErrDuplicateRoute) || !errors.As(err, &ce) || ce.Package != "echov5health" ||
		err.Error() != "echov5health: route already registered: path: GET /healthcheck/live" {
		t.Fatalf("err = %v, want echov5health's ErrDuplicateRoute naming GET /healthcheck/live", err)
	}
	if n := len(e.Router().Routes()); n != 1 {
		t.Fatalf("%d routes, want the app's one", n)
	}
}

// Every GET route has an explicit, named HEAD twin (Echo v5 answers HEAD
// on a GET route with 405), with the GET's headers and no body.
func TestMountHeadRoutes(t *testing.T) {
	auth := echov5health.AuthenticatorFunc(func(*echo.Context) error { return nil })
	e := echo.New()
	if err := echov5health.Mount(e, newHandlers(t, httphealth.WithDetailed(auth))); err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, rt := range e.Router().Routes() {
		names[rt.Method+" "+rt.Path] = rt.Name
	}
	for key, name := range names {
		if path, ok := strings.CutPrefix(key, "GET "); ok && !strings.HasPrefix(names["HEAD "+path], "healthcheck:") {
			t.Errorf("GET %s (%s) has no HEAD route", path, name)
		}
	}
	get := do(e, http.MethodGet, "/healthcheck/ready")
	head := do(e, http.MethodHead, "/healthcheck/ready")
	if head.Code != get.Code || head.Body.Len() != 0 || head.Header().Get("Content-Length") != strconv.Itoa(get.Body.Len()) {
		t.Fatalf("HEAD: %d %q %v; GET: %d %q", head.Code, head.Body, head.Header(), get.Code, get.Body)
	}
}

// An AuthenticatorFunc sees the *echo.Context of the detailed routes only,
// its error text is never sent, and it denies a request that did not come
// through Mount.
func TestAuthenticatorFunc(t *testing.T) {
	var seen []string
	auth := echov5health.AuthenticatorFunc(func(c *echo.Context) error {
		seen = append(seen, c.Request().URL.Path)
		if c.Request().Header.Get("X-Api-Key") != "k" {
			return errors.New("secret reason: key mismatch")
		}
		return nil
	})
	h := newHandlers(t, httphealth.WithDetailed(auth))
	e := echo.New()
	if err := echov5health.Mount(e, h); err != nil {
		t.Fatal(err)
	}
	if rec := do(e, http.MethodGet, "/healthcheck/detailed/x"); rec.Code != 401 || rec.Body.String() != unauthorizedJSON {
		t.Fatalf("denied: %d %s", rec.Code, rec.Body)
	}
	if rec := do(e, http.MethodGet, "/healthcheck/detailed", "X-Api-Key", "k"); rec.Code != 200 {
		t.Fatalf("allowed: %d %s", rec.Code, rec.Body)
	}
	do(e, http.MethodGet, "/healthcheck/")
	do(e, http.MethodGet, "/healthcheck/ready")
	if len(seen) != 2 || seen[0] != "/healthcheck/detailed/x" {
		t.Fatalf("authenticator saw %v", seen)
	}
	mux := http.NewServeMux()
	if err := h.Mount(mux); err != nil {
		t.Fatal(err)
	}
	if rec := do(mux, http.MethodGet, "/healthcheck/detailed", "X-Api-Key", "k"); rec.Code != 401 || len(seen) != 2 {
		t.Fatalf("outside Echo: %d, authenticator saw %v", rec.Code, seen)
	}
}

// Mounting on a group leaves the group's other routes alone.
func TestMountOnGroup(t *testing.T) {
	e := echo.New()
	g := e.Group("/api")
	g.GET("/users", func(c *echo.Context) error { return c.String(200, "users") })
	if err := echov5health.Mount(g, newHandlers(t)); err != nil {
		t.Fatal(err)
	}
	if rec := do(e, http.MethodGet, "/api/users"); rec.Code != 200 || rec.Body.String() != "users" {
		t.Fatalf("/api/users: %d %s", rec.Code, rec.Body)
	}
	if path, err := e.Router().Routes().Reverse(httphealth.RouteName); err != nil || path != "/api/healthcheck/" {
		t.Fatalf("Reverse = %q, %v", path, err)
	}
	if rec := do(e, http.MethodGet, "/api/healthcheck/"); rec.Code != 200 {
		t.Fatalf("/api/healthcheck/: %d", rec.Code)
	}
}
