package echohealth

import (
	"github.com/labstack/echo/v4"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/httphealth"
)

// RouteName is the name of the GET {prefix}/ route, for e.Reverse.
const RouteName = httphealth.RouteName

// Register adds the health routes of runner to r (an *echo.Echo or an
// *echo.Group), under WithPrefix (default "/healthcheck"):
//
//	GET, HEAD {prefix}/ and {prefix}   public status    names healthcheck:get, healthcheck:head,
//	                                                    healthcheck:get:noslash, healthcheck:head:noslash
//	GET, HEAD {prefix}/live            liveness         healthcheck:live, healthcheck:live:head
//	GET, HEAD {prefix}/ready           readiness        healthcheck:ready, healthcheck:ready:head
//	GET, HEAD {prefix}/startup         startup gate     healthcheck:startup, healthcheck:startup:head
//	GET, HEAD {prefix}/group/:group    with WithGroups  healthcheck:group, healthcheck:group:head
//	GET, HEAD {prefix}/detailed        with WithDetailed  healthcheck:detailed, healthcheck:detailed:head
//	GET, HEAD {prefix}/detailed/:check with WithDetailed  healthcheck:detailed:check, healthcheck:detailed:check:head
//
// The handlers are those of package httphealth (httphealth.Routes lists
// them); Register only adds them. It adds no middleware to r: the detailed
// routes authenticate inside their handler, so unknown paths under the
// prefix keep Echo's 404. Register validates everything before adding any
// route and returns a *ConfigError wrapping ErrInvalidConfig on a nil
// router or runner, a bad prefix, level or failure status, or a nil
// Authenticator, and one wrapping ErrDuplicateRoute naming the path when
// r is an *echo.Echo that already has a route of the same method and path
// (Echo v4 would silently replace it; on an *echo.Group, whose routes
// Echo v4 does not list, that check is not possible). It does not start
// the runner. Registering twice on one Echo needs distinct prefixes, and
// e.Reverse then finds either route named healthcheck:get.
func Register(r Router, runner *checks.Runner, opts ...Option) error {
	if isNil(r) {
		return &ConfigError{Field: "router", Err: ErrInvalidConfig, Detail: "nil"}
	}
	h, err := httphealth.New(runner, opts...)
	if err != nil {
		return fromCore(err)
	}
	routes := h.Routes()
	if lister, ok := r.(interface{ Routes() []*echo.Route }); ok {
		if err := checkDuplicates(lister.Routes(), routes); err != nil {
			return err
		}
	}
	for _, rt := range routes {
		r.Add(rt.Method, rt.ColonPath(), handlerOf(rt)).Name = rt.Name
	}
	return nil
}

const pkg = "echohealth"

// checkDuplicates returns an ErrDuplicateRoute error for the first route
// of ours whose method and path the app already registered.
func checkDuplicates(existing []*echo.Route, ours []httphealth.Route) error {
	taken := make(map[[2]string]bool, len(existing))
	for _, e := range existing {
		taken[[2]string{e.Method, e.Path}] = true
	}
	return fromCore(httphealth.FindConflict(ours, httphealth.Route.ColonPath,
		func(method, path string) bool { return taken[[2]string{method, path}] }))
}

// handlerOf adapts rt's http.Handler to Echo v4.
func handlerOf(rt httphealth.Route) echo.HandlerFunc {
	if rt.Param == "" && !rt.Auth {
		return echo.WrapHandler(rt.Handler)
	}
	return func(c echo.Context) error {
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
