// Package faults holds the fault-injection tests of the module: a Toxiproxy
// proxy (in-process, test-only) between the library and each dependency
// (PostgreSQL, MariaDB, Redis, a downstream service, Alertmanager, a webhook
// receiver, a JWKS endpoint), and for each fault (latency, bandwidth,
// blackhole, reset, a cut answer, a slow close) assertions that no probe
// waits past its budget, the status is right within two intervals and comes
// back after the fault, goroutines and connections return to their baseline
// and a stop keeps its budget.
//
// The package has no code besides this file: everything is in its tests,
// so that Toxiproxy is compiled only by `go test`. The results table is
// docs/faults.md, written by
//
//	HEALTHCHECK_FAULTS=full HEALTHCHECK_FAULTS_WRITE=1 go test -count=1 -run TestFaults ./internal/faults/
package faults
