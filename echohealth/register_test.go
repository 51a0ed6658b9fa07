package echohealth_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/echohealth"
	"github.com/echofx/healthcheck/httphealth"
)

func TestRegisterErrors(t *testing.T) {
	runner := newRunner(t)
	cases := []struct {
		name   string
		router func(*echo.Echo) echohealth.Router
		runner *checks.Runner
		opts   []httphealth.Option
	}{
		{"nil router", func(*echo.Echo) echohealth.Router { return nil }, runner, nil},
		{"nil *echo.Echo", func(*echo.Echo) echohealth.Router { return (*echo.Echo)(nil) }, runner, nil},
		{"nil runner", nil, nil, nil},
		{"prefix without slash", nil, runner, []httphealth.Option{httphealth.WithPrefix("healthcheck")}},
		{"prefix with param", nil, runner, []httphealth.Option{httphealth.WithPrefix("/:id/health")}},
		{"prefix with wildcard", nil, runner, []httphealth.Option{httphealth.WithPrefix("/h*")}},
		{"failure status 418", nil, runner, []httphealth.Option{httphealth.WithFailureStatus(418)}},
		{"failure status 200", nil, runner, []httphealth.Option{httphealth.WithFailureStatus(200)}},
		{"unknown level", nil, runner, []httphealth.Option{httphealth.WithLevel(checks.Level(7))}},
		{"nil authenticator", nil, runner, []httphealth.Option{httphealth.WithDetailed(nil)}},
		{"nil *JWT", nil, runner, []httphealth.Option{httphealth.WithDetailed((*httphealth.JWT)(nil))}},
		{"nil AuthenticatorFunc", nil, runner, []httphealth.Option{httphealth.WithDetailed(echohealth.AuthenticatorFunc(nil))}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := echo.New()
			var r echohealth.Router = e
			if tc.router != nil {
				r = tc.router(e)
			}
			err := register(r, tc.runner, tc.opts...)
			if !errors.Is(err, checks.ErrInvalidConfig) {
				t.Fatalf("err = %v, want ErrInvalidConfig", err)
			}
			var ce *checks.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("err %T is not a *ConfigError", err)
			}
			if n := len(e.Routes()); n != 0 {
				t.Fatalf("%d routes added despite the error", n)
			}
		})
	}
}

// A nil *JWT (e.g. NewJWT's result after an ignored error) never serves
// the detailed route unprotected.
func TestRegisterIgnoredJWTError(t *testing.T) {
	auth, err := httphealth.NewJWT(httphealth.JWTConfig{})
	if err == nil {
		t.Fatal("NewJWT without key succeeded")
	}
	e := echo.New()
	if err := register(e, newRunner(t), httphealth.WithDetailed(auth)); err == nil {
		t.Fatal("Register accepted a nil *JWT")
	}
	if rec := do(e, http.MethodGet, "/healthcheck/detailed"); rec.Code != http.StatusNotFound {
		t.Fatalf("detailed route answered %d", rec.Code)
	}
	// Even used directly, a nil *JWT denies.
	if rec := do(protected(echo.WrapMiddleware(auth.Middleware)), http.MethodGet, "/"); rec.Code != http.StatusUnauthorized {
		t.Fatalf("nil *JWT middleware answered %d", rec.Code)
	}
}

func protected(mw echo.MiddlewareFunc) *echo.Echo {
	e := echo.New()
	e.GET("/", func(c echo.Context) error { return c.String(200, "secret") }, mw)
	return e
}

// Register adds no middleware: unknown paths under the prefix keep Echo's
// own 404, even with the JWT-protected detailed routes, and the detailed
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
		// Methods Register did not add are Echo's 405.
		if rec := do(e, http.MethodPost, "/healthcheck/"); rec.Code != http.StatusMethodNotAllowed {
			t.Errorf("POST: %d", rec.Code)
		}
	}
}
