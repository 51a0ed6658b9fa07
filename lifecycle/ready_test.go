package lifecycle_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/internal/testutil"
	"github.com/echofx/healthcheck/lifecycle"
)

// A ready hook that needs the database (a migration) runs only once the
// gate saw a real PostgreSQL that came up late, before readiness turns
// true, and its work is then visible.
func TestReadyHookRunsAfterLateDatabase(t *testing.T) {
	pg := testutil.StartPostgres(t)
	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pool, err := pgxpool.New(ctx, pg.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	runner := checks.NewRunner()
	defer runner.Close()
	if err := runner.Register(checks.Check{Name: "postgres", Timeout: 500 * time.Millisecond, Func: checks.FromFunc(pool.Ping)}); err != nil {
		t.Fatal(err)
	}

	var order events
	started := make(chan error, 1)
	isReady := newSignal()
	var lc *lifecycle.Lifecycle
	lc = newLifecycle(t, runner,
		lifecycle.WithDrainDelay(0),
		lifecycle.WithStartup(lifecycle.StartupConfig{InitialBackoff: 50 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, MaxAttempts: 1000, MaxWait: 90 * time.Second}),
		lifecycle.WithLogger(discard),
		lifecycle.WithHooks(lifecycle.Hooks{
			OnStartupAttempt: func(_ string, attempt int, ok bool) {
				order.add(map[bool]string{true: "gate ok", false: "gate fail"}[ok])
				if attempt == 1 && !ok {
					go func() { started <- pg.Start() }()
				}
			},
			OnReadiness: func(ready bool, _ string) {
				if ready {
					order.add("ready")
					isReady.fire()
				}
			},
		}),
	)
	lc.OnReady("migrations", func(ctx context.Context) error {
		if ready, _ := lc.Readiness(); ready {
			order.add("hook saw ready")
		}
		if started, _ := lc.Started(); started {
			order.add("hook saw started")
		}
		_, err := pool.Exec(ctx, "CREATE TABLE migrated (id int)")
		order.add(fmt.Sprintf("migrations err=%v", err))
		return err
	})
	lc.OnReady("consumers", func(context.Context) error { order.add("consumers"); return nil })

	if err := lc.Start(ctx); err != nil {
		t.Fatalf("Start = %v", err)
	}
	if err := <-started; err != nil {
		t.Fatalf("starting postgres: %v", err)
	}
	isReady.wait(t, "ready")

	got := order.get()
	i := slices.Index(got, "gate ok")
	if got[0] != "gate fail" || i < 0 || !slices.Equal(got[i:], []string{"gate ok", "migrations err=<nil>", "consumers", "ready"}) {
		t.Fatalf("order = %v, want gate failures, gate ok, migrations, consumers, ready", got)
	}
	var n int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM migrated").Scan(&n); err != nil {
		t.Fatalf("the migration's table: %v", err)
	}
	if err := lc.Stop(ctx); err != nil {
		t.Fatal(err)
	}
}

// A gate that gives up never runs the ready hooks.
func TestReadyHookNeverRunsWhenGateGivesUp(t *testing.T) {
	p := &probe{}
	p.fail.Store(true)
	runner := newRunner(t, checks.SystemClock(), p.check("db"))
	ran := make(chan struct{}, 1)
	failed := make(chan error, 1)
	lc := newLifecycle(t, runner,
		lifecycle.WithLogger(discard),
		lifecycle.WithStartup(lifecycle.StartupConfig{MaxAttempts: 2, InitialBackoff: time.Millisecond}),
		lifecycle.WithOnGateFailure(func(err error) { failed <- err }),
	)
	lc.OnReady("warm-up", func(context.Context) error { ran <- struct{}{}; return nil })
	ctx := testCtx(t)
	err := lc.Start(ctx)
	if err == nil {
		err = <-failed
	}
	if !errors.Is(err, lifecycle.ErrStartupFailed) {
		t.Fatalf("gate error = %v, want ErrStartupFailed", err)
	}
	select {
	case <-ran:
		t.Fatal("the ready hook ran although the gate gave up")
	default:
	}
	_ = lc.Stop(ctx)
}

// A failing hook is a failed start: Start returns a *ReadyHookError naming
// it (sanitized), readiness reads "startup failed", later hooks never run.
func TestReadyHookFailureFailsStart(t *testing.T) {
	runner := newRunner(t, checks.SystemClock(), (&probe{}).check("db"))
	lc := newLifecycle(t, runner, lifecycle.WithLogger(discard))
	lc.OnReady("migrations", func(context.Context) error {
		return errors.New(`failed to connect to user=admin password=hunter2: relation "x" exists`)
	})
	lc.OnReady("later", func(context.Context) error { t.Error("a later hook ran"); return nil })
	ctx := testCtx(t)
	err := lc.Start(ctx)
	var he *lifecycle.ReadyHookError
	if !errors.As(err, &he) || he.Name != "migrations" || !errors.Is(err, lifecycle.ErrReadyHookFailed) {
		t.Fatalf("Start = %v, want a *ReadyHookError for migrations", err)
	}
	if strings.Contains(err.Error(), "hunter2") || !strings.HasPrefix(err.Error(), "lifecycle: ready hook failed: migrations: ") {
		t.Errorf("Error() = %q", err)
	}
	if ready, reason := lc.Readiness(); ready || reason != lifecycle.ReasonStartupFailed {
		t.Errorf("Readiness = %v %q, want startup failed", ready, reason)
	}
	_ = lc.Stop(ctx)
}

