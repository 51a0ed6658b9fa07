package checks_test

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/echofx/healthcheck/checks"
)

// A Func that ignores its context and never returns holds one goroutine,
// however often it is read: no new execution starts while the abandoned
// one is outstanding, and the check reads "timeout after <timeout>". Once
// the Func returns, the check runs again.
func TestAbandonedExecutionIsCapped(t *testing.T) {
	// In a bubble: the runner's timeouts and TTL use the real clock.
	synctest.Test(t, func(t *testing.T) {
		r := newRunner(t)
		release := make(chan struct{})
		var calls atomic.Int32
		err := r.Register(checks.Check{Name: "stuck", TTL: 5 * time.Millisecond, Timeout: 10 * time.Millisecond,
			Func: func(context.Context) checks.Report {
				if calls.Add(1) == 1 {
					<-release // ignores its context
				}
				return checks.Report{}
			}})
		if err != nil {
			t.Fatal(err)
		}
		base := runtime.NumGoroutine()
		ctx := context.Background()
		peak := 0
		for end := time.Now().Add(400 * time.Millisecond); time.Now().Before(end); {
			latestDetailed(r, ctx)
			_, _ = r.Check(ctx, "stuck")
			peak = max(peak, runtime.NumGoroutine()-base)
			time.Sleep(time.Millisecond) // the bubble's clock: reads spread over 400 ms, 40 timeouts
		}
		res, _ := r.Snapshot().Result("stuck")
		if n := calls.Load(); n != 1 {
			t.Errorf("Func called %d times while its first execution was outstanding, want 1", n)
		}
		// The abandoned Func's goroutine, plus a refresh or two in flight.
		if peak > 4 {
			t.Errorf("goroutines grew by up to %d while reading a stuck check, want at most 4", peak)
		}
		if res.Status != checks.StatusUnhealthy || res.Message != "timeout after 10ms" {
			t.Errorf("stuck check reads %v %q, want unhealthy \"timeout after 10ms\"", res.Status, res.Message)
		}
		if res.Runs < 2 || res.Details["abandoned_since"] == nil {
			t.Errorf("later runs = %d with details %v, want fresh results saying since when", res.Runs, res.Details)
		}

		close(release)
		synctest.Wait() // the abandoned Func has returned
		if res, err := r.Refresh(ctx, "stuck"); err != nil || res.Status != checks.StatusHealthy {
			t.Errorf("once its Func returned, the check reads %v %q (%v), want healthy", res.Status, res.Message, err)
		}
	})
}
