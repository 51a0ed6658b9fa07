package healthfx_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"
	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/healthfx"
	"github.com/echofx/healthcheck/internal/testutil"
	"github.com/echofx/healthcheck/lifecycle"
)

type orderLog struct {
	mu   sync.Mutex
	list []string
}

func (o *orderLog) add(s string) { o.mu.Lock(); o.list = append(o.list, s); o.mu.Unlock() }
func (o *orderLog) get() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.list)
}

// A ready hook contributed through fx migrates a real PostgreSQL that
// comes up after the app started: it runs after the gate passed, before
// readiness, in Order then Name order.
func TestReadyHookAfterLateDatabase(t *testing.T) {
	pg := testutil.StartPostgres(t)
	t.Setenv("HEALTH_DRAIN_DELAY", "0")
	t.Setenv("HEALTH_STARTUP_INITIAL_BACKOFF", "50ms")
	t.Setenv("HEALTH_STARTUP_MAX_BACKOFF", "200ms")
	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	pool := newPool(t, pg.DSN())
	var order orderLog
	var lc *lifecycle.Lifecycle
	var e *echo.Echo
	app := fx.New(fx.NopLogger, fx.Provide(echo.New), fx.Supply(pool), healthfx.Module,
		healthfx.AsReadyHook(func(pool *pgxpool.Pool) healthfx.ReadyHook {
			return healthfx.ReadyHook{Name: "migrations", Order: -1, Func: func(ctx context.Context) error {
				if ready, _ := lc.Readiness(); ready {
					order.add("ready before migrations")
				}
				_, err := pool.Exec(ctx, "CREATE TABLE migrated (id int)")
				order.add("migrations")
				return err
			}}
		}),
		healthfx.OnReady("consumers", func(context.Context) error { order.add("consumers"); return nil }),
		fx.Populate(&lc, &e))
	if err := app.Err(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := app.Start(ctx); err != nil {
		t.Fatalf("Start with the database down: %v", err)
	}
	defer func() { _ = app.Stop(context.Background()) }()
	if got := order.get(); len(got) != 0 {
		t.Fatalf("hooks ran before the database came up: %v", got)
	}
	if code, _ := get(t, e, "/healthcheck/ready", ""); code != 503 {
		t.Fatalf("ready while waiting: %d", code)
	}
	if err := pg.Start(); err != nil {
		t.Fatal(err)
	}
	waitReady(t, lc, 30*time.Second)
	if got := order.get(); !slices.Equal(got, []string{"migrations", "consumers"}) {
		t.Fatalf("order = %v, want migrations then consumers, both before readiness", got)
	}
	if code, body := get(t, e, "/healthcheck/ready", ""); code != 200 {
		t.Fatalf("ready: %d %s", code, body)
	}
}

// A ready hook that fails after the gate went on in the background stops
// the app with exit code 1, readiness never true.
func TestReadyHookFailureStopsApp(t *testing.T) {
	pg := testutil.StartPostgres(t)
	t.Setenv("HEALTH_DRAIN_DELAY", "0")
	t.Setenv("HEALTH_STARTUP_INITIAL_BACKOFF", "50ms")
	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	pool := newPool(t, pg.DSN())
	var lc *lifecycle.Lifecycle
	app := fx.New(fx.NopLogger, fx.Provide(echo.New), fx.Supply(pool), healthfx.Module,
		healthfx.OnReady("migrations", func(context.Context) error { return errors.New("migration 7 failed") }),
		fx.Populate(&lc))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := app.Start(ctx); err != nil {
		t.Fatalf("Start: %v", err)
	}
	defer func() { _ = app.Stop(context.Background()) }()
	if err := pg.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case sig := <-app.Wait():
		if sig.ExitCode != 1 {
			t.Fatalf("exit code %d, want 1", sig.ExitCode)
		}
	case <-ctx.Done():
		t.Fatal("the app did not stop after its ready hook failed")
	}
	if ready, reason := lc.Readiness(); ready || reason != lifecycle.ReasonStartupFailed {
		t.Fatalf("readiness = %v %q", ready, reason)
	}
}

// A ready hook that never returns is bounded by
// HEALTH_STARTUP_MAX_WAIT: past it the log names the hook at warn, and the
// app stops with exit code 1, the error naming the hook.
func TestReadyHookTimeoutStopsApp(t *testing.T) {
	quietEnv(t)
	t.Setenv("HEALTH_STARTUP_MAX_WAIT", "3s") // past the 2 s of app.Start: the stop comes from the background
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	release := make(chan struct{})
	defer close(release)
	var lc *lifecycle.Lifecycle
	app := fxtest.New(t, fx.NopLogger, fx.Provide(echo.New), fx.Supply(logger),
		healthfx.SupplyCheck(checks.Check{Name: "db", Func: checks.FromFunc(func(context.Context) error { return nil })}),
		healthfx.Module,
		healthfx.OnReady("migrations", func(context.Context) error { <-release; return nil }), // ignores ctx
		fx.Populate(&lc))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := app.Start(ctx); err != nil {
		t.Fatalf("Start: %v", err)
	}
	defer app.RequireStop()
	select {
	case sig := <-app.Wait():
		if sig.ExitCode != 1 {
			t.Fatalf("exit code %d, want 1", sig.ExitCode)
		}
	case <-ctx.Done():
		t.Fatal("the app did not stop after its ready hook timed out")
	}
	out := logs.String()
	for _, want := range []string{
		`level=WARN msg="ready hook has not returned after its timeout; abandoning it" hook=migrations`,
		`msg="ready hook failed: stopping the service" error="lifecycle: ready hook failed: migrations: timeout"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s:\n%s", want, out)
		}
	}
	if started, reason := lc.Started(); started || reason != lifecycle.ReasonStartupFailed {
		t.Errorf("Started = %v %q", started, reason)
	}
}

// A stop while a ready hook runs abandons it: app.Stop returns its
// *lifecycle.ReadyHookError (so fx's app.Run exits with code 1, as the
// README says) and the log names it.
func TestReadyHookAbandonedAtStop(t *testing.T) {
	quietEnv(t)
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	inHook := make(chan struct{})
	app := fxtest.New(t, fx.NopLogger, fx.Provide(echo.New), fx.Supply(logger),
		healthfx.SupplyCheck(checks.Check{Name: "db", Func: checks.FromFunc(func(context.Context) error { return nil })}),
		healthfx.Module,
		healthfx.OnReady("migrations", func(ctx context.Context) error { close(inHook); <-ctx.Done(); return ctx.Err() }))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := app.Start(ctx); err != nil { // after its 2 s: the hook goes on in the background
		t.Fatalf("Start: %v", err)
	}
	<-inHook
	err := app.Stop(ctx)
	var herr *lifecycle.ReadyHookError
	if !errors.As(err, &herr) || herr.Name != "migrations" || !errors.Is(err, context.Canceled) {
		t.Fatalf("Stop = %v, want a *lifecycle.ReadyHookError naming migrations", err)
	}
	if want := `level=WARN msg="ready hook abandoned at stop" hook=migrations`; !strings.Contains(logs.String(), want) {
		t.Errorf("log lacks %s:\n%s", want, logs.String())
	}
}
