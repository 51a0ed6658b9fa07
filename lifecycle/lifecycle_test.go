package lifecycle_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/internal/testutil"
	"github.com/echofx/healthcheck/lifecycle"
)

func assertReadiness(t *testing.T, l *lifecycle.Lifecycle, ready bool, reason string) {
	t.Helper()
	if gotReady, gotReason := l.Readiness(); gotReady != ready || gotReason != reason {
		t.Fatalf("Readiness() = %v, %q; want %v, %q", gotReady, gotReason, ready, reason)
	}
}

func TestPhases(t *testing.T) {
	ctx := testCtx(t)
	clock := testutil.NewFakeClock(t0)
	r := newRunner(t, clock, (&probe{}).check("db"))
	l := newLifecycle(t, r, lifecycle.WithDrainDelay(0), lifecycle.WithLogger(discard))

	assertReadiness(t, l, false, "starting")
	if !l.Live() {
		t.Fatal("not live after New")
	}
	if err := l.Start(ctx); err != nil {
		t.Fatal(err)
	}
	assertReadiness(t, l, true, "")
	if err := l.Start(ctx); !errors.Is(err, lifecycle.ErrAlreadyStarted) {
		t.Fatalf("second Start = %v, want ErrAlreadyStarted", err)
	}
	if err := l.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	assertReadiness(t, l, false, "stopped")
	if l.Live() {
		t.Fatal("live after Stop")
	}
	if err := l.Start(ctx); !errors.Is(err, lifecycle.ErrStopped) {
		t.Fatalf("Start after Stop = %v, want ErrStopped", err)
	}
}

// A gate that gives up in the background turns readiness to "startup
// failed" and calls the failure function once; Start itself returned nil
// after the first attempt, readiness "starting" meanwhile.
func TestGateFailureInBackground(t *testing.T) {
	ctx := testCtx(t)
	clock := testutil.NewFakeClock(t0)
	db := &probe{}
	db.fail.Store(true)
	r := newRunner(t, clock, db.check("db"))
	failed := make(chan error, 2)
	l := newLifecycle(t, r, lifecycle.WithRand(constRand(1)), lifecycle.WithStartup(lifecycle.StartupConfig{MaxAttempts: 2}),
		lifecycle.WithOnGateFailure(func(err error) { failed <- err }), lifecycle.WithLogger(discard))

	if err := l.Start(ctx); err != nil {
		t.Fatalf("Start = %v, want nil (the gate goes on in the background)", err)
	}
	assertReadiness(t, l, false, "starting")
	if err := clock.BlockUntil(ctx, 1); err != nil { // the wait after attempt 1
		t.Fatal(err)
	}
	clock.Advance(lifecycle.DefaultStartupInitialBackoff)
	err := <-failed
	if !errors.Is(err, lifecycle.ErrStartupFailed) || !errors.Is(err, lifecycle.ErrAttemptsExhausted) {
		t.Fatalf("failure = %v, want attempts exhausted", err)
	}
	assertReadiness(t, l, false, "startup failed")
	if !l.Live() {
		t.Fatal("not live after a failed gate")
	}
	// Stop after a failed start runs the cleanups without draining.
	cleaned := false
	l.AddCleanup("pool", func(context.Context) error { cleaned = true; return nil })
	if err := l.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if !cleaned {
		t.Fatal("cleanup did not run")
	}
	if len(failed) != 0 {
		t.Fatal("failure function called twice")
	}
}

// A permanent failure at the first attempt fails Start itself, at once,
// with the check's message; the failure function is not called.
func TestStartFailsFastOnPermanentFailure(t *testing.T) {
	ctx := testCtx(t)
	r := newRunner(t, testutil.NewFakeClock(t0), checks.Check{Name: "database", Func: func(context.Context) checks.Report {
		return checks.Report{Status: checks.StatusUnhealthy, Message: `database "x" does not exist`, Permanent: true}
	}})
	called := false
	l := newLifecycle(t, r, lifecycle.WithOnGateFailure(func(error) { called = true }), lifecycle.WithLogger(discard))
	err := l.Start(ctx)
	if !errors.Is(err, checks.ErrPermanent) || !strings.Contains(err.Error(), `database "x" does not exist`) {
		t.Fatalf("Start = %v, want a permanent failure with the message", err)
	}
	assertReadiness(t, l, false, "startup failed")
	if err := l.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if called {
		t.Error("failure function called although Start returned the error")
	}
}

