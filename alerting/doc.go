// Package alerting pushes a service's health out: it turns a checks.Runner's
// results into alert events and delivers them, in the background, to
// Alertmanager (API v2), to webhooks (JSON signed per Standard Webhooks, or a
// Slack-compatible text) and to any Publisher of your own.
//
// # Events
//
// A Dispatcher subscribes to the runner's hooks (checks.Hooks.OnResult); it
// never polls and never runs a check. Per check it keeps one status alert and
// two condition alerts:
//
//   - status: CheckUnhealthy fires when the check's reported status turns
//     unhealthy and it failed AfterFailures executions in a row (default: the
//     check's own FailureThreshold, so it fires with the status change);
//     CheckDegraded fires when it turns degraded. A change between the two
//     replaces one alert by the other in one event; the return to healthy is
//     a "recovered" event carrying the outage's length.
//   - error rate: CheckErrorRate is for intermittent errors, the failures
//     that did not turn the check unhealthy (a failure counts once the
//     check passes again; the failures of an outage, and the runs while
//     the check is unhealthy, never count: an outage is CheckUnhealthy and
//     its recovery, nothing else). It fires when their share of the
//     executions over the last 10 minutes exceeds Thresholds.ErrorRate,
//     with at least MinRuns executions, and resolves when it falls back
//     to it, at the latest 10 minutes after the last failure. Its severity
//     is always "warning".
//   - latency: CheckLatencyHigh fires when the p95 latency over the short
//     window exceeds Thresholds.LatencyP95, and resolves when it falls back.
//
// A check whose status changes more than 4 times within 2 minutes flaps
// (two outages within 2 minutes do not): it is
// reported once, as CheckFlapping (a warning, replacing the status alert
// firing), and its changes are not sent one by one until it has kept one
// status for 2 minutes; then one event says where it settled (the status
// alert fires again in CheckFlapping's place, or CheckFlapping resolves as
// "recovered"). A check flapping 5 times a second for 30 s makes 6 posts
// per sink: its first 4 changes, CheckFlapping, and where it settled.
//
// Severity follows the check's criticality (Required is "critical",
// Optional "warning"), except CheckErrorRate's and CheckFlapping's, always
// "warning". A firing alert and its resolution go out at once; while an alert
// keeps firing, it is repeated to each sink at most every RepeatInterval
// (WithRepeatInterval, default 5 m), and to Alertmanager every minute, below
// Alertmanager's default resolve_timeout of 5 m (each firing alert also
// carries an endsAt four re-send intervals ahead, so an alert whose service
// died resolves by itself). A graceful stop (Dispatcher.Stop, which
// healthfx calls after the drain) resolves every alert this instance has
// firing, with the reason "instance stopped".
//
// # Delivery
//
// Each sink has its own bounded queue and one goroutine. Recording an event
// costs the goroutine that ran the check about a microsecond (a result that
// is no event, less), and never blocks:
// when a queue is full, its oldest event is dropped and counted. Each
// delivery attempt is bounded by the sink's timeout (default 5 s); network
// errors, 5xx, 408 and 429 answers are retried with exponential backoff
// (at most 4 attempts; a 429 or 503 with Retry-After, in seconds or as a
// date, waits what it asks, at most the sink's repeat interval), other
// failures are counted and dropped. A receiver
// that hangs, drips its answer or answers 500 therefore costs one goroutine
// and one connection per sink, and never a probe. A sink that keeps
// failing logs at most one line a minute, with the count of failures since
// the last one; Stop logs one line per sink with the failures not yet
// logged and the events left undelivered, queued or in flight. Stop flushes what is queued
// within its context and abandons the rest (counted as dropped). Stats reads
// the per-sink counters; package healthfx exports them as Prometheus metrics.
//
// # Limits
//
// Every read from a receiver (Alertmanager or webhook) is bounded: response
// headers at 64 KiB, the body drained up to 64 KiB and closed, each
// attempt by the sink's Timeout (default 5 s); no redirect is followed. A
// queue holds at most 256 events per sink (the oldest dropped and
// counted), and a stop never waits past its context plus 100 ms.
package alerting
