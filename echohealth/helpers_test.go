package echohealth_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/echohealth"
	"github.com/echofx/healthcheck/httphealth"
)

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

// newEcho mounts the routes of runner with opts on a new Echo.
func newEcho(t testing.TB, runner *checks.Runner, opts ...httphealth.Option) *echo.Echo {
	t.Helper()
	e := echo.New()
	if err := register(e, runner, opts...); err != nil {
		t.Fatal(err)
	}
	return e
}

// do serves one request through e.
func do(e http.Handler, method, target string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

// register builds the routes of runner with opts and mounts them on r.
func register(r echohealth.Router, runner *checks.Runner, opts ...httphealth.Option) error {
	h, err := httphealth.New(runner, opts...)
	if err != nil {
		return err
	}
	return echohealth.Mount(r, h)
}

const (
	okJSON           = `{"status":"success","data":{"health":"ok"}}`
	unauthorizedJSON = `{"status":"error","error":"unauthorized"}`
)

// tokenAuth accepts "Authorization: Bearer good", reading the echo.Context.
var tokenAuth = echohealth.AuthenticatorFunc(func(c echo.Context) error {
	if c.Request().Header.Get("Authorization") != "Bearer good" {
		return errors.New("bad token")
	}
	return nil
})