// Drain ordering: ready false at once (live true) → drain delay on the
// clock → cleanups in reverse order → done.
func TestStopDrainOrdering(t *testing.T) {
	ctx := testCtx(t)
	clock := testutil.NewFakeClock(t0)
	r := newRunner(t, clock, checks.Check{Name: "db", Interval: time.Hour, Func: checks.FromFunc((&probe{}).fn)})
	sink := &logSink{}
	l := newLifecycle(t, r, lifecycle.WithDrainDelay(5*time.Second), lifecycle.WithLogger(sink.logger()))
	if err := l.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := clock.BlockUntil(ctx, 1); err != nil { // the periodic loop is waiting
		t.Fatal(err)
	}

	var ev events
	for _, name := range []string{"a", "b", "c"} {
		l.AddCleanup(name, func(context.Context) error {
			ready, reason := l.Readiness()
			if ready || reason != "draining" || !l.Live() {
				t.Errorf("cleanup %s: Readiness() = %v, %q, Live() = %v", name, ready, reason, l.Live())
			}
			ev.add("cleanup " + name)
			return nil
		})
	}

	done := make(chan error, 1)
	go func() { done <- l.Stop(ctx) }()
	if err := clock.BlockUntil(ctx, 2); err != nil { // periodic loop + drain delay
		t.Fatal(err)
	}
	ready, reason := l.Readiness()
	ev.add("ready=" + map[bool]string{true: "true", false: "false"}[ready] + " " + reason)
	if !l.Live() {
		t.Error("not live while draining")
	}
	clock.Advance(5*time.Second - time.Nanosecond)
	if got := ev.get(); len(got) != 1 {
		t.Fatalf("cleanups ran before the drain delay ended: %v", got)
	}
	ev.add("delay over")
	clock.Advance(time.Nanosecond)
	if err := <-done; err != nil {
		t.Fatalf("Stop = %v", err)
	}
	ev.add("done")

	want := []string{"ready=false draining", "delay over", "cleanup c", "cleanup b", "cleanup a", "done"}
	if got := ev.get(); !slices.Equal(got, want) {
		t.Errorf("events = %v, want %v", got, want)
	}
	assertReadiness(t, l, false, "stopped")
	if clock.Pending() != 0 {
		t.Errorf("%d timers left after Stop", clock.Pending())
	}
	logs := sink.find("cleanup done")
	if len(logs) != 3 || logs[0].Attrs["cleanup"] != "c" {
		t.Errorf("cleanup logs = %+v", logs)
	}
	if _, ok := logs[0].Attrs["duration"]; !ok {
		t.Error("cleanup log lacks duration")
	}
	// The line says what completed: the app's own stop hooks may still
	// run after it.
	if n := len(sink.find("health shutdown completed")); n != 1 {
		t.Errorf("health shutdown completed logged %d times", n)
	}
	if n := len(sink.find("shutdown completed")); n != 0 {
		t.Errorf(`a bare "shutdown completed" logged %d times while the app's stop hooks may still run`, n)
	}
}

func TestStopDrainCutShortByContext(t *testing.T) {
	clock := testutil.NewFakeClock(t0)
	r := newRunner(t, clock, checks.Check{Name: "db", Interval: time.Hour, Func: checks.FromFunc((&probe{}).fn)})
	l := newLifecycle(t, r, lifecycle.WithDrainDelay(time.Hour), lifecycle.WithLogger(discard))
	if err := l.Start(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(testCtx(t))
	done := make(chan error, 1)
	go func() { done <- l.Stop(ctx) }()
	if err := clock.BlockUntil(testCtx(t), 2); err != nil {
		t.Fatal(err)
	}
	cancel()
	<-done // the error, if any, is ctx's; what matters is that Stop returned
	assertReadiness(t, l, false, "stopped")
}

func TestStopErrorsJoinedAndPanicsRecovered(t *testing.T) {
	ctx := testCtx(t)
	r := newRunner(t, testutil.NewFakeClock(t0))
	sink := &logSink{}
	l := newLifecycle(t, r, lifecycle.WithLogger(sink.logger()))
	errA := errors.New("flush failed")
	var ran []string
	l.AddCleanup("a", func(context.Context) error { ran = append(ran, "a"); return errA })
	l.AddCleanup("b", func(context.Context) error { ran = append(ran, "b"); panic("boom") })
	l.AddCleanup("c", func(context.Context) error { ran = append(ran, "c"); return nil })

	err := l.Stop(ctx)
	if !errors.Is(err, errA) {
		t.Errorf("Stop = %v, want it to wrap %v", err, errA)
	}
	if err == nil || !strings.Contains(err.Error(), "cleanup b: panic: boom") {
		t.Errorf("Stop = %v, want the recovered panic of b", err)
	}
	if want := []string{"c", "b", "a"}; !slices.Equal(ran, want) {
		t.Errorf("ran %v, want %v", ran, want)
	}
	if n := len(sink.find("cleanup failed")); n != 2 {
		t.Errorf("%d cleanup failures logged, want 2", n)
	}
	// Idempotent: the second call returns the first's result, running nothing.
	if err2 := l.Stop(ctx); err2 != err {
		t.Errorf("second Stop = %v, want %v", err2, err)
	}
	if len(ran) != 3 {
		t.Errorf("cleanups ran again: %v", ran)
	}
}

func TestStopWithoutStart(t *testing.T) {
	clock := testutil.NewFakeClock(t0)
	r := newRunner(t, clock, (&probe{}).check("db"))
	l := newLifecycle(t, r, lifecycle.WithLogger(discard)) // default 5 s drain
	if err := l.Stop(testCtx(t)); err != nil {             // would block on the fake clock if it drained
		t.Fatal(err)
	}
	assertReadiness(t, l, false, "stopped")
	if l.Live() {
		t.Fatal("live after Stop")
	}
}

// A Stop during the background gate cancels it at once, without error
// and without calling the failure function; readiness never turned true.
func TestStopCancelsGateInFlight(t *testing.T) {
	ctx := testCtx(t)
	clock := testutil.NewFakeClock(t0)
	db := &probe{}
	db.fail.Store(true)
	r := newRunner(t, clock, db.check("db"))
	called := make(chan error, 1)
	l := newLifecycle(t, r, lifecycle.WithRand(constRand(1)), lifecycle.WithLogger(discard),
		lifecycle.WithOnGateFailure(func(err error) { called <- err }))
	if err := l.Start(ctx); err != nil {
		t.Fatalf("Start = %v", err)
	}
	if err := clock.BlockUntil(ctx, 1); err != nil { // backoff after attempt 1
		t.Fatal(err)
	}
	assertReadiness(t, l, false, "starting")
	if err := l.Stop(ctx); err != nil {
		t.Fatalf("Stop = %v, want nil", err)
	}
	assertReadiness(t, l, false, "stopped")
	select {
	case err := <-called:
		t.Fatalf("failure function called on Stop: %v", err)
	default:
	}
}
