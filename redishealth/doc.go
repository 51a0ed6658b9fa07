// Package redishealth checks the application's own go-redis v9 client
// (redis.UniversalClient: a single node, Sentinel failover, Cluster or Ring,
// with the TLS, ACL user and password the application configured), and
// contributes that check to healthfx when the application provides one
// (Module).
//
// Check sends PING through the client, so it uses the client's pool, its
// dialer, its TLS and its credentials: nothing is configured twice and no
// DSN reaches this package. Apps without go-redis keep the dependency-free
// RESP check of package checks (redischeck.New).
//
// # go-redis's own log
//
// go-redis logs "failed to dial" through its process-wide logger for every
// dial that fails: during an outage, about once a second while the
// application's client is checked. Install Logger (redis.SetLogger) to
// write go-redis's lines to the application's slog logger, redacted, with
// that line folded (the first, then one per DialFailureEvery); this
// package never changes the process-wide logger itself.
//
// # Module
//
// This package is a nested module (github.com/echofx/healthcheck/redishealth)
// so that users of the main module never download or compile go-redis: only
// an application that imports redishealth does. During development its
// go.mod replaces github.com/echofx/healthcheck with ../; on release it is
// tagged redishealth/vX.Y.Z and the replace is dropped.
package redishealth
