// Package promhealth exports a checks.Runner's results to Prometheus,
// usable with or without fx (healthfx wires it when the app provides a
// prometheus.Registerer). It records on the prometheus.Registerer it is
// given, never the global registry, and records results as they arrive
// from the runner's hooks: a scrape never runs a check.
//
// Every series of Metrics carries the label check and nothing else (never
// error text, so cardinality is the number of checks). With namespace
// "messenger" (the example's) the series are:
//
//	messenger_health_check_duration_seconds{check}         histogram of execution time
//	messenger_health_check_status{check}                   1 healthy, 0.5 degraded, 0 unhealthy or unknown (checks.Status.Value)
//	messenger_health_check_runs_total{check}               executions
//	messenger_health_check_failures_total{check}           executions that failed (not runs skipped for an unhealthy dependency)
//	messenger_health_check_transitions_total{check}        changes of reported status (flapping)
//	messenger_health_check_last_success_timestamp_seconds{check}
//	messenger_health_check_coalesced_total{check}          callers that shared another caller's execution
//	messenger_health_startup_attempts_total{check}         startup gate attempts
//	messenger_health_startup_failures_total{check}         startup gate attempts that failed
//	messenger_health_remediations_total{check}             auto-healing attempts
//	messenger_health_maintenance                           1 while this replica is in a maintenance window, else 0 (no label)
//
// An empty namespace drops the prefix (health_check_status, ...).
// RegisterPool adds a connection pool's own statistics (<ns>_db_pool_*),
// read at scrape time through a function, so this package needs no
// database driver.
//
// Registering into a registry that already holds these collectors (an fx
// app built twice in one process) reuses the registered ones
// (prometheus.AlreadyRegisteredError's ExistingCollector).
package promhealth
