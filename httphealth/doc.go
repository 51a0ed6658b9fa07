// Package httphealth serves a checks.Runner over plain net/http: the public,
// live, ready and detailed health routes, their bodies and headers, the
// detailed and application/health+json formats, the query of the detailed
// route and the JWT verification, written once. It imports no router.
//
// New validates the options and returns the Handlers; Mount puts them on
// an *http.ServeMux with method patterns ("GET /healthcheck/{$}",
// "GET /healthcheck/detailed/{check}"), and Routes lists them for any other
// router: the Echo adapters, echohealth.Mount (Echo v4) and
// echov5health.Mount (Echo v5), only put these routes on Echo. Every
// configuration error is a *checks.ConfigError (errors.Is
// checks.ErrInvalidConfig).
//
// # Routes
//
// With the default prefix "/healthcheck":
//
//   - GET and HEAD /healthcheck/ (route name "healthcheck:get") and
//     /healthcheck: the public route. 200
//     {"status":"success","data":{"health":"ok"}} when healthy, 200 with
//     "health":"degraded" when degraded, and 500 (WithFailureStatus: 503)
//     {"status":"error","error":"<message>"} when a required check fails,
//     where the message is Snapshot.MessageAt(level), e.g.
//     `database "database_not_exist" does not exist`.
//   - GET and HEAD /healthcheck/live: 200 while the process serves; it runs
//     no check (a database outage must not restart pods).
//   - GET and HEAD /healthcheck/ready: 503 while Readiness says not ready
//     ("starting", "draining", "maintenance") or a required check fails;
//     else like the public route.
//   - GET and HEAD /healthcheck/startup ("healthcheck:startup"): 503 until
//     start-up is over (WithStartup; a *lifecycle.Lifecycle given to
//     WithReadiness serves: its startup gate), then 200 for good, also
//     while draining: a Kubernetes startupProbe. WithoutStartup drops it.
//   - GET and HEAD /healthcheck/group/{group} ("healthcheck:group"), only
//     with WithGroups: the public route's bodies and codes over one
//     group's checks; 404 {"status":"error","error":"unknown group"} for
//     an unknown group. A group follows the lifecycle as /ready does (503
//     "starting", "draining", "maintenance" while Readiness says not
//     ready), so a group can be a readiness probe.
//   - GET and HEAD /healthcheck/detailed and /healthcheck/detailed/{check}, only with
//     WithDetailed: every check's status, timings, details and counters,
//     behind an Authenticator (NewJWT builds one).
//   - GET, HEAD, POST and DELETE /healthcheck/maintenance
//     ("healthcheck:maintenance"), only with WithDetailed and a Readiness
//     that is a Maintainer (a *lifecycle.Lifecycle is): one replica out of
//     rotation on purpose (see Maintenance below).
//
// WithDegradedStatus sets the code of the public route, /ready and the
// groups when degraded (default 200). ?verbose on the public route, /live,
// /ready, /startup and the groups answers text/plain, one line per check
// and a last line, as kube-apiserver does, never a failure's reason;
// ?exclude=name leaves a check out (see Verbose).
//
// Every other response of these routes, errors included, is JSON with
// Cache-Control: no-store and X-Content-Type-Options: nosniff.
//
// # Detailed routes
//
// GET {prefix}/detailed answers, after the Authenticator accepts the
// request (401 {"status":"error","error":"unauthorized"} with
// WWW-Authenticate: Bearer otherwise, whatever the path or query):
//
//	{"status":"healthy|degraded|unhealthy","timestamp":"<RFC 3339, UTC>",
//	 "version":"<WithVersion>",
//	 "checks":{"database":{"status":"healthy","response_time_ms":1.234,
//	   "details":{...},"error":"<message, omitted when empty>",
//	   "last_success":"<RFC 3339, omitted if never>",
//	   "consecutive_failures":0,"availability":0.95}},
//	 "dependencies":{"database":"required","redis":"optional"}}
//
// Query parameters: level=basic|standard|comprehensive (default
// comprehensive: every check, whatever WithLevel says), check=a,b (only
// these), exclude=a,b, history=1 (adds "history":[{"status","response_time_ms",
// "time","error"}] per check, oldest first, each entry the execution's own
// status before flap damping), trends=1 (each check's success rate and
// latency over the trend windows), series=1 (implies trends=1; adds the
// 60-point latency series and the transitions), compact=N (past N checks,
// the healthy ones come compact and the others without history and with
// their newest 10 transitions; what the status
// page asks, to stay under 1 MB a refresh at 1,000 checks). An invalid
// level, history, trends, series or compact value, or an unknown name in
// check or exclude, is a 400 JSON error. The top-level
// status is checks.Aggregate over the selected checks. The route answers
// 200 even when unhealthy: it is a diagnosis route, not a probe.
//
// GET {prefix}/detailed/{check} is the same format restricted to one check
// (404 {"status":"error","error":"unknown check"} for an unknown name);
// only history applies.
//
// With Accept: application/health+json both answer the IETF draft format
// (draft-inadarei-api-health-check) instead: "status" pass, warn or fail,
// "version", and "checks" keyed "<name>:responseTime", each an array of one
// {"status","observedValue","observedUnit":"ms","time","output"}; "fail"
// answers 503.
//
// # Maintenance
//
// POST {prefix}/maintenance with {"reason":"kernel upgrade","for":"30m"}
// ("for" at most 24h, default 1h; a bad body, or one over 4 KiB, is 400
// with a message saying what is wrong) puts this replica in maintenance
// until then; DELETE ends it; GET shows {"active","reason","by","since",
// "until"}. The request is authenticated like the detailed route (401
// with no hint otherwise) and must be authorized for MaintenanceScope,
// "health:maintenance": with a *JWT, among the token's "scope" (space
// separated, as OAuth writes it) or "scp"; with an app's own
// Authenticator, through ScopeAuthorizer; 403 otherwise. "by" is the
// token's "sub". In maintenance /ready and every group answer 503
// {"status":"error","error":"maintenance"} (gRPC, through grpchealth,
// NOT_SERVING), while /live, /startup and the public route are unchanged,
// so no liveness probe or Docker HEALTHCHECK restarts the replica. The
// window ends by itself; the detailed route shows it as "maintenance" and
// the status page as a banner. healthfx adds the metric, holds the alerts
// and silences the instance in Alertmanager for the window.
//
// # Cost
//
// The routes read the runner with Latest, which never waits on a
// dependency once a result exists: a hanging database costs a probe
// nothing while its result is younger than the check's MaxStaleness. The
// constant bodies are encoded once and the failure body once per message,
// so the healthy public route costs what a handler writing the same
// constant JSON and headers costs, and allocates nothing of its own.
package httphealth
