package lifecycle_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/internal/testutil"
	"github.com/echofx/healthcheck/lifecycle"
)

// runGate runs Gate in a goroutine and returns its result channel.
func runGate(ctx context.Context, r *checks.Runner, opts ...lifecycle.Option) <-chan error {
	done := make(chan error, 1)
	go func() { done <- lifecycle.Gate(ctx, r, opts...) }()
	return done
}

func TestGateDependencyComesUpAtThirdAttempt(t *testing.T) {
	ctx := testCtx(t)
	clock := testutil.NewFakeClock(t0)
	db := &probe{upAt: 3}
	r := newRunner(t, clock, db.check("db"))
	sink := &logSink{}
	var ev events
	done := runGate(ctx, r,
		lifecycle.WithRand(constRand(1)), // every wait is its cap
		lifecycle.WithLogger(sink.logger()),
		lifecycle.WithHooks(lifecycle.Hooks{OnStartupAttempt: func(c string, n int, ok bool) {
			ev.add(fmt.Sprintf("%s#%d:%v", c, n, ok))
		}}),
	)

	for _, wait := range []time.Duration{time.Second, 2 * time.Second} {
		if err := clock.BlockUntil(ctx, 1); err != nil {
			t.Fatal(err)
		}
		clock.Advance(wait - time.Nanosecond)
		if clock.Pending() != 1 {
			t.Fatalf("the wait after a failed attempt ended before %v", wait)
		}
		clock.Advance(time.Nanosecond)
	}
	if err := <-done; err != nil {
		t.Fatalf("Gate = %v, want nil", err)
	}
	if got, want := ev.get(), []string{"db#1:false", "db#2:false", "db#3:true"}; !slices.Equal(got, want) {
		t.Errorf("attempts = %v, want %v", got, want)
	}
	if n := db.calls.Load(); n != 3 {
		t.Errorf("check ran %d times, want 3", n)
	}

	begin := sink.find("startup gate waiting for checks")
	if len(begin) != 1 || begin[0].Level != slog.LevelInfo || !slices.Equal(begin[0].Attrs["checks"].([]string), []string{"db"}) {
		t.Errorf("start of the gate logged as %+v, want once at info with checks [db]", begin)
	}
	waits := sink.find("startup checks failing; retrying")
	if len(waits) != 2 {
		t.Fatalf("got %d wait records, want 2", len(waits))
	}
	for i, w := range waits {
		if w.Level != slog.LevelInfo || w.Attrs["attempt"] != int64(i+1) || w.Attrs["failing"] != "db: connection refused" {
			t.Errorf("wait %d = %v %v", i, w.Level, w.Attrs)
		}
		if want := lifecycle.DefaultStartupInitialBackoff << i; w.Attrs["next_wait"] != want {
			t.Errorf("wait %d next_wait = %v, want %v", i, w.Attrs["next_wait"], want)
		}
	}
	if n := len(sink.find("startup checks passed")); n != 1 {
		t.Errorf("success logged %d times, want once", n)
	}
}

func TestGateNeverUpNamesEveryFailingCheck(t *testing.T) {
	ctx := testCtx(t)
	clock := testutil.NewFakeClock(t0)
	a, b, c := &probe{}, &probe{}, &probe{}
	a.fail.Store(true)
	b.fail.Store(true)
	r := newRunner(t, clock, a.check("alpha"), b.check("beta"), c.check("gamma"))

	err := lifecycle.Gate(ctx, r, lifecycle.WithRand(constRand(0)), lifecycle.WithStartup(lifecycle.StartupConfig{MaxAttempts: 5}), lifecycle.WithLogger(discard))

	var se *lifecycle.StartupError
	if !errors.As(err, &se) {
		t.Fatalf("Gate = %v, want *StartupError", err)
	}
	if !errors.Is(err, lifecycle.ErrStartupFailed) || !errors.Is(err, lifecycle.ErrAttemptsExhausted) {
		t.Errorf("error does not match ErrStartupFailed and ErrAttemptsExhausted: %v", err)
	}
	want := []lifecycle.FailedCheck{
		{Name: "alpha", Attempts: 5, Message: "connection refused"},
		{Name: "beta", Attempts: 5, Message: "connection refused"},
	}
	if !slices.Equal(se.Checks, want) {
		t.Errorf("Checks = %+v, want %+v", se.Checks, want)
	}
	for _, name := range []string{"alpha", "beta"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("Error() %q does not name %s", err, name)
		}
	}
	if strings.Contains(err.Error(), "gamma") {
		t.Errorf("Error() %q names a passing check", err)
	}
	if n := c.calls.Load(); n != 1 {
		t.Errorf("passing check ran %d times, want once", n)
	}
}

