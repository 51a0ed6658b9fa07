// Package echov5health puts httphealth's routes on Echo v5
// (github.com/labstack/echo/v5), with the names of echohealth, its Echo
// v4 sibling: Mount, Router, AuthenticatorFunc.
//
// It is glue only: build the routes with httphealth.New (every option,
// the JWT verifier, the bodies, formats and route names are
// httphealth's, used as they are), then echov5health.Mount(e, h).
//
// Mount adds the routes to an *echo.Echo or an *echo.Group with AddRoute
// (Echo v5's Add returns a RouteInfo value, so naming it after the fact
// names nothing) and returns Echo's error instead of panicking. It never
// adds middleware, and it adds an explicit HEAD route beside each GET
// one, since Echo v5 answers HEAD on a GET route with 405 unless
// RouterConfig.AutoHandleHEAD is set. Route names (for
// e.Router().Routes().Reverse) are those of httphealth.Handlers.Routes.
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
