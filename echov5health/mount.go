package echov5health

import (
	"context"
	"fmt"

	"github.com/labstack/echo/v5"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/httphealth"
	"github.com/echofx/healthcheck/internal/httpx"
)

// Router is where Mount adds the routes: *echo.Echo and *echo.Group
// satisfy it. Mount only calls AddRoute, with no middleware.
type Router interface {
	// AddRoute is echo.Echo's AddRoute (and echo.Group's).
	AddRoute(route echo.Route) (echo.RouteInfo, error)
}

var (
	_ Router = (*echo.Echo)(nil)
	_ Router = (*echo.Group)(nil)
)

// Mount adds every route of h (h.Routes(): GET and HEAD, under the names
// listed there, e.g. httphealth.RouteName for
// e.Router().Routes().Reverse) to r, in Echo's ":param" syntax. It adds
// no middleware: the detailed routes authenticate inside their handler.
// It returns a *checks.ConfigError (Package "echov5health") for a nil r
// or h, and one with Err httphealth.ErrDuplicateRoute naming the method
// and path when r is an *echo.Echo that already has a route of the same
// method and path (checked before adding any route), or when Echo refuses
// a route (an *echo.Group, whose routes are checked as they are added: the
// routes before it stay). Mounting twice on one Echo needs distinct
// prefixes.
func Mount(r Router, h *httphealth.Handlers) error {
	if isNil(r) {
		return &checks.ConfigError{Package: pkg, Setting: "router", Err: checks.ErrInvalidConfig, Reason: "nil"}
	}
	if h == nil {
		return &checks.ConfigError{Package: pkg, Setting: "handlers", Err: checks.ErrInvalidConfig, Reason: "nil"}
	}
	routes := h.Routes()
	if e, ok := r.(*echo.Echo); ok {
		taken := make(map[[2]string]bool)
		for _, rt := range e.Router().Routes() {
			taken[[2]string{rt.Method, rt.Path}] = true
		}
		for _, rt := range routes {
			if p := echoPath(rt); taken[[2]string{rt.Method, p}] {
				return &checks.ConfigError{Package: pkg, Setting: "path", Err: httphealth.ErrDuplicateRoute, Reason: rt.Method + " " + p}
			}
		}
	}
	added := make(map[[2]string]bool, len(routes))
	for _, rt := range routes {
		path := echoPath(rt)
		if added[[2]string{rt.Method, path}] { // empty prefix: "" and "/" are one path
			continue
		}
		added[[2]string{rt.Method, path}] = true
		if _, err := r.AddRoute(echo.Route{Method: rt.Method, Path: path, Name: rt.Name, Handler: handlerOf(rt)}); err != nil {
			return &checks.ConfigError{Package: pkg, Setting: "path", Err: httphealth.ErrDuplicateRoute, Reason: fmt.Sprintf("%s %s: %v", rt.Method, path, err)}
		}
	}
	return nil
}

const pkg = "echov5health"

// echoPath is rt's path for Echo v5, "/" for the empty one.
func echoPath(rt httphealth.Route) string {
	if p := rt.ColonPath(); p != "" {
		return p
	}
	return "/"
}

// handlerOf adapts rt's http.Handler to Echo v5. The public routes call
// the handler as it is (no allocation); a route with a parameter gets its
// value as the request's path value, and an authenticated route carries
// the *echo.Context in the request's context for AuthenticatorFunc.
func handlerOf(rt httphealth.Route) echo.HandlerFunc {
	hd := rt.Handler
	if rt.Param == "" && !rt.Auth {
		return func(c *echo.Context) error {
			hd.ServeHTTP(c.Response(), c.Request())
			return nil
		}
	}
	return func(c *echo.Context) error {
		req := c.Request()
		if rt.Param != "" {
			httpx.SetPathValue(req, rt.Param, c.Param(rt.Param))
		}
		if rt.Auth {
			req = req.WithContext(context.WithValue(req.Context(), contextKey{}, c))
		}
		hd.ServeHTTP(c.Response(), req)
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
