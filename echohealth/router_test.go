package echohealth_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/echofx/healthcheck/echohealth"
	"github.com/echofx/healthcheck/httphealth"
)

func TestReverse(t *testing.T) {
	e := newEcho(t, newRunner(t))
	if got := e.Reverse(httphealth.RouteName); got != "/healthcheck/" {
		t.Fatalf("Reverse(%q) = %q", httphealth.RouteName, got)
	}
	if httphealth.RouteName != "healthcheck:get" {
		t.Fatalf("RouteName = %q", httphealth.RouteName)
	}

	e = echo.New()
	g := e.Group("/api")
	if err := register(g, newRunner(t)); err != nil {
		t.Fatal(err)
	}
	if got := e.Reverse("healthcheck:get"); got != "/api/healthcheck/" {
		t.Fatalf("group Reverse = %q", got)
	}
	if rec := do(e, http.MethodGet, e.Reverse("healthcheck:get")); rec.Code != 200 || rec.Body.String() != okJSON {
		t.Fatalf("GET reversed path: %d %s", rec.Code, rec.Body)
	}
}

// Registering on a group leaves the group's other routes alone.
func TestRegisterOnGroupAddsNoMiddleware(t *testing.T) {
	e := echo.New()
	g := e.Group("/api")
	g.GET("/users", func(c echo.Context) error { return c.String(200, "users") })
	auth := echohealth.AuthenticatorFunc(func(echo.Context) error { return errors.New("denied") })
	if err := register(g, newRunner(t), httphealth.WithDetailed(auth)); err != nil {
		t.Fatal(err)
	}
	if rec := do(e, http.MethodGet, "/api/users"); rec.Code != 200 || rec.Body.String() != "users" {
		t.Fatalf("/api/users: %d %s", rec.Code, rec.Body)
	}
	if rec := do(e, http.MethodGet, "/api/healthcheck/"); rec.Code != 200 {
		t.Fatalf("/api/healthcheck/: %d", rec.Code)
	}
	if rec := do(e, http.MethodGet, "/api/healthcheck/detailed"); rec.Code != 401 {
		t.Fatalf("/api/healthcheck/detailed: %d", rec.Code)
	}
	if rec := do(e, http.MethodGet, "/api/nope"); rec.Code != 404 {
		t.Fatalf("/api/nope: %d", rec.Code)
	}
}
