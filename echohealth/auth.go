package echohealth

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
)

// ErrUnauthorized is wrapped by the errors of (*JWT).Authenticate.
var ErrUnauthorized = errors.New("echohealth: unauthorized")

// Authenticator decides whether a request may read the detailed routes.
// A non-nil error answers 401 {"status":"error","error":"unauthorized"}
// with WWW-Authenticate: Bearer; the error's text is never sent. *JWT
// implements it.
type Authenticator interface {
	Authenticate(c echo.Context) error
}

// AuthenticatorFunc adapts a function to Authenticator.
type AuthenticatorFunc func(c echo.Context) error

// Authenticate calls f.
func (f AuthenticatorFunc) Authenticate(c echo.Context) error { return f(c) }

// writeUnauthorized sends the one 401 response of this package.
func writeUnauthorized(c echo.Context) error {
	c.Response().Header()["Www-Authenticate"] = hdrBearer
	return write(c, http.StatusUnauthorized, bodyUnauthorized)
}

// authenticate runs auth and reports whether the request may proceed; a
// nil Authenticator denies everything.
func authenticate(auth Authenticator, c echo.Context) bool {
	return auth != nil && auth.Authenticate(c) == nil
}
