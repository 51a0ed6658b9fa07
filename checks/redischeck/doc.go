// Package redischeck checks a Redis server given its address: New speaks
// RESP over its own short connection (AUTH, PING), with TLS and ACL users,
// so an application without a Redis client library can watch Redis. An
// application with go-redis checks its own client with the nested module
// redishealth instead.
package redischeck
