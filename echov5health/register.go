package echov5health

import (
	"fmt"

	"github.com/labstack/echo/v5"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/httphealth"
)

// RouteName is the name of the GET {prefix}/ route, for
// e.Router().Routes().Reverse.
const RouteName = httphealth.RouteName

// Router is where Register adds its routes. Both *echo.Echo and
// *echo.Group satisfy it. Register only calls AddRoute, with no
// middleware.
type Router interface {
	AddRoute(route echo.Route) (echo.RouteInfo, error)
}

var (
	_ Router = (*echo.Echo)(nil)
	_ Router = (*echo.Group)(nil)
)

// Register adds the health routes of runner to r (an *echo.Echo or an
// *echo.Group), under WithPrefix (default "/healthcheck"); see the package
// doc for the routes and their names. It validates everything before
// adding any route and returns a *ConfigError wrapping ErrInvalidConfig on
// a nil router or runner, a bad prefix, level or failure status, or a nil
// Authenticator, and one wrapping ErrDuplicateRoute naming the path when
// r is an *echo.Echo that already has a route of the same method and path
// (echo.New allows overwriting routes, so Echo itself would replace it
// silently). On an *echo.Group, whose routes Echo v5 does not list, that
// check is not possible: register on the *echo.Echo with WithPrefix when
// it matters. It does not start the runner.
func Register(r Router, runner *checks.Runner, opts ...Option) error {
	if isNil(r) {
		return &ConfigError{Package: pkg, Field: "router", Err: ErrInvalidConfig, Detail: "nil"}
	}
	h, err := httphealth.New(runner, opts...)
	if err != nil {
		return httphealth.WithPackage(err, pkg)
	}
	routes := h.Routes()
	if e, ok := r.(*echo.Echo); ok {
		if err := checkDuplicates(e.Router().Routes(), routes); err != nil {
			return err
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
			return &ConfigError{Package: pkg, Field: "path", Err: ErrDuplicateRoute, Detail: fmt.Sprintf("%s %s: %v", rt.Method, path, err)}
		}
	}
	return nil
}

const pkg = "echov5health"

// echoPath is rt's path in Echo's syntax; Echo v5 registers "" as "/".
func echoPath(rt httphealth.Route) string {
	if p := rt.ColonPath(); p != "" {
		return p
	}
	return "/"
}

// checkDuplicates returns an ErrDuplicateRoute error for the first route
// of ours whose method and path the app already registered.
func checkDuplicates(existing echo.Routes, ours []httphealth.Route) error {
	taken := make(map[[2]string]bool, len(existing))
	for _, e := range existing {
		taken[[2]string{e.Method, e.Path}] = true
	}
	return httphealth.WithPackage(httphealth.FindConflict(ours, echoPath,
		func(method, path string) bool { return taken[[2]string{method, path}] }), pkg)
}

// handlerOf adapts rt's http.Handler to Echo v5.
func handlerOf(rt httphealth.Route) echo.HandlerFunc {
	if rt.Param == "" && !rt.Auth {
		hd := rt.Handler
		return func(c *echo.Context) error {
			hd.ServeHTTP(c.Response(), c.Request())
			return nil
		}
	}
	return func(c *echo.Context) error {
		rt.ServeRouted(c.Response(), c.Request(), c.Param(rt.Param), c)
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
