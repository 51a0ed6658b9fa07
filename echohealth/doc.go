// Package echohealth serves a checks.Runner over Echo v4.
//
// Register adds the health routes to an *echo.Echo or an *echo.Group. It
// never owns the server and never adds global or group middleware: every
// route it adds carries its own behaviour, so an unknown path under the
// prefix still gets Echo's normal 404. Echo v5 services use echov5health,
// its sibling with the same surface.
//
// The handlers, bodies, headers, detailed formats, query parameters and
// JWT rules are those of package httphealth, written once for every
// router; this package adapts them to Echo v4: explicit HEAD routes, route
// names for e.Reverse, the :check parameter handed to the handler, and an
// Authenticator that receives the echo.Context.
//
// # Routes
//
// With the default prefix "/healthcheck":
//
//   - GET and HEAD /healthcheck/ (route name "healthcheck:get") and
//     /healthcheck: 200 {"status":"success","data":{"health":"ok"}} when
//     healthy, 200 with "health":"degraded" when degraded, and 500
//     (WithFailureStatus: 503) {"status":"error","error":"<message>"} when
//     a required check fails, e.g. `database "database_not_exist" does not
//     exist`.
//   - GET and HEAD /healthcheck/live: 200 while the process serves; it runs
//     no check (a database outage must not restart pods).
//   - GET and HEAD /healthcheck/ready: 503 while Readiness says not ready
//     ("starting", "draining") or a required check fails; else like the
//     public route.
//   - GET and HEAD /healthcheck/startup: 503 until the startup gate passed,
//     then 200 for good (a Kubernetes startupProbe).
//   - GET and HEAD /healthcheck/group/:group, only with WithGroups: like
//     the public route, over one group's checks; 404 for an unknown group.
//   - GET and HEAD /healthcheck/detailed and /healthcheck/detailed/:check,
//     only with WithDetailed: every check's status, timings, details and
//     counters, behind an Authenticator (NewJWT builds one).
//
// ?verbose on the public route, /live, /ready, /startup and the groups
// answers text for people, one line per check, and ?exclude=name leaves a
// check out (see httphealth.Verbose).
package echohealth
