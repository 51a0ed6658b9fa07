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
	return StartRedisWith(t, RedisOptions{})
}

// StartRedisWith is StartRedis with options (Dir and Logf are filled in).
func StartRedisWith(t testing.TB, opts RedisOptions) *Redis {
	t.Helper()
	if _, err := FindRedisServer(); errors.Is(err, ErrNoRedis) {
		missingDependency(t, "redis-server not found: apt-get install redis-server")
	}
	opts.Dir, opts.Logf = launchDir(t, "healthcheck-redis-"), t.Logf
	r, err := LaunchRedis(opts)
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
