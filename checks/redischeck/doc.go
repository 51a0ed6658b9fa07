// Package redischeck checks a Redis server given its address: New speaks
// RESP over its own short connection (AUTH, PING), with TLS and ACL users,
// so an application without a Redis client library can watch Redis. An
// application with go-redis checks its own client with the nested module
// redishealth instead.
//
// # Limits
//
// Each run opens one connection, reads one reply line per command (AUTH,
// PING) of at most 4 KiB (a longer line is "unexpected reply"), and closes
// it; every read and write is bounded by the check's Timeout through the
// connection's deadline.
package redischeck
