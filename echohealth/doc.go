// Package echohealth puts httphealth's routes on Echo v4.
//
// It is glue only: build the routes with httphealth.New (every option,
// the JWT verifier, the bodies, formats and route names are
// httphealth's, used as they are), then
//
//	h, err := httphealth.New(runner, httphealth.WithReadiness(lc))
//	...
//	err = echohealth.Mount(e, h) // e: an *echo.Echo or an *echo.Group
//
// Mount adds an explicit HEAD route beside each GET one and names every
// route (e.Reverse(httphealth.RouteName) is the public route). It never
// owns the server and never adds global or group middleware, so an
// unknown path under the prefix still gets Echo's normal 404.
// AuthenticatorFunc lets the detailed routes be protected by a function
// of the echo.Context. Echo v5 services use echov5health, its sibling
// with the same names.
package echohealth
