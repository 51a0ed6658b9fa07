// Package deprules holds only tests: the arrows of docs/design.md's house
// for every package (TestHouse), the few users of internal/checkview, the
// test-only modules, and the main module kept free of the dependencies of
// its nested modules (grpchealth, otelhealth, redishealth): a user who
// imports checks, an Echo adapter and healthfx must not download or compile
// grpc-go, OpenTelemetry or go-redis.
package deprules
