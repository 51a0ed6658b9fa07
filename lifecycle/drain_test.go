package lifecycle_test

import (
	"context"
	"testing"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/internal/testutil"
	"github.com/echofx/healthcheck/lifecycle"
)

// TestDrainBeforeStop checks that Drain alone makes readiness fail and
// waits the delay without running the cleanups, and that Stop after it
// goes on at once (no second delay).
func TestDrainBeforeStop(t *testing.T) {
	ctx := testCtx(t)
	clock := testutil.NewFakeClock(t0)
	r := newRunner(t, clock, checks.Check{Name: "db", Interval: time.Hour, Func: checks.FromFunc((&probe{}).fn)})
	l := lifecycle.New(r, lifecycle.WithDrainDelay(5*time.Second), lifecycle.WithClock(clock))
	if err := l.Start(ctx); err != nil {
		t.Fatal(err)
	}
	cleaned := make(chan struct{})
	l.AddCleanup("c", func(context.Context) error { close(cleaned); return nil })

	drained := make(chan struct{})
	go func() { l.Drain(ctx); close(drained) }()
	if err := clock.BlockUntil(ctx, 2); err != nil { // periodic loop + drain delay
		t.Fatal(err)
	}
	assertReadiness(t, l, false, "draining")
	clock.Advance(5 * time.Second)
	<-drained
	select {
	case <-cleaned:
		t.Fatal("Drain ran the cleanups")
	default:
	}
	l.Drain(ctx) // idempotent: returns at once
	if err := l.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	<-cleaned
	assertReadiness(t, l, false, "stopped")
}
