package testutil

import (
	"errors"
	"testing"
)

// StartRedis launches a Redis server for the test in a temporary directory
// (see LaunchRedis) and closes it when the test ends. It skips the test when
// redis-server is not installed, or fails it if RequireDB is true; any other
// launch error fails the test.
func StartRedis(t testing.TB) *Redis {
	t.Helper()
	if _, err := FindRedisServer(); errors.Is(err, ErrNoRedis) {
		missingDependency(t, "redis-server not found: apt-get install redis-server")
	}
	r, err := LaunchRedis(RedisOptions{Dir: launchDir(t, "healthcheck-redis-"), Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("testutil: close redis: %v", err)
		}
	})
	return r
}