// A hook failing after Start stopped waiting goes to the gate failure
// function, as a gate that gives up in the background; a panic is an error.
func TestReadyHookFailureInBackground(t *testing.T) {
	p := &probe{upAt: 2} // the first attempt fails: the gate goes on in the background
	runner := newRunner(t, checks.SystemClock(), p.check("db"))
	failed := make(chan error, 1)
	lc := newLifecycle(t, runner,
		lifecycle.WithLogger(discard),
		lifecycle.WithStartup(lifecycle.StartupConfig{InitialBackoff: time.Millisecond}),
		lifecycle.WithOnGateFailure(func(err error) { failed <- err }),
	)
	lc.OnReady("consumers", func(context.Context) error { panic("boom") })
	ctx := testCtx(t)
	if err := lc.Start(ctx); err != nil {
		t.Fatalf("Start = %v", err)
	}
	err := <-failed
	if !errors.Is(err, lifecycle.ErrReadyHookFailed) || !strings.Contains(err.Error(), "consumers: panic: boom") {
		t.Fatalf("failure = %v", err)
	}
	if ready, reason := lc.Readiness(); ready || reason != lifecycle.ReasonStartupFailed {
		t.Errorf("Readiness = %v %q, want startup failed", ready, reason)
	}
	_ = lc.Stop(ctx)
}

// Stop cancels a hook in flight; the failure function is not called, but
// Stop logs the abandoned hook at warn and returns its *ReadyHookError
// (the start was cut short: fx's app.Run then exits with code 1).
func TestReadyHookCanceledByStop(t *testing.T) {
	runner := newRunner(t, checks.SystemClock(), (&probe{}).check("db"))
	inHook := make(chan struct{})
	var sink logSink
	lc := newLifecycle(t, runner, lifecycle.WithLogger(sink.logger()),
		lifecycle.WithOnGateFailure(func(err error) { t.Errorf("failure function called: %v", err) }))
	lc.OnReady("warm-up", func(ctx context.Context) error { close(inHook); <-ctx.Done(); return ctx.Err() })
	ctx := testCtx(t)
	started := make(chan error, 1)
	go func() { started <- lc.Start(ctx) }()
	<-inHook
	err := lc.Stop(ctx)
	var herr *lifecycle.ReadyHookError
	if !errors.As(err, &herr) || herr.Name != "warm-up" || !errors.Is(err, context.Canceled) {
		t.Fatalf("Stop = %v, want a *ReadyHookError naming warm-up, wrapping context.Canceled", err)
	}
	if recs := sink.find("ready hook abandoned at stop"); len(recs) != 1 || recs[0].Level != slog.LevelWarn || recs[0].Attrs["hook"] != "warm-up" {
		t.Errorf("log = %+v, want one warning naming warm-up", recs)
	}
	if ready, _ := lc.Readiness(); ready {
		t.Error("ready after Stop")
	}
	<-started
}

