package echohealth

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
)

// AuthenticatorFunc is an authenticator written against Echo's own
// request context; it is an httphealth.Authenticator, for
// httphealth.WithDetailed. Mount hands it the echo.Context of the
// request on the detailed routes; a request that did not come through
// Mount (an http.ServeMux, say) is denied. A non-nil error answers 401;
// its text is never sent. It does not implement httphealth.ScopeAuthorizer,
// so the maintenance route answers 403 to it: an app that drives
// maintenance over HTTP gives WithDetailed a type that implements both.
type AuthenticatorFunc func(c echo.Context) error

// Authenticate calls f with the echo.Context that Mount put in r's
// context.
func (f AuthenticatorFunc) Authenticate(r *http.Request) error {
	c, ok := r.Context().Value(contextKey{}).(echo.Context)
	if !ok {
		return errNotMounted
	}
	return f(c)
}

// contextKey holds the echo.Context in the request's context, on the
// authenticated routes only.
type contextKey struct{}

var errNotMounted = errors.New("echohealth: request not routed through echohealth.Mount")
