package lifecycle_test

import (
	"context"
	"testing"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/internal/testutil"
	"github.com/echofx/healthcheck/lifecycle"
)

// TestStartedStaysTrue checks that Started turns true when the gate
// passes and stays true while draining and once stopped (a startupProbe
// must not fail again), while Readiness turns false.
func TestStartedStaysTrue(t *testing.T) {
	ctx := testCtx(t)
	clock := testutil.NewFakeClock(t0)
	r := newRunner(t, clock, checks.Check{Name: "db", Interval: time.Hour, Func: checks.FromFunc((&probe{}).fn)})
	l := newLifecycle(t, r, lifecycle.WithDrainDelay(5*time.Second), lifecycle.WithClock(clock))
	assertStarted(t, l, false, lifecycle.ReasonStarting)
	if err := l.Start(ctx); err != nil {
		t.Fatal(err)
	}
	assertStarted(t, l, true, "")
	drained := make(chan struct{})
	go func() { l.Drain(ctx); close(drained) }()
	if err := clock.BlockUntil(ctx, 2); err != nil { // periodic loop + drain delay
		t.Fatal(err)
	}
	assertReadiness(t, l, false, lifecycle.ReasonDraining)
	assertStarted(t, l, true, "")
	clock.Advance(5 * time.Second)
	<-drained
	if err := l.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	assertStarted(t, l, true, "")
}

// TestStartedFalseWhenGateFails checks Started after a gate that gave up.
func TestStartedFalseWhenGateFails(t *testing.T) {
	ctx := testCtx(t)
	r := newRunner(t, testutil.NewFakeClock(t0), checks.Check{Name: "db", Func: func(context.Context) checks.Report {
		return checks.Report{Status: checks.StatusUnhealthy, Err: checks.Permanent(errRefused)}
	}})
	l := newLifecycle(t, r, lifecycle.WithDrainDelay(0), lifecycle.WithLogger(discard))
	if err := l.Start(ctx); err == nil {
		t.Fatal("Start passed a gate whose check failed permanently")
	}
	assertStarted(t, l, false, lifecycle.ReasonStartupFailed)
	if err := l.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	assertStarted(t, l, false, lifecycle.ReasonStopped)
}

func assertStarted(t *testing.T, l *lifecycle.Lifecycle, want bool, reason string) {
	t.Helper()
	if got, why := l.Started(); got != want || why != reason {
		t.Fatalf("Started() = %v, %q; want %v, %q", got, why, want, reason)
	}
}
