package echohealth

import (
	"context"

	"github.com/labstack/echo/v4"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/httphealth"
	"github.com/echofx/healthcheck/internal/httpx"
)

// Router is where Mount adds the routes: *echo.Echo and *echo.Group
// satisfy it. Mount only calls Add, with no middleware.
type Router interface {
	// Add is echo.Echo's Add (and echo.Group's).
	Add(method, path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
}

var (
	_ Router = (*echo.Echo)(nil)
	_ Router = (*echo.Group)(nil)
)

// Mount adds every route of h (h.Routes(): GET and HEAD, under the names
// listed there, e.g. httphealth.RouteName for e.Reverse) to r, in Echo's
// ":param" syntax. It adds no middleware: the detailed routes
// authenticate inside their handler, so unknown paths under the prefix
// keep Echo's 404. It returns a *checks.ConfigError (Package
// "echohealth") for a nil r or h, and one with Err
// httphealth.ErrDuplicateRoute naming the method and path when r is an
// *echo.Echo that already has a route of the same method and path; it
// checks everything before adding any route (Echo v4 would silently
// replace it; an *echo.Group does not list its routes, so there the check
// is not possible). Mounting twice on one Echo needs distinct prefixes.
func Mount(r Router, h *httphealth.Handlers) error {
	if isNil(r) {
		return &checks.ConfigError{Package: pkg, Setting: "router", Err: checks.ErrInvalidConfig, Reason: "nil"}
	}
	if h == nil {
		return &checks.ConfigError{Package: pkg, Setting: "handlers", Err: checks.ErrInvalidConfig, Reason: "nil"}
	}
	routes := h.Routes()
	if lister, ok := r.(interface{ Routes() []*echo.Route }); ok {
		taken := make(map[[2]string]bool)
		for _, e := range lister.Routes() {
			taken[[2]string{e.Method, e.Path}] = true
		}
		for _, rt := range routes {
			if taken[[2]string{rt.Method, rt.ColonPath()}] {
				return &checks.ConfigError{Package: pkg, Setting: "path", Err: httphealth.ErrDuplicateRoute, Reason: rt.Method + " " + rt.ColonPath()}
			}
		}
	}
	for _, rt := range routes {
		r.Add(rt.Method, rt.ColonPath(), handlerOf(rt)).Name = rt.Name
	}
	return nil
}

const pkg = "echohealth"

// handlerOf adapts rt's http.Handler to Echo v4. The public routes are
// the handler as it is (no allocation); a route with a parameter gets its
// value as the request's path value, and an authenticated route carries
// the echo.Context in the request's context for AuthenticatorFunc.
func handlerOf(rt httphealth.Route) echo.HandlerFunc {
	if rt.Param == "" && !rt.Auth {
		return echo.WrapHandler(rt.Handler)
	}
	return func(c echo.Context) error {
		req := c.Request()
		if rt.Param != "" {
			httpx.SetPathValue(req, rt.Param, c.Param(rt.Param))
		}
		if rt.Auth {
			req = req.WithContext(context.WithValue(req.Context(), contextKey{}, c))
		}
		rt.Handler.ServeHTTP(c.Response(), req)
		return nil
	}
}

// isNil reports whether v is nil or holds a nil pointer.
func isNil(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case *echo.Echo:
		return x == nil
	case *echo.Group:
		return x == nil
	}
	return false
}
