// Package checks is the model of health checking and the runner that
// executes checks safely.
//
// # The model
//
// A Check names a dependency, says how to probe it (a Func returning a
// Report), whether the service needs it (Required) or can live without it
// (Optional), the narrowest report Level it belongs to, and its timings:
// Timeout bounds one execution, TTL is how long a result stays fresh,
// Interval is the period of the lifecycle package's periodic runner, and
// MaxStaleness is the age past which a result is no longer trusted.
//
// An execution yields a Result: a Status (healthy, degraded or unhealthy;
// unknown before the first run), its duration, small details, a sanitized
// message that is safe to show anyone, and counters. Aggregate folds results
// into one status: a Required check unhealthy makes the service unhealthy;
// an Optional one unhealthy, or any check degraded, makes it degraded.
//
// # The runner
//
// A Runner holds the registered checks and their latest results. It bounds
// every execution by the check's timeout, recovers panics, coalesces
// concurrent callers into one execution (golang.org/x/sync/singleflight)
// that no single caller can cancel, damps flapping, keeps a short history,
// and tells Hooks about every result and status transition.
//
// Reads come in three kinds. Run, Check and Refresh block, at most the
// check's timeout. Latest (the probes' read: public, live, ready; for one
// report level) and the detailed route's read never wait while a usable
// result exists: they serve the cached result and start one background
// refresh of each result older than its TTL. Without a usable result, the
// detailed read waits for every check up to its Timeout (bounded by the
// caller's context), while Latest never waits on an Optional check and
// waits on a Required one at most the probe budget (WithProbeBudget,
// default 500 ms, under Kubernetes' 1 s probe timeout). The timing rules
// that follow:
//
//   - a dependency sees at most one execution per TTL from reads, however
//     many readers, plus at most one per Interval from the periodic runner
//     (which skips a check whose result is still fresh);
//   - a hanging dependency turns unhealthy one Timeout after the refresh
//     started, and no reader waits for it meanwhile;
//   - a result is usable until MaxStaleness (default max(TTL, Interval) +
//     Timeout), which the periodic runner never lets it reach; past it, or
//     before the first result, a read waits as said above for a fresh one
//     and otherwise reports the check unhealthy ("stale", or unknown when
//     it never ran);
//   - an execution abandoned at its Timeout (a Func ignoring its context)
//     blocks new executions of that check until it returns: the check
//     reads unhealthy "timeout after <Timeout>" meanwhile, and a Func that
//     never returns holds one goroutine.
//
// Failures can be marked permanent (Permanent, Result.Permanent) when
// waiting will not cure them; the lifecycle startup gate then stops at
// once. LogTransitions logs every status change, folding a flapping check.
//
// Freshness is kept by timers armed when a result is recorded, and a
// counter of checks past their TTL, so a cached read costs two atomic
// loads and no clock call (clock reads cost hundreds of nanoseconds on
// some virtual machines).
//
// # Trends
//
// Besides the recent results (History, WithHistorySize), the runner keeps
// per check, in bounded memory (about 12.7 KB, at most 20.7 KB with 100
// transitions), the success rate, mean, min, max, p50 and p95 latency over
// a short and a long window (1 h and 24 h by default, WithTrendWindows),
// a per-minute series of the last hour, and the status transitions of the
// long window (the 100 most recent). Runner.Trends reads them all;
// the HTTP layer reads the window statistics without allocating, for
// routes that report many checks. Recording them costs tens of nanoseconds
// per result.
//
// # Downstream services and cycles
//
// A check built by package checks/downstream watches another service.
// Requests it makes carry downstream.Header, and a service answering such a
// request (package httphealth) leaves out all of its own downstream checks,
// so that services listing each other settle; package downstream tells the
// rule in full.
//
// # Integrations
//
// Each dependency has a package of its own under checks, so this one imports
// no driver: pgcheck (the application's *pgxpool.Pool), httpcheck, tcpcheck,
// redischeck, downstream (other services running this library) and syscheck
// (disk, memory, goroutines, CPU). FromFunc adapts any func(ctx) error.
package checks
