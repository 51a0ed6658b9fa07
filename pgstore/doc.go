// Package pgstore keeps a service's health history in the PostgreSQL the
// service already uses, shared by its replicas, so that any replica
// answers for the whole service (the fleet view, GET {prefix}/fleet in
// httphealth) and history survives a deploy.
//
// What it keeps, in a schema of its own (default "healthcheck"; the SQL is
// docs/store.sql): each replica's heartbeat (instance, service, version,
// started_at, last_seen, status); every transition of every check with the
// replica that saw it; per check and replica, counts per minute (runs,
// failures, latency sum and max, a fixed latency histogram), rolled up to
// hours as they age. Retention is enforced by the store itself: fine
// buckets 48 h, hourly buckets 30 d, transitions 30 d by default.
//
// The store is fed by the runner's hooks (Store.Hooks) and writes from one
// background goroutine, once per Config.Interval, in one round trip (a
// pgx.Batch) on one pooled connection, never on a probe's path; it skips a
// cycle while the pool is saturated. While the database is down, events
// wait in a bounded buffer (the oldest dropped and counted, Store.Dropped)
// and are written when it returns, so the database's own outage is in the
// history afterwards.
//
//	st, err := pgstore.New(pool, pgstore.Config{Service: "orders", Version: "1.4.2"})
//	if err != nil { ... }
//	runner.AddHooks(st.Hooks())
//	if err := st.Start(ctx); err != nil { ... } // creates or checks the tables
//	defer st.Stop(stopCtx)                       // flushes within stopCtx
//	h, err := httphealth.New(runner, httphealth.WithDetailed(auth), httphealth.WithFleet(st))
//
// healthfx wires it from HEALTH_STORE=postgres.
package pgstore
