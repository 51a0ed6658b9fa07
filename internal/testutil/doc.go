// Package testutil provides real, throw-away dependencies and deterministic
// helpers for tests of the healthcheck module: a PostgreSQL cluster, a
// MariaDB server, a Redis server and an Alertmanager launched from the
// locally installed binaries, a fake checks.Clock, free TCP ports and JWT
// minting.
//
// The launchers (LaunchPostgres, LaunchMariaDB, LaunchRedis,
// LaunchAlertmanager) take no *testing.T so that
// example programs can embed them; the Start* wrappers adapt them to tests,
// skipping when the server binaries are missing unless
// HEALTHCHECK_REQUIRE_DB=1 is set.
package testutil
