// Package echov5health serves a checks.Runner over Echo v5
// (github.com/labstack/echo/v5), with the surface of echohealth, its Echo
// v4 sibling: Register, the same options, the same route names.
//
// Register adds the health routes to an *echo.Echo or an *echo.Group with
// AddRoute (Echo v5's Add returns a RouteInfo value, so naming it after the
// fact names nothing) and returns Echo's error instead of panicking. It
// never adds middleware, and it adds an explicit HEAD route beside each GET
// one, since Echo v5 answers HEAD on a GET route with 405 unless
// RouterConfig.AutoHandleHEAD is set. The handlers are those of package
// httphealth; this package only registers them. Routes, bodies, headers,
// the detailed formats and the JWT rules are documented there.
//
// Route names (for e.Router().Routes().Reverse):
//
//	GET, HEAD {prefix}/ and {prefix}    healthcheck:get, healthcheck:head, healthcheck:get:noslash, healthcheck:head:noslash
//	GET, HEAD {prefix}/live             healthcheck:live, healthcheck:live:head
//	GET, HEAD {prefix}/ready            healthcheck:ready, healthcheck:ready:head
//	GET, HEAD {prefix}/startup          healthcheck:startup, healthcheck:startup:head (unless WithoutStartup)
//	GET, HEAD {prefix}/group/:group     healthcheck:group, healthcheck:group:head (with WithGroups)
//	GET, HEAD {prefix}/detailed         healthcheck:detailed, healthcheck:detailed:head (with WithDetailed)
//	GET, HEAD {prefix}/detailed/:check  healthcheck:detailed:check, healthcheck:detailed:check:head
//
// # One module
//
// This package lives in the main module rather than a nested one: the
// module already needs Go 1.26 (Echo v5 needs 1.25), the Go toolchain
// compiles only the packages a program imports (an Echo v4 service that
// imports echohealth never compiles Echo v5, and a v5 service that imports
// this package never compiles Echo v4; a test in this package checks
// both), and one module means one version to tag and no replace
// directives. healthfx imports both adapters, so an fx service compiles
// both Echo majors: a few hundred kilobytes of code, for one module that
// serves either.
package echov5health
