// Package lifecycle runs a service's health checks through the phases of
// its life, on top of a checks.Runner, and tells the probes where it is.
//
// # Phases
//
//	New ──Start──▶ starting ──gate passed──▶ running ──Stop──▶ draining ──▶ stopped
//	               (not ready)               (ready)           (not ready,  (not ready,
//	                    │                                       still live)  not live)
//	                    └──gate gave up──▶ startup failed (not ready, live; Stop as above)
//
// Starting. Start begins the startup gate (also usable alone, and
// synchronously, as Gate): every Required check, and every check marked
// Startup, must pass (healthy or degraded) before the service reports
// ready. Failing checks are retried with exponential backoff and full
// jitter (wait n drawn from [0, min(8 s, 1 s x 2^(n-1))]) for up to 60 s
// in all (StartupConfig.MaxWait), any number of attempts by default. The gate
// uses the whole budget: the wait that would overrun it is cut short so
// that a final attempt starts a slot before its end (the longest Timeout
// of the failing checks, at most a tenth of the budget: at the defaults,
// 5 s before the end), and the gate gives up only when that attempt
// failed, never before 90 % of the budget. Optional checks never block
// start.
//
// Start returns after the gate's first attempt (at most 2 s,
// StartFirstAttemptWait), and the gate goes on in the background. This is
// the design's point: a database that comes up 20 s after the service (a
// compose stack, a pod rolled beside its database) must not kill it, and
// an application framework's start timeout (fx: 15 s for every start hook
// together) cannot hold a minute of waiting, nor should the other start
// hooks (the HTTP server) wait for it: the probes must answer meanwhile.
// So while the gate runs, the service is live and not ready ("starting");
// the first passing attempt makes it ready within the backoff cap (8 s) of
// the dependency coming up. A gate that finally fails logs a *StartupError
// and calls the WithOnGateFailure function (healthfx: fx.Shutdowner with
// exit code 1). A failure the dependency calls permanent (checks.Permanent;
// pgcheck marks a missing database and failed authentication)
// ends the gate at once with the server's message, and when it comes at
// the first attempt Start itself returns it, so the start fails at once. A
// Stop during the gate cancels it at once, without error.
//
// Ready hooks. Work that needs the dependencies (migrations, consumers,
// warm-up) registered with OnReady runs once the gate passed, in order,
// before Readiness turns true; never when the gate gives up. A failing
// hook fails the start like a gate that gives up (*ReadyHookError). Each
// hook is bounded by the startup budget (or
// StartupConfig.ReadyHookTimeout): one past it is logged at warn and
// abandoned as failed; one that Stop abandons makes Stop return its
// *ReadyHookError.
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
// Draining. Stop makes Readiness false at once while Live stays true (and
// Started, true since the gate passed, stays true: a startupProbe must not
// fail again), waits the drain delay (5 s) so that load balancers take the
// instance out while requests in flight finish, then stops the periodic
// checks and runs the cleanups registered with AddCleanup in reverse order.
//
// Stopped. Readiness reads "stopped" and Live false.
//
// Maintenance. EnterMaintenance(reason, by, d) takes the running service
// out of rotation on purpose for d (default 1 h, at most 24 h): Readiness
// reads false with the reason "maintenance" (so /ready, the groups and
// gRPC's readiness say so) while Live and Started are unchanged;
// EndMaintenance ends it, and it ends by itself at its end on the
// Lifecycle's clock. Maintenance returns the window in force. Each change
// is logged with who and why and told to the OnMaintenance hooks
// (healthfx: metric, alerts held, Alertmanager silence). httphealth's
// {prefix}/maintenance route drives the same methods.
//
// # Timeouts
//
// The defaults fit fx's 15 s start and stop timeouts: Start returns within
// 2 s whatever the gate's budget, and the 5 s drain leaves 10 s for the
// cleanups. Stop never waits on a check: periodic runs in flight are left
// to the runner, which bounds them by their Timeout. Size the drain delay
// from the readiness probe: at least periodSeconds x failureThreshold,
// plus a second or so for the endpoints to update.
//
// # Clock
//
// Every wait (backoff, intervals, drain, remediation backoff) runs on a
// checks.Clock, the runner's by default, so that tests drive them with a
// fake clock. Check timeouts and context deadlines are real time.
//
// Wiring with fx:
//
//	lc, err := lifecycle.New(runner, lifecycle.WithOnGateFailure(func(error) {
//		_ = shutdowner.Shutdown(fx.ExitCode(1))
//	}))
//	if err != nil {
//		return err // a *checks.ConfigError naming the option
//	}
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
