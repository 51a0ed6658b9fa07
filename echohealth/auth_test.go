package echohealth_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/echofx/healthcheck/echohealth"
	"github.com/echofx/healthcheck/httphealth"
)

// A custom Authenticator sees the request; its error text is never sent.
func TestAuthenticatorFunc(t *testing.T) {
	var seen []string
	auth := echohealth.AuthenticatorFunc(func(c echo.Context) error {
		seen = append(seen, c.Request().URL.Path)
		if c.Request().Header.Get("X-Api-Key") != "k" {
			return errors.New("secret reason: key mismatch")
		}
		return nil
	})
	e := newEcho(t, newRunner(t), httphealth.WithDetailed(auth))
	rec := do(e, http.MethodGet, "/healthcheck/detailed/x")
	if rec.Code != 401 || rec.Body.String() != unauthorizedJSON || strings.Contains(rec.Body.String(), "secret") {
		t.Fatalf("denied: %d %s", rec.Code, rec.Body)
	}
	if rec := do(e, http.MethodGet, "/healthcheck/detailed", "X-Api-Key", "k"); rec.Code != 200 {
		t.Fatalf("allowed: %d %s", rec.Code, rec.Body)
	}
	if len(seen) != 2 || seen[0] != "/healthcheck/detailed/x" {
		t.Fatalf("authenticator saw %v", seen)
	}
	// Public routes never consult the authenticator.
	do(e, http.MethodGet, "/healthcheck/")
	do(e, http.MethodGet, "/healthcheck/ready")
	do(e, http.MethodGet, "/healthcheck/live")
	if len(seen) != 2 {
		t.Fatalf("public routes called the authenticator: %v", seen)
	}
}

// Outside Echo (no echo.Context in the request's context) an
// AuthenticatorFunc denies without being called.
func TestAuthenticatorFuncOutsideEcho(t *testing.T) {
	called := false
	auth := echohealth.AuthenticatorFunc(func(echo.Context) error { called = true; return nil })
	h, err := httphealth.New(newRunner(t), httphealth.WithDetailed(auth))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	if err := h.Mount(mux); err != nil {
		t.Fatal(err)
	}
	if rec := do(mux, http.MethodGet, "/healthcheck/detailed"); rec.Code != http.StatusUnauthorized || called {
		t.Fatalf("outside Echo: %d, called %v", rec.Code, called)
	}
}
