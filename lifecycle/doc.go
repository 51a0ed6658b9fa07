// Package lifecycle runs a service's health checks through the phases of
// its life, on top of a checks.Runner, and tells the probes where it is.
//
// # Phases
//
//	New ──Start──▶ starting ──gate passed──▶ running ──Stop──▶ draining ──▶ stopped
//	               (not ready)               (ready)           (not ready,  (not ready,
//	                                                            still live)  not live)
//
// Starting. Start runs the startup gate (also usable alone as Gate): every
// Required check, and every check marked Startup, must pass (healthy or
// degraded) before the service reports ready. Failing checks are retried
// with exponential backoff and full jitter (wait n drawn from
// [0, min(4 s, 500 ms x 2^(n-1))]), at most 5 attempts and 12 s in all, and
// always a little before the context's deadline, so that the service fails
// fast with a *StartupError naming every failing check instead of hanging
// until its start timeout. Optional checks never block start.
//
// Running. One goroutine per check runs it every Interval (a little less,
// at random, so that checks spread out) through runner.Check, which skips
// a check whose cached result is still fresh: requests that refresh
// results and the periodic runs never double the load on a dependency,
// and a result is never older than Interval + Timeout (given TTL <=
// Interval, as with the defaults). Checks with a
// Remediate function are healed after RemediateAfter consecutive failures,
// at most once per backoff (1 s doubling to 5 min, reset on recovery).
//
// Draining. Stop makes Readiness false at once while Live stays true, waits
// the drain delay (5 s) so that load balancers take the instance out while
// requests in flight finish, then stops the periodic checks and runs the
// cleanups registered with AddCleanup in reverse order.
//
// Stopped. Readiness reads "stopped" and Live false.
//
// # Timeouts
//
// The defaults fit fx's 15 s start and stop timeouts: the gate gives up
// after 12 s at most, and the 5 s drain leaves 10 s for the cleanups. Size
// the drain delay from the readiness probe: at least periodSeconds x
// failureThreshold, plus a second or so for the endpoints to update.
//
// # Clock
//
// Every wait (backoff, intervals, drain, remediation backoff) runs on a
// checks.Clock, the runner's by default, so that tests drive them with a
// fake clock. Check timeouts and context deadlines are real time.
//
// Wiring with fx:
//
//	lc := lifecycle.New(runner)
//	fxlc.Append(fx.Hook{OnStart: lc.Start, OnStop: lc.Stop})
//	lc.AddCleanup("flush-telemetry", exporter.Shutdown)
//
// fx runs stop hooks in reverse order, so append the Lifecycle's hook after
// the HTTP server's: it then drains before the server shuts down. Cleanups
// therefore run before the server stops: they suit what the health
// machinery owns and what no request handler uses. Close what handlers use
// (the database pool) in an fx hook appended before the server's, so that
// it closes after the last request.
package lifecycle