// With a real short deadline and waits that would overshoot it, the gate
// returns its own error before the deadline, not the context's.
func TestGateStopsBeforeDeadline(t *testing.T) {
	// 2 s: long enough for the first attempt to end with its own error on a
	// loaded machine (else the check's message is "timeout").
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	db := &probe{}
	db.fail.Store(true)
	r := newRunner(t, checks.SystemClock(), db.check("db"))

	err := lifecycle.Gate(ctx, r,
		lifecycle.WithRand(constRand(1)),
		lifecycle.WithStartup(lifecycle.StartupConfig{MaxAttempts: 100}),
		lifecycle.WithLogger(discard),
	)
	if err == context.DeadlineExceeded {
		t.Fatal("Gate returned the bare context error")
	}
	var se *lifecycle.StartupError
	if !errors.As(err, &se) {
		t.Fatalf("Gate = %v, want *StartupError", err)
	}
	if !errors.Is(se.Cause, context.DeadlineExceeded) {
		t.Errorf("Cause = %v, want context.DeadlineExceeded", se.Cause)
	}
	if len(se.Checks) != 1 || se.Checks[0].Name != "db" || se.Checks[0].Message != "connection refused" {
		t.Errorf("Checks = %+v", se.Checks)
	}
}

// An attempt that would run past the deadline is cut before it.
func TestGateCutsHangingAttemptBeforeDeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	hang := checks.Check{Name: "hang", Timeout: time.Minute, Func: func(ctx context.Context) checks.Report {
		<-ctx.Done() // ends at runner.Close
		return checks.Report{Err: ctx.Err()}
	}}
	r := newRunner(t, checks.SystemClock(), hang)

	err := lifecycle.Gate(ctx, r, lifecycle.WithLogger(discard))
	var se *lifecycle.StartupError
	if !errors.As(err, &se) {
		t.Fatalf("Gate = %v, want *StartupError", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Cause = %v, want context.DeadlineExceeded", se.Cause)
	}
	if want := []lifecycle.FailedCheck{{Name: "hang", Attempts: 1, Message: "timeout"}}; !slices.Equal(se.Checks, want) {
		t.Errorf("Checks = %+v, want %+v", se.Checks, want)
	}
}

func TestGateCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(testCtx(t))
	clock := testutil.NewFakeClock(t0)
	db := &probe{}
	db.fail.Store(true)
	r := newRunner(t, clock, db.check("db"))
	done := runGate(ctx, r, lifecycle.WithRand(constRand(1)), lifecycle.WithLogger(discard))

	if err := clock.BlockUntil(testCtx(t), 1); err != nil { // waiting after attempt 1
		t.Fatal(err)
	}
	cancel()
	err := <-done
	var se *lifecycle.StartupError
	if !errors.As(err, &se) || !errors.Is(err, context.Canceled) {
		t.Fatalf("Gate = %v, want *StartupError caused by context.Canceled", err)
	}
	if se.Checks[0].Attempts != 1 {
		t.Errorf("attempts = %d, want 1", se.Checks[0].Attempts)
	}
	if clock.Pending() != 0 {
		t.Error("the backoff timer was not stopped")
	}
}

// The gate uses its whole budget: with MaxWait 6 s and waits of 1, 2 and
// 4 s, the third wait (it would end at 7 s) is cut to end at 5.4 s, where
// a final attempt runs (the slot before the end: a tenth of the budget,
// less than the check's 5 s Timeout), and only its failure ends the gate.
func TestGateMaxWait(t *testing.T) {
	ctx := testCtx(t)
	clock := testutil.NewFakeClock(t0)
	db := &probe{}
	db.fail.Store(true)
	r := newRunner(t, clock, db.check("db"))
	sink := &logSink{}
	const budget = 6 * time.Second
	done := runGate(ctx, r,
		lifecycle.WithRand(constRand(1)), // every wait is its cap
		lifecycle.WithStartup(lifecycle.StartupConfig{MaxWait: budget}),
		lifecycle.WithLogger(sink.logger()),
	)
	for _, wait := range []time.Duration{time.Second, 2 * time.Second, 2400 * time.Millisecond} {
		if err := clock.BlockUntil(ctx, 1); err != nil {
			t.Fatalf("the gate gave up at %v of a %v budget: %v", clock.Now().Sub(t0), budget, <-done)
		}
		clock.Advance(wait - time.Nanosecond)
		if clock.Pending() != 1 {
			t.Fatalf("the wait after a failed attempt ended before %v", wait)
		}
		clock.Advance(time.Nanosecond)
	}
	err := <-done
	if !errors.Is(err, lifecycle.ErrMaxWaitExceeded) {
		t.Fatalf("Gate = %v, want ErrMaxWaitExceeded", err)
	}
	if n := db.calls.Load(); n != 4 {
		t.Errorf("attempts = %d, want 4 (the last at the end of the budget)", n)
	}
	if gaveUp := clock.Now().Sub(t0); gaveUp < budget*9/10 || gaveUp > budget {
		t.Errorf("gave up at %v of a %v budget, want from 90 %% to 100 %%", gaveUp, budget)
	}
	waits := sink.find("startup checks failing; retrying")
	if len(waits) != 3 || waits[2].Attrs["next_wait"] != 2400*time.Millisecond {
		t.Errorf("waits logged: %+v, want the third cut to 2.4s", waits)
	}
}