// A hook that does not return within its timeout (by default what is left
// of the startup budget, MaxWait from the gate's start, on the clock) is
// logged at warn, its ctx is canceled, and it is abandoned as a failed
// start: a *ReadyHookError naming it and wrapping
// context.DeadlineExceeded; the later hooks do not run, readiness and
// Started read "startup failed".
func TestReadyHookTimeoutFromStartupBudget(t *testing.T) {
	clock := testutil.NewFakeClock(t0)
	p := &probe{upAt: 2} // one failed attempt: 1 s of the budget spent
	runner := newRunner(t, clock, p.check("db"))
	var sink logSink
	failed := make(chan error, 1)
	lc := newLifecycle(t, runner, lifecycle.WithLogger(sink.logger()), lifecycle.WithRand(constRand(1)),
		lifecycle.WithStartup(lifecycle.StartupConfig{MaxWait: 10 * time.Second}),
		lifecycle.WithOnGateFailure(func(err error) { failed <- err }))
	inHook, release := make(chan struct{}), make(chan struct{})
	hookCtx := make(chan context.Context, 1)
	lc.OnReady("migrations", func(ctx context.Context) error {
		hookCtx <- ctx
		close(inHook)
		<-release // ignores ctx
		return nil
	})
	lc.OnReady("consumers", func(context.Context) error { t.Error("a hook after the abandoned one ran"); return nil })
	defer close(release)
	ctx := testCtx(t)
	started := make(chan error, 1)
	go func() { started <- lc.Start(ctx) }()
	if err := clock.BlockUntil(ctx, 1); err != nil { // the gate's wait
		t.Fatal(err)
	}
	clock.Advance(time.Second)
	<-inHook
	if err := clock.BlockUntil(ctx, 1); err != nil { // the hook's timeout
		t.Fatal(err)
	}
	clock.Advance(10*time.Second - time.Nanosecond)
	if recs := sink.find("ready hook has not returned after its timeout; abandoning it"); len(recs) != 0 {
		t.Fatalf("warned before the timeout: %+v", recs)
	}
	clock.Advance(time.Nanosecond)
	var err error
	select { // Start reports it unless its 2 s (real time) ran out first
	case err = <-started:
		if err == nil {
			err = <-failed
		}
	case err = <-failed:
	}
	var herr *lifecycle.ReadyHookError
	if !errors.As(err, &herr) || herr.Name != "migrations" || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error = %v, want a *ReadyHookError naming migrations, wrapping context.DeadlineExceeded", err)
	}
	recs := sink.find("ready hook has not returned after its timeout; abandoning it")
	if len(recs) != 1 || recs[0].Level != slog.LevelWarn || recs[0].Attrs["hook"] != "migrations" || recs[0].Attrs["timeout"] != 10*time.Second {
		t.Fatalf("log = %+v, want one warning naming migrations with its 10 s timeout (MaxWait)", recs)
	}
	if err := context.Cause(<-hookCtx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("the hook's ctx cause = %v, want context.DeadlineExceeded", err)
	}
	if ready, reason := lc.Readiness(); ready || reason != lifecycle.ReasonStartupFailed {
		t.Errorf("Readiness = %v %q, want startup failed", ready, reason)
	}
	if ok, reason := lc.Started(); ok || reason != lifecycle.ReasonStartupFailed {
		t.Errorf("Started = %v %q, want startup failed", ok, reason)
	}
	if err := lc.Stop(ctx); err != nil {
		t.Errorf("Stop after a failed start = %v", err)
	}
}

// StartupConfig.ReadyHookTimeout bounds each hook on its own; negative is
// a *checks.ConfigError.
func TestReadyHookTimeoutSet(t *testing.T) {
	if _, err := lifecycle.New(checks.NewRunner(), lifecycle.WithStartup(lifecycle.StartupConfig{ReadyHookTimeout: -time.Second})); !errors.Is(err, checks.ErrInvalidConfig) || !strings.Contains(err.Error(), "ReadyHookTimeout") {
		t.Fatalf("New with a negative ReadyHookTimeout = %v", err)
	}
	clock := testutil.NewFakeClock(t0)
	runner := newRunner(t, clock, (&probe{}).check("db"))
	var sink logSink
	failed := make(chan error, 1)
	lc := newLifecycle(t, runner, lifecycle.WithLogger(sink.logger()),
		lifecycle.WithStartup(lifecycle.StartupConfig{ReadyHookTimeout: 3 * time.Second}),
		lifecycle.WithOnGateFailure(func(err error) { failed <- err }))
	var order events
	lc.OnReady("a", func(context.Context) error { order.add("a"); return nil })
	inB := make(chan struct{})
	lc.OnReady("b", func(ctx context.Context) error { close(inB); <-ctx.Done(); return ctx.Err() }) // honours ctx
	ctx := testCtx(t)
	started := make(chan error, 1)
	go func() { started <- lc.Start(ctx) }()
	<-inB                                            // a's timer is stopped, b's armed
	if err := clock.BlockUntil(ctx, 1); err != nil { // b's timeout
		t.Fatal(err)
	}
	clock.Advance(3 * time.Second)
	var err error
	select {
	case err = <-started:
		if err == nil {
			err = <-failed
		}
	case err = <-failed:
	}
	var herr *lifecycle.ReadyHookError
	if !errors.As(err, &herr) || herr.Name != "b" || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "ready hook failed: b: timeout") || !strings.Contains(herr.Err.Error(), "abandoned after its timeout of 3s") {
		t.Fatalf("error = %v (%v), want b abandoned after its timeout of 3s", err, herr)
	}
	if got := order.get(); !slices.Equal(got, []string{"a"}) {
		t.Errorf("ran %v, want a", got)
	}
	if recs := sink.find("ready hook has not returned after its timeout; abandoning it"); len(recs) != 1 || recs[0].Attrs["hook"] != "b" {
		t.Errorf("log = %+v", recs)
	}
	_ = lc.Stop(ctx)
}

// OnDrained is told once the drain ended, before Drain returns.
func TestOnDrainedHook(t *testing.T) {
	runner := newRunner(t, checks.SystemClock(), (&probe{}).check("db"))
	var got events
	lc := newLifecycle(t, runner, lifecycle.WithLogger(discard), lifecycle.WithDrainDelay(0),
		lifecycle.WithHooks(lifecycle.Hooks{OnDrained: func() { got.add("drained") }}))
	ctx := testCtx(t)
	if err := lc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	lc.Drain(ctx)
	if !slices.Equal(got.get(), []string{"drained"}) {
		t.Fatalf("after Drain: %v, want one drained", got.get())
	}
	if err := lc.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.get(), []string{"drained"}) {
		t.Fatalf("after Stop: %v, want one drained", got.get())
	}
}
