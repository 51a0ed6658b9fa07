package testutil

import (
	"context"
	"testing"
	"time"
)

func TestStartRedis(t *testing.T) {
	t.Parallel()
	r := StartRedis(t)
	if len(r.Password()) != 24 {
		t.Errorf("default password %q, want 24 hex characters", r.Password())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := redisPing(ctx, r.Addr(), r.Password()); err != nil {
		t.Fatal(err)
	}
}