// Whatever the jitter draws, the gate gives up between 90 % and 100 % of
// its budget, with a final attempt at the end.
func TestGateGivesUpAtTheEndOfItsBudget(t *testing.T) {
	const budget = 6 * time.Second
	for _, r := range []float64{0.2, 0.5, 0.77, 1} {
		t.Run(fmt.Sprint(r), func(t *testing.T) {
			ctx := testCtx(t)
			clock := testutil.NewFakeClock(t0)
			db := &probe{}
			db.fail.Store(true)
			var lastAttempt time.Duration
			runner := newRunner(t, clock, db.check("db"))
			done := runGate(ctx, runner,
				lifecycle.WithRand(constRand(r)),
				lifecycle.WithStartup(lifecycle.StartupConfig{MaxWait: budget}),
				lifecycle.WithLogger(discard),
				lifecycle.WithHooks(lifecycle.Hooks{OnStartupAttempt: func(string, int, bool) {
					lastAttempt = clock.Now().Sub(t0)
				}}),
			)
			ended, end := context.WithCancel(ctx)
			var err error
			go func() { err = <-done; end() }()
			// Step the clock through each wait the gate starts, 1 ms at a
			// time, until the gate ends.
			for clock.BlockUntil(ended, 1) == nil {
				for clock.Pending() > 0 {
					clock.Advance(time.Millisecond)
				}
			}
			<-ended.Done()
			if !errors.Is(err, lifecycle.ErrMaxWaitExceeded) {
				t.Fatalf("Gate = %v, want ErrMaxWaitExceeded", err)
			}
			if lastAttempt < budget*9/10 || lastAttempt > budget {
				t.Fatalf("the last attempt ran at %v of a %v budget, want from 90 %% to 100 %%", lastAttempt, budget)
			}
		})
	}
}

func TestGateOptionalChecksDoNotBlock(t *testing.T) {
	ctx := testCtx(t)
	clock := testutil.NewFakeClock(t0)
	db, cache := &probe{}, &probe{}
	cache.fail.Store(true)
	hanging := checks.Check{Name: "slow", Criticality: checks.Optional, Timeout: time.Minute,
		Func: func(ctx context.Context) checks.Report {
			<-ctx.Done() // ends at runner.Close
			return checks.Report{Err: ctx.Err()}
		}}
	cacheCheck := cache.check("cache")
	cacheCheck.Criticality = checks.Optional
	r := newRunner(t, clock, db.check("db"), cacheCheck, hanging)
	sink := &logSink{}

	if err := lifecycle.Gate(ctx, r, lifecycle.WithLogger(sink.logger())); err != nil {
		t.Fatalf("Gate = %v, want nil", err)
	}
	if n := cache.calls.Load(); n > 1 {
		t.Errorf("optional check ran %d times, want at most once", n)
	}
	// A failed optional check is logged at warn, when it finished in time.
	for _, w := range sink.find("optional check failed at startup; not blocking") {
		if w.Level != slog.LevelWarn || w.Attrs["check"] != "cache" {
			t.Errorf("unexpected record %+v", w)
		}
	}
}

