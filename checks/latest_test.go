package checks_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/internal/testutil"
)

// resultHooks returns an option whose hook passes every recorded result on
// to the returned channel (buffered: the hook must not block).
func resultHooks() (checks.Option, <-chan checks.Result) {
	ch := make(chan checks.Result, 64)
	return checks.WithHooks(checks.Hooks{OnResult: func(r checks.Result) { ch <- r }}), ch
}

// receive returns the next value of ch, failing the test after 5 s.
func receive[T any](t *testing.T, what string, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

func TestLatestServesCacheAndRefreshesOnce(t *testing.T) {
	clock := testutil.NewFakeClock(time.Unix(1_700_000_000, 0))
	var execs atomic.Int64
	release := make(chan struct{}, 1)
	started := make(chan struct{}, 1)
	hooks, results := resultHooks()
	r := newRunner(t, checks.WithClock(clock), hooks)
	err := r.Register(checks.Check{Name: "c", TTL: time.Second, Timeout: time.Minute, Interval: time.Minute,
		Func: func(ctx context.Context) checks.Report {
			if execs.Add(1) > 1 {
				started <- struct{}{}
				<-release
			}
			return checks.Report{}
		}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// No result yet: the first read waits for one.
	if s := latestDetailed(r, ctx); s.Status() != checks.StatusHealthy {
		t.Fatalf("first read: %v", s.Status())
	}
	first := r.Snapshot().Results[0].Time
	receive(t, "the first result", results)
	// Fresh: no execution.
	for range 100 {
		latestDetailed(r, ctx)
	}
	if execs.Load() != 1 {
		t.Fatalf("%d executions within TTL", execs.Load())
	}
	// Past the TTL: reads answer at once from the cache while one refresh runs.
	clock.Advance(2 * time.Second)
	var wg sync.WaitGroup
	for range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if s := latestDetailed(r, ctx); !s.Results[0].Time.Equal(first) {
				t.Error("read did not come from the cache")
			}
		}()
	}
	wg.Wait()
	receive(t, "the refresh to start", started)
	release <- struct{}{}
	receive(t, "the refresh to land", results)
	if r.Snapshot().Results[0].Time.Equal(first) {
		t.Fatal("the refresh's result is not in the snapshot")
	}
	if execs.Load() != 2 {
		t.Fatalf("%d executions, want 2", execs.Load())
	}
}

func TestLatestHangingDependency(t *testing.T) {
	clock := testutil.NewFakeClock(time.Unix(1_700_000_000, 0))
	var hang atomic.Bool
	hooks, results := resultHooks()
	r := newRunner(t, checks.WithClock(clock), hooks)
	err := r.Register(checks.Check{Name: "db", TTL: time.Second, Interval: 5 * time.Second, Timeout: 100 * time.Millisecond,
		Func: func(ctx context.Context) checks.Report {
			if hang.Load() {
				<-ctx.Done()
				return checks.Report{Err: ctx.Err()}
			}
			return checks.Report{}
		}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	latestDetailed(r, ctx)
	receive(t, "the first result", results)
	hang.Store(true)
	clock.Advance(1500 * time.Millisecond) // past the TTL, within MaxStaleness (5.1 s)
	if s := latestDetailed(r, ctx); s.Status() != checks.StatusHealthy {
		t.Fatalf("cached read during a hang: %v", s.Status())
	}
	// The background refresh times out and records the failure.
	receive(t, "the timeout to be recorded", results)
	if s := latestDetailed(r, ctx); s.Status() != checks.StatusUnhealthy {
		t.Fatalf("after the timeout: %v", s.Status())
	}
	if msg := latestDetailed(r, ctx).Results[0].Message; msg != "timeout after 100ms" {
		t.Fatalf("message %q", msg)
	}
}

func TestLatestPastMaxStaleness(t *testing.T) {
	clock := testutil.NewFakeClock(time.Unix(1_700_000_000, 0))
	release := make(chan struct{})
	defer close(release)
	var stuck atomic.Bool
	r := newRunner(t, checks.WithClock(clock))
	err := r.Register(checks.Check{Name: "db", TTL: time.Second, MaxStaleness: 3 * time.Second, Timeout: 50 * time.Millisecond,
		Func: func(ctx context.Context) checks.Report {
			if stuck.Load() {
				<-release // ignores its context: the runner must still answer
			}
			return checks.Report{}
		}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	latestDetailed(r, ctx)
	stuck.Store(true)
	clock.Advance(10 * time.Second)
	// The refresh is abandoned at the timeout and recorded as unhealthy.
	s := latestDetailed(r, ctx)
	if s.Status() != checks.StatusUnhealthy {
		t.Fatalf("status %v", s.Status())
	}
}

func TestLatestStaleWhenRefreshCannotFinish(t *testing.T) {
	clock := testutil.NewFakeClock(time.Unix(1_700_000_000, 0))
	var slow atomic.Bool
	r := newRunner(t, checks.WithClock(clock))
	err := r.Register(checks.Check{Name: "db", TTL: time.Second, MaxStaleness: 3 * time.Second, Timeout: time.Second,
		Func: func(ctx context.Context) checks.Report {
			if slow.Load() {
				<-ctx.Done()
				return checks.Report{Err: ctx.Err()}
			}
			return checks.Report{}
		}})
	if err != nil {
		t.Fatal(err)
	}
	latestDetailed(r, context.Background())
	slow.Store(true)
	clock.Advance(10 * time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	s := latestDetailed(r, ctx)
	if s.Status() != checks.StatusUnhealthy || s.Results[0].Message != "stale" {
		t.Fatalf("got %v %q", s.Status(), s.Results[0].Message)
	}
}

func TestClosedRunner(t *testing.T) {
	r := checks.NewRunner()
	if err := r.Register(checks.Check{Name: "a", Func: healthy}); err != nil {
		t.Fatal(err)
	}
	r.Close()
	if _, err := r.Check(context.Background(), "a"); !errors.Is(err, checks.ErrClosed) {
		t.Fatalf("got %v", err)
	}
	if err := r.Register(checks.Check{Name: "b", Func: healthy}); !errors.Is(err, checks.ErrClosed) {
		t.Fatalf("got %v", err)
	}
}
