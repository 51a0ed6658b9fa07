// Package otelhealth records the runner's check results as OpenTelemetry
// metrics, the same facts as promhealth's Prometheus metrics, on a
// metric.MeterProvider the application passes explicitly (never the global
// one, so a test or a second app in the process is not mixed in).
//
// # Instruments
//
// Every measurement carries one attribute, health.check.name (the check's
// name; never an error text, so cardinality is the number of checks):
//
//	health.check.duration     histogram, s            execution time
//	health.check.status       gauge                   1 healthy, 0.5 degraded, 0 unhealthy
//	health.check.runs         counter, {run}          executions
//	health.check.failures     counter, {failure}      failed executions (not runs skipped for an unhealthy dependency)
//	health.check.transitions  counter, {transition}   changes of reported status (flapping)
//
// The instrumentation scope is ScopeName. Through the OpenTelemetry
// Prometheus exporter the names become health_check_duration_seconds,
// health_check_status, health_check_runs_total, health_check_failures_total
// and health_check_transitions_total, those of the Prometheus metrics
// without a namespace, with the label health_check_name instead of check.
//
// # Naming
//
// No semantic convention for health checks exists yet
// (open-telemetry/semantic-conventions#1106). The names follow the
// OpenTelemetry naming rules (a dotted namespace, the unit in the unit and
// not the name, counters of things pluralized with an annotation unit, no
// "total") and the spirit of the Kubernetes health metrics (KEP-3466:
// kubernetes_healthcheck, a status gauge per named check, and
// kubernetes_healthchecks_total, a counter of runs). They will follow a
// convention when one is adopted.
//
// # Recording
//
// Values are recorded when results arrive, from the runner's hooks
// (Hooks.OnResult and Hooks.OnTransition); a collection never runs a check.
//
// # Module
//
// This package is a nested module (github.com/echofx/healthcheck/otelhealth)
// so that users of the main module never download or compile OpenTelemetry:
// Prometheus stays first-class and needs nothing of it. During development
// its go.mod replaces github.com/echofx/healthcheck with ../; on release it
// is tagged otelhealth/vX.Y.Z and the replace is dropped.
package otelhealth
