package httphealth

import (
	"errors"
	"net/http"
)

// ErrUnauthorized is wrapped by the errors of (*JWT).Authenticate.
var ErrUnauthorized = errors.New("unauthorized")

// Authenticator decides whether a request may read the detailed routes.
// A non-nil error answers 401 {"status":"error","error":"unauthorized"}
// with WWW-Authenticate: Bearer; the error's text is never sent. *JWT
// implements it.
type Authenticator interface {
	Authenticate(r *http.Request) error
}

// AuthenticatorFunc adapts a function to Authenticator.
type AuthenticatorFunc func(r *http.Request) error

// Authenticate calls f.
func (f AuthenticatorFunc) Authenticate(r *http.Request) error { return f(r) }

// Unauthorized is the one 401 response of this package and its adapters:
// {"status":"error","error":"unauthorized"} with WWW-Authenticate: Bearer
// and the headers of every health response; HEAD gets no body.
var Unauthorized http.Handler = http.HandlerFunc(writeUnauthorized)

func writeUnauthorized(w http.ResponseWriter, r *http.Request) {
	w.Header()["Www-Authenticate"] = hdrBearer
	write(w, r, http.StatusUnauthorized, bodyUnauthorized)
}

// authenticate runs auth and reports whether the request may proceed; a
// nil Authenticator denies everything.
func authenticate(auth Authenticator, r *http.Request) bool {
	return auth != nil && auth.Authenticate(r) == nil
}

// RouterAuthenticator adapts an authenticator written against a router's
// own request context C (echo.Context in Echo v4, *echo.Context in v5) to
// Authenticator: it calls a with the value that Route.ServeRouted passed
// along, and denies a request that carries none. A nil a (or one holding
// a nil pointer or func) returns nil, which New refuses.
func RouterAuthenticator[C any](a interface{ Authenticate(C) error }) Authenticator {
	if isNil(a) {
		return nil
	}
	return AuthenticatorFunc(func(r *http.Request) error {
		c, ok := RouterContext(r).(C)
		if !ok {
			return errNoRouterContext
		}
		return a.Authenticate(c)
	})
}

var errNoRouterContext = errors.New("request not routed through Route.ServeRouted")
