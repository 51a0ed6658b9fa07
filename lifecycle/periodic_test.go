package lifecycle_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/internal/testutil"
	"github.com/echofx/healthcheck/lifecycle"
)

// startLifecycle starts a Lifecycle on clock with no drain delay and stops
// it at the end of the test.
func startLifecycle(t *testing.T, r *checks.Runner, clock *testutil.FakeClock, opts ...lifecycle.Option) *lifecycle.Lifecycle {
	t.Helper()
	opts = append([]lifecycle.Option{lifecycle.WithClock(clock), lifecycle.WithDrainDelay(0), lifecycle.WithRand(constRand(0)), lifecycle.WithLogger(discard)}, opts...)
	l := newLifecycle(t, r, opts...)
	if err := l.Start(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := l.Stop(context.Background()); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return l
}

func TestPeriodicCadence(t *testing.T) {
	ctx := testCtx(t)
	clock := testutil.NewFakeClock(t0)
	a, b := &probe{}, &probe{}
	r := newRunner(t, clock,
		checks.Check{Name: "a", Interval: 2 * time.Second, TTL: time.Second, Func: checks.FromFunc(a.fn)},
		checks.Check{Name: "b", Interval: 3 * time.Second, TTL: time.Second, Func: checks.FromFunc(b.fn)},
	)
	startLifecycle(t, r, clock)
	// The gate ran each once; the loops find fresh results and wait.
	if err := clock.BlockUntil(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if a.calls.Load() != 1 || b.calls.Load() != 1 {
		t.Fatalf("after start: a=%d b=%d runs, want 1 each", a.calls.Load(), b.calls.Load())
	}
	for range 12 {
		clock.Advance(time.Second)
		if err := clock.BlockUntil(ctx, 2); err != nil { // both loops waiting again
			t.Fatal(err)
		}
	}
	// 12 s: a every 2 s, b every 3 s.
	if got := a.calls.Load(); got != 1+6 {
		t.Errorf("a ran %d times, want 7", got)
	}
	if got := b.calls.Load(); got != 1+4 {
		t.Errorf("b ran %d times, want 5", got)
	}
}

// A result refreshed by a reader is not refreshed again by the periodic
// loop; the loop waits for the interval counted from that result.
func TestPeriodicSkipsFreshResults(t *testing.T) {
	ctx := testCtx(t)
	clock := testutil.NewFakeClock(t0)
	p := &probe{}
	r := newRunner(t, clock, checks.Check{Name: "db", Interval: 10 * time.Second, TTL: 2 * time.Second, Func: checks.FromFunc(p.fn)})
	startLifecycle(t, r, clock)
	if err := clock.BlockUntil(ctx, 1); err != nil {
		t.Fatal(err)
	}
	clock.Advance(9 * time.Second)
	if _, err := r.Refresh(ctx, "db"); err != nil { // a reader, 1 s before the loop
		t.Fatal(err)
	}
	clock.Advance(time.Second) // the loop wakes: the result is 1 s old, fresh
	if err := clock.BlockUntil(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if got := p.calls.Load(); got != 2 {
		t.Fatalf("ran %d times, want 2 (gate, reader)", got)
	}
	// Next run: 10 s after the reader's result, not after the loop's wake.
	clock.Advance(9*time.Second - time.Nanosecond)
	if err := clock.BlockUntil(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if got := p.calls.Load(); got != 2 {
		t.Fatalf("ran %d times before the interval, want 2", got)
	}
	clock.Advance(time.Nanosecond)
	if err := clock.BlockUntil(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if got := p.calls.Load(); got != 3 {
		t.Fatalf("ran %d times, want 3", got)
	}
}

// A loop never overlaps itself: while a run is in flight no timer is armed,
// however far the clock moves, and executions never run concurrently.
func TestPeriodicNoOverlap(t *testing.T) {
	ctx := testCtx(t)
	clock := testutil.NewFakeClock(t0)
	var inflight, maxInflight, runs atomic.Int32
	var block atomic.Bool
	entered := make(chan struct{}, 1)
	release := make(chan struct{})
	fn := func(ctx context.Context) error {
		n := inflight.Add(1)
		defer inflight.Add(-1)
		for {
			m := maxInflight.Load()
			if n <= m || maxInflight.CompareAndSwap(m, n) {
				break
			}
		}
		runs.Add(1)
		if block.Load() {
			entered <- struct{}{}
			<-release
		}
		return nil
	}
	r := newRunner(t, clock, checks.Check{Name: "db", Interval: time.Second, TTL: time.Millisecond, Func: checks.FromFunc(fn)})
	startLifecycle(t, r, clock)
	if err := clock.BlockUntil(ctx, 1); err != nil {
		t.Fatal(err)
	}
	block.Store(true)
	clock.Advance(time.Second)
	<-entered
	// Readers join the run in flight (or run after it), never beside it.
	readers := make(chan struct{})
	go func() {
		defer close(readers)
		for range 3 {
			_, _ = r.Check(ctx, "db")
		}
	}()
	for range 5 {
		clock.Advance(time.Second)
		if n := clock.Pending(); n != 0 {
			t.Fatalf("%d timers armed while the run is in flight", n)
		}
	}
	block.Store(false)
	close(release)
	<-readers
	if err := clock.BlockUntil(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if got := maxInflight.Load(); got != 1 {
		t.Fatalf("%d executions overlapped", got)
	}
}

// Stop does not wait for a run in flight, even one whose Func ignores its
// context, and leaves no loop or timer behind.
func TestStopDoesNotWaitForRunInFlight(t *testing.T) {
	ctx := testCtx(t)
	clock := testutil.NewFakeClock(t0)
	var block atomic.Bool
	entered := make(chan struct{}, 1)
	release := make(chan struct{})
	defer close(release)
	fn := func(context.Context) error {
		if block.Load() {
			entered <- struct{}{}
			<-release // ignores its context
		}
		return nil
	}
	r := newRunner(t, clock, checks.Check{Name: "db", Interval: time.Second, Timeout: time.Minute, Func: checks.FromFunc(fn)})
	l := newLifecycle(t, r, lifecycle.WithDrainDelay(0), lifecycle.WithRand(constRand(0)), lifecycle.WithLogger(discard))
	if err := l.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := clock.BlockUntil(ctx, 1); err != nil {
		t.Fatal(err)
	}
	block.Store(true)
	clock.Advance(time.Second)
	<-entered

	stopped := make(chan error, 1)
	go func() { stopped <- l.Stop(ctx) }()
	select {
	case err := <-stopped:
		if err != nil {
			t.Fatalf("Stop = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Stop waited for a run in flight")
	}
	if n := clock.Pending(); n != 0 {
		t.Fatalf("%d timers left", n)
	}
}
