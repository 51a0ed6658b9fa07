package echohealth

import (
	"github.com/labstack/echo/v4"

	"github.com/echofx/healthcheck/httphealth"
)

// ErrUnauthorized is wrapped by the errors of (*JWT).Authenticate.
var ErrUnauthorized = httphealth.ErrUnauthorized

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

// coreAuth turns an Authenticator into httphealth's: a *JWT verifies the
// request itself; any other gets the echo.Context of the request. Nil
// stays nil, so Register refuses it.
func coreAuth(a Authenticator) httphealth.Authenticator {
	if j, ok := a.(*JWT); ok {
		if j == nil || j.core == nil {
			return nil
		}
		return j.core
	}
	return httphealth.RouterAuthenticator[echo.Context](a)
}
