package adaptertest_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	echo4 "github.com/labstack/echo/v4"
	echo5 "github.com/labstack/echo/v5"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/echohealth"
	"github.com/echofx/healthcheck/echov5health"
	"github.com/echofx/healthcheck/httphealth"
)

// TestRouteSwitches checks WithoutLive, WithoutReady, WithMetrics and
// WithPrefix on every adapter.
func TestRouteSwitches(t *testing.T) {
	metrics := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("up 1\n")) })
	forEach(t, func(t *testing.T, a adapter) {
		runner := newRunner(t, checks.Check{Name: "db", Func: fixed(checks.StatusHealthy, "")})
		m := a.mount(t, runner, nil, httphealth.WithoutLive(), httphealth.WithoutReady(),
			httphealth.WithMetrics("/metrics", metrics), httphealth.WithPrefix("/ops/health"))
		for path, want := range map[string]int{
			"/ops/health/": 200, "/ops/health": 200, "/ops/health/live": 404, "/ops/health/ready": 404,
			"/metrics": 200, "/healthcheck/": 404,
		} {
			if rec := do(m.handler, http.MethodGet, a.base+path); rec.Code != want {
				t.Errorf("GET %s = %d, want %d", path, rec.Code, want)
			}
		}
		if rec := do(m.handler, http.MethodGet, a.base+"/metrics"); rec.Body.String() != "up 1\n" {
			t.Errorf("/metrics body %q", rec.Body)
		}
	})
}

// TestDuplicatePath checks that a path the app already registered is an
// error naming it, and is not replaced. (On an *echo.Group neither Echo
// lists the routes, and both replace silently by default: the adapters
// document that the check needs the *echo.Echo.)
func TestDuplicatePath(t *testing.T) {
	runner := newRunner(t, checks.Check{Name: "db", Func: fixed(checks.StatusHealthy, "")})
	mine := func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("mine")) }
	cases := []struct {
		name  string
		setup func() (register func() error, serve http.Handler)
	}{
		{"ServeMux", func() (func() error, http.Handler) {
			mux := http.NewServeMux()
			mux.HandleFunc("GET /healthcheck/live", mine)
			h, err := httphealth.New(runner)
			must(t, err)
			return func() error { return h.Mount(mux) }, mux
		}},
		{"Echo v4", func() (func() error, http.Handler) {
			e := echo4.New()
			e.GET("/healthcheck/live", echo4.WrapHandler(http.HandlerFunc(mine)))
			h, err := httphealth.New(runner)
			must(t, err)
			return func() error { return echohealth.Mount(e, h) }, e
		}},
		{"Echo v5", func() (func() error, http.Handler) {
			e := echo5.New()
			e.GET("/healthcheck/live", echo5.WrapHandler(http.HandlerFunc(mine)))
			h, err := httphealth.New(runner)
			must(t, err)
			return func() error { return echov5health.Mount(e, h) }, e
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			register, serve := tc.setup()
			err := register()
			if !errors.Is(err, httphealth.ErrDuplicateRoute) || !strings.Contains(err.Error(), "/healthcheck/live") {
				t.Fatalf("err = %v, want ErrDuplicateRoute naming /healthcheck/live", err)
			}
			if rec := do(serve, http.MethodGet, "/healthcheck/live"); rec.Body.String() != "mine" {
				t.Fatalf("the app's route was replaced: %s", rec.Body)
			}
		})
	}
}
