package echov5health_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/labstack/echo/v5"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/echov5health"
)

func ExampleRegister() {
	runner := checks.NewRunner()
	defer runner.Close()
	_ = runner.Register(checks.Check{
		Name: "database",
		Func: checks.FromFunc(func(ctx context.Context) error { return nil }), // e.g. pool.Ping
	})

	e := echo.New()
	if err := echov5health.Register(e, runner); err != nil {
		panic(err)
	}

	rec := httptest.NewRecorder()
	path, err := e.Router().Routes().Reverse(echov5health.RouteName)
	if err != nil {
		panic(err)
	}
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	fmt.Println(rec.Code, rec.Body.String())
	// Output: 200 {"status":"success","data":{"health":"ok"}}
}

func ExampleNewJWT() {
	runner := checks.NewRunner()
	defer runner.Close()

	auth, err := echov5health.NewJWT(echov5health.JWTConfig{
		Secret:   []byte("an-example-secret-of-32-bytes-at-least"),
		Issuer:   "https://auth.example",
		Audience: "healthcheck",
	})
	if err != nil {
		panic(err)
	}
	e := echo.New()
	if err := echov5health.Register(e, runner, echov5health.WithDetailed(auth), echov5health.WithVersion("1.0.0")); err != nil {
		panic(err)
	}

	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthcheck/detailed", nil))
	fmt.Println(rec.Code, rec.Header().Get("WWW-Authenticate"), rec.Body.String())
	// Output: 401 Bearer {"status":"error","error":"unauthorized"}
}