func TestGateOptionalStartupCheckBlocks(t *testing.T) {
	ctx := testCtx(t)
	clock := testutil.NewFakeClock(t0)
	cache := &probe{}
	cache.fail.Store(true)
	c := cache.check("cache")
	c.Criticality = checks.Optional
	c.Startup = true
	r := newRunner(t, clock, c)

	err := lifecycle.Gate(ctx, r, lifecycle.WithRand(constRand(0)), lifecycle.WithStartup(lifecycle.StartupConfig{MaxAttempts: 2}), lifecycle.WithLogger(discard))
	var se *lifecycle.StartupError
	if !errors.As(err, &se) || len(se.Checks) != 1 || se.Checks[0].Name != "cache" || se.Checks[0].Attempts != 2 {
		t.Fatalf("Gate = %v, want cache failing after 2 attempts", err)
	}
}

func TestGateNoChecks(t *testing.T) {
	r := newRunner(t, testutil.NewFakeClock(t0))
	if err := lifecycle.Gate(testCtx(t), r, lifecycle.WithLogger(discard)); err != nil {
		t.Fatalf("Gate = %v, want nil", err)
	}
}

// A permanent failure ends the gate at its first attempt, with the check's
// message, whatever the budget left.
func TestGatePermanentFailureFailsFast(t *testing.T) {
	ctx := testCtx(t)
	clock := testutil.NewFakeClock(t0)
	var calls atomic.Int32
	missing := checks.Check{Name: "database", Func: func(context.Context) checks.Report {
		calls.Add(1)
		return checks.Report{Err: checks.Permanent(checks.NewSafeError(`database "database_not_exist" does not exist`, errors.New("3D000")))}
	}}
	refused := &probe{}
	refused.fail.Store(true)
	r := newRunner(t, clock, missing, refused.check("redis"))

	err := lifecycle.Gate(ctx, r, lifecycle.WithLogger(discard))
	var se *lifecycle.StartupError
	if !errors.As(err, &se) || !errors.Is(err, checks.ErrPermanent) {
		t.Fatalf("Gate = %v, want a *StartupError caused by ErrPermanentFailure", err)
	}
	if !strings.Contains(err.Error(), `database (1 attempt): database "database_not_exist" does not exist`) {
		t.Errorf("Error() = %q, want the server's message", err)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("permanently failing check ran %d times, want once", n)
	}
}

func TestGateInvalidOptions(t *testing.T) {
	r := newRunner(t, testutil.NewFakeClock(t0))
	tests := []struct {
		opt  lifecycle.Option
		name string
	}{
		{lifecycle.WithStartup(lifecycle.StartupConfig{MaxWait: -1}), "StartupConfig.MaxWait"},
		{lifecycle.WithStartup(lifecycle.StartupConfig{MaxAttempts: -1}), "StartupConfig.MaxAttempts"},
		{lifecycle.WithStartup(lifecycle.StartupConfig{InitialBackoff: -time.Second}), "StartupConfig.InitialBackoff"},
		{lifecycle.WithStartup(lifecycle.StartupConfig{MaxBackoff: -1}), "StartupConfig.MaxBackoff"},
		{lifecycle.WithStartup(lifecycle.StartupConfig{MaxBackoff: time.Millisecond}), "StartupConfig.MaxBackoff"}, // below the initial 1 s
		{lifecycle.WithStartup(lifecycle.StartupConfig{Multiplier: 0.5}), "StartupConfig.Multiplier"},
		{lifecycle.WithDrainDelay(-time.Second), "WithDrainDelay"},
		{lifecycle.WithRemediationBackoff(-1, 0), "WithRemediationBackoff"},
		{lifecycle.WithRemediationBackoff(0, -1), "WithRemediationBackoff"},
		{lifecycle.WithRemediationBackoff(time.Minute, time.Second), "WithRemediationBackoff"}, // max below initial
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, newErr := lifecycle.New(r, tt.opt)
			if l != nil {
				t.Error("New returned a Lifecycle with its error")
			}
			for _, err := range []error{
				newErr,
				lifecycle.Gate(testCtx(t), r, tt.opt),
			} {
				var ce *checks.ConfigError
				if !errors.As(err, &ce) || ce.Setting != tt.name || ce.Package != "lifecycle" || !errors.Is(err, checks.ErrInvalidConfig) {
					t.Fatalf("error = %v, want a *checks.ConfigError naming %s", err, tt.name)
				}
				if !strings.Contains(err.Error(), tt.name) {
					t.Errorf("Error() = %q does not name the option", err)
				}
			}
		})
	}
	if _, err := lifecycle.New(r, lifecycle.WithStartup(lifecycle.StartupConfig{}), lifecycle.WithDrainDelay(0), lifecycle.WithRemediationBackoff(0, 0)); err != nil {
		t.Errorf("valid options: %v", err)
	}
}
