// Package deprules holds only a test: the one that keeps the main module
// free of the dependencies of its nested modules (grpchealth, otelhealth,
// redishealth). A user who imports checks, an Echo adapter and healthfx must
// not download or compile grpc-go, OpenTelemetry or go-redis.
package deprules
