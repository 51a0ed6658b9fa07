package echohealth_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/labstack/echo/v4"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/echohealth"
	"github.com/echofx/healthcheck/httphealth"
)

func ExampleMount() {
	runner := checks.NewRunner()
	defer runner.Close()
	_ = runner.Register(checks.Check{
		Name: "database",
		Func: checks.FromFunc(func(ctx context.Context) error { return nil }), // e.g. pool.Ping
	})

	h, err := httphealth.New(runner)
	if err != nil {
		panic(err)
	}
	e := echo.New()
	if err := echohealth.Mount(e, h); err != nil {
		panic(err)
	}

	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, e.Reverse(httphealth.RouteName), nil))
	fmt.Println(rec.Code, rec.Body.String())
	// Output: 200 {"status":"success","data":{"health":"ok"}}
}

// The detailed routes behind an authenticator of the echo.Context; a JWT
// (httphealth.NewJWT) goes to httphealth.WithDetailed the same way.
func ExampleAuthenticatorFunc() {
	runner := checks.NewRunner()
	defer runner.Close()

	auth := echohealth.AuthenticatorFunc(func(c echo.Context) error {
		if c.Request().Header.Get("X-Api-Key") != "k" {
			return errors.New("no key")
		}
		return nil
	})
	h, err := httphealth.New(runner, httphealth.WithDetailed(auth), httphealth.WithVersion("1.0.0"))
	if err != nil {
		panic(err)
	}
	e := echo.New()
	if err := echohealth.Mount(e, h); err != nil {
		panic(err)
	}

	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthcheck/detailed", nil))
	fmt.Println(rec.Code, rec.Header().Get("WWW-Authenticate"), rec.Body.String())
	// Output: 401 Bearer {"status":"error","error":"unauthorized"}
}
