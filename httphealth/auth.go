package httphealth

import (
	"errors"
	"net/http"
)

// ErrUnauthorized is wrapped by the errors of (*JWT).Authenticate; an
// app's own Authenticator may return it too (README). Only its being
// non-nil matters to the routes: they answer 401 whatever the error.
var ErrUnauthorized = errors.New("unauthorized")

// Authenticator decides whether a request may read the detailed routes.
// A non-nil error answers 401 {"status":"error","error":"unauthorized"}
// with WWW-Authenticate: Bearer; the error's text is never sent. *JWT
// implements it.
type Authenticator interface {
	// Authenticate returns nil when r may read the detailed routes.
	Authenticate(r *http.Request) error
}

// AuthenticatorFunc adapts a function to Authenticator.
type AuthenticatorFunc func(r *http.Request) error

// Authenticate calls f.
func (f AuthenticatorFunc) Authenticate(r *http.Request) error { return f(r) }

// Unauthorized is the one 401 response of this package (the detailed
// routes and JWT.Middleware answer it):
// {"status":"error","error":"unauthorized"} with WWW-Authenticate: Bearer
// and the headers of every health response; HEAD gets no body. It is
// exported for a route of the app's own, or a test fixture, that must
// refuse as the detailed route does.
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
