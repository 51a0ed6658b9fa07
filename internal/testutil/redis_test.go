package testutil

import (
	"errors"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRedisAuthAndStop(t *testing.T) {
	t.Parallel()
	if _, err := FindRedisServer(); err != nil {
		t.Skip(err)
	}
	parent := launchDir(t, "healthcheck-redis-")
	r, err := LaunchRedis(RedisOptions{Dir: parent, Password: "s3cret with space"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxTimeout(t, 10*time.Second)

	if err := redisPing(ctx, r.Addr(), r.Password()); err != nil {
		t.Fatalf("PING with AUTH: %v", err)
	}
	err = redisPing(ctx, r.Addr(), "wrong")
	if err == nil || !strings.Contains(err.Error(), "WRONGPASS") {
		t.Errorf("wrong password: %v, want WRONGPASS", err)
	}
	err = redisPing(ctx, r.Addr(), "")
	if err == nil || !strings.Contains(err.Error(), "NOAUTH") {
		t.Errorf("no password: %v, want NOAUTH", err)
	}

	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := redisPing(ctx, r.Addr(), r.Password()); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("after Stop: %v, want connection refused", err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(parent, "*")); len(left) != 0 {
		t.Errorf("Close left %v", left)
	}
}

func TestLaunchRedisNeedsDir(t *testing.T) {
	if _, err := LaunchRedis(RedisOptions{}); err == nil || !strings.Contains(err.Error(), "Dir") {
		t.Errorf("LaunchRedis without Dir: %v, want an error about Dir", err)
	}
}

func TestFindRedisServerMissing(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	path, err := FindRedisServer()
	if err == nil && path != "/usr/bin/redis-server" {
		t.Errorf("FindRedisServer() = %q without PATH entries", path)
	}
	if err != nil && !errors.Is(err, ErrNoRedis) {
		t.Errorf("err = %v, want ErrNoRedis", err)
	}
}
