package lifecycle_test

import (
	"context"
	"errors"
	"slices"
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
	l := newLifecycle(t, r, lifecycle.WithDrainDelay(5*time.Second), lifecycle.WithClock(clock))
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

// TestOnReadiness sees every readiness change: ready after the gate,
// draining, stopped.
func TestOnReadiness(t *testing.T) {
	ctx := testCtx(t)
	r := newRunner(t, testutil.NewFakeClock(t0), checks.Check{Name: "db", Interval: time.Hour, Func: checks.FromFunc((&probe{}).fn)})
	var got []string
	l := newLifecycle(t, r, lifecycle.WithDrainDelay(0), lifecycle.WithHooks(lifecycle.Hooks{
		OnReadiness: func(ready bool, reason string) {
			if ready {
				reason = "ready"
			}
			if len(got) == 0 || got[len(got)-1] != reason {
				got = append(got, reason)
			}
		},
	}))
	if err := l.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if want := []string{"ready", "draining", "stopped"}; !slices.Equal(got, want) {
		t.Fatalf("readiness events %v, want %v", got, want)
	}
}

// TestDrainSecondCallerHonoursItsContext: a Drain (or Stop) called while
// another caller's drain waits its delay returns when its own ctx ends,
// as documented, instead of waiting for the first caller's delay.
func TestDrainSecondCallerHonoursItsContext(t *testing.T) {
	ctx := testCtx(t)
	clock := testutil.NewFakeClock(t0)
	r := newRunner(t, clock, checks.Check{Name: "db", Interval: time.Hour, Func: checks.FromFunc((&probe{}).fn)})
	l := newLifecycle(t, r, lifecycle.WithDrainDelay(time.Hour), lifecycle.WithClock(clock))
	if err := l.Start(ctx); err != nil {
		t.Fatal(err)
	}
	first := make(chan struct{})
	go func() { l.Drain(ctx); close(first) }()
	if err := clock.BlockUntil(ctx, 2); err != nil { // periodic loop + drain delay
		t.Fatal(err)
	}
	second := make(chan struct{})
	go func() {
		c, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		l.Drain(c)
		close(second)
	}()
	select {
	case <-second:
	case <-time.After(5 * time.Second):
		t.Error("the second Drain ignored its own context and waited for the first caller's delay")
	}
	clock.Advance(time.Hour)
	<-first
	<-second
	if err := l.Stop(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestStopDuringGateIsNotAFailure: the gate passing at the moment Stop
// begins (between readiness turning "draining" and the gate's context
// being canceled) is not a startup failure: the failure function, which
// exits the app with code 1, must not run.
func TestStopDuringGateIsNotAFailure(t *testing.T) {
	ctx := testCtx(t)
	release := make(chan struct{})
	r := checks.NewRunner()
	t.Cleanup(r.Close)
	if err := r.Register(checks.Check{Name: "db", Timeout: 20 * time.Second, Func: checks.FromFunc(func(ctx context.Context) error {
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})}); err != nil {
		t.Fatal(err)
	}
	failed := make(chan error, 1)
	l := newLifecycle(t, r, lifecycle.WithDrainDelay(0), lifecycle.WithLogger(discard),
		lifecycle.WithOnGateFailure(func(err error) { failed <- err }),
		lifecycle.WithHooks(lifecycle.Hooks{OnReadiness: func(_ bool, reason string) {
			if reason != lifecycle.ReasonDraining {
				return
			}
			close(release) // the gate passes now
			select {
			case <-failed:
				failed <- errors.New("called")
			case <-time.After(time.Second):
			}
		}}))
	startCtx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := l.Start(startCtx); err != nil { // the gate goes on in the background
		t.Fatal(err)
	}
	if err := l.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-failed:
		t.Fatalf("the failure function ran on Stop: %v", err)
	default:
	}
}
