package healthfx_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/echofx/healthcheck/healthfx"
	"github.com/echofx/healthcheck/internal/testutil"
	"github.com/echofx/healthcheck/lifecycle"
)

// eventually polls cond every 20 ms until it holds or d passes, for what
// has no event to wait on: Alertmanager's API, a key set's background
// fetch, an HTTP answer that follows the checks' own schedule.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(20 * time.Millisecond) // kept: a poll of state without an event (see above)
	}
}

// waitReady waits (at most d) until lc turns ready, on its OnReadiness hook.
func waitReady(t *testing.T, lc *lifecycle.Lifecycle, d time.Duration) {
	t.Helper()
	ready := make(chan struct{}, 1)
	lc.AddHooks(lifecycle.Hooks{OnReadiness: func(ok bool, _ string) {
		if ok {
			select {
			case ready <- struct{}{}:
			default:
			}
		}
	}})
	if ok, _ := lc.Readiness(); ok {
		return
	}
	select {
	case <-ready:
	case <-time.After(d):
		ok, reason := lc.Readiness()
		t.Fatalf("not ready within %v: %v %q", d, ok, reason)
	}
}

// TestModuleSlowDatabaseAtStart is the bar of a database that comes up
// 20 s after the service, with the module's defaults and fx's default
// 15 s start timeout: app.Start returns (the gate goes on in the
// background), the service is live but not ready meanwhile and does not
// exit, and it is ready within 10 s of the database coming up.
func TestModuleSlowDatabaseAtStart(t *testing.T) {
	if testing.Short() {
		t.Skip("takes 20 s")
	}
	pg := testutil.StartPostgres(t)
	t.Setenv("HEALTH_DRAIN_DELAY", "0") // the only non-default: a quick stop
	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	pool := newPool(t, pg.DSN())
	var lc *lifecycle.Lifecycle
	var e *echo.Echo
	app := fx.New(fx.NopLogger, fx.Provide(echo.New), fx.Supply(pool), healthfx.Module, fx.Populate(&lc, &e))
	ctx, cancel := context.WithTimeout(context.Background(), app.StartTimeout())
	defer cancel()
	if err := app.Start(ctx); err != nil {
		t.Fatalf("Start with the database down: %v", err)
	}
	defer func() { _ = app.Stop(context.Background()) }()
	if ready, reason := lc.Readiness(); ready || reason != lifecycle.ReasonStarting {
		t.Fatalf("readiness while waiting: %v %q", ready, reason)
	}
	if code, body := get(t, e, "/healthcheck/ready", ""); code != 503 || body != `{"status":"error","error":"starting"}` {
		t.Fatalf("ready while waiting: %d %s", code, body)
	}
	if code, _ := get(t, e, "/healthcheck/live", ""); code != 200 {
		t.Fatalf("live while waiting: %d", code)
	}
	select {
	case sig := <-app.Wait():
		t.Fatalf("the app stopped while waiting: %v", sig)
	case <-time.After(20 * time.Second):
	}
	up := time.Now()
	if err := pg.Start(); err != nil {
		t.Fatal(err)
	}
	waitReady(t, lc, 10*time.Second)
	t.Logf("ready %v after the database came up", time.Since(up).Round(time.Millisecond))
	if code, body := get(t, e, "/healthcheck/", ""); code != 200 {
		t.Fatalf("public route: %d %s", code, body)
	}
}

// TestModulePermanentFailuresFailFast: a database that does not exist and
// a wrong password fail app.Start at once with the server's message.
func TestModulePermanentFailuresFailFast(t *testing.T) {
	pg := testutil.StartPostgres(t)
	quietEnv(t)
	wrongPassword := strings.Replace(pg.DSN(), ":"+pg.Password()+"@", ":not-the-password@", 1)
	for _, tc := range []struct{ name, dsn, want string }{
		{"missing database", pg.DSNFor("database_not_exist"), `database "database_not_exist" does not exist`},
		{"wrong password", wrongPassword, "authentication failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.dsn == pg.DSN() {
				t.Fatal("DSN unchanged")
			}
			app := fx.New(fx.NopLogger, fx.Provide(echo.New), fx.Supply(newPool(t, tc.dsn)), healthfx.Module)
			ctx, cancel := context.WithTimeout(context.Background(), app.StartTimeout())
			defer cancel()
			start := time.Now()
			err := app.Start(ctx)
			if !errors.Is(err, lifecycle.ErrStartupFailed) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Start: %v, want the server's %q", err, tc.want)
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Fatalf("took %v", d)
			}
			if strings.Contains(err.Error(), pg.Password()) || strings.Contains(err.Error(), pg.User()) {
				t.Fatalf("error leaks a credential: %v", err)
			}
		})
	}
}

// TestModuleGateGivesUp: a database still down when the wait budget runs
// out stops the app through fx.Shutdowner with exit code 1.
func TestModuleGateGivesUp(t *testing.T) {
	pg := testutil.StartPostgres(t)
	quietEnv(t)
	t.Setenv("HEALTH_STARTUP_MAX_WAIT", "1s")
	t.Setenv("HEALTH_STARTUP_INITIAL_BACKOFF", "100ms")
	t.Setenv("HEALTH_STARTUP_MAX_BACKOFF", "200ms")
	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	app := fxtest.New(t, fx.NopLogger, fx.Provide(echo.New), fx.Supply(newPool(t, pg.DSN())), healthfx.Module)
	app.RequireStart()
	select {
	case sig := <-app.Wait():
		if sig.ExitCode != 1 {
			t.Fatalf("exit code %d, want 1", sig.ExitCode)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the app did not stop after the gate gave up")
	}
	app.RequireStop()
}

// TestModuleStopDuringGate: stopping while the gate waits returns at once
// without error.
func TestModuleStopDuringGate(t *testing.T) {
	pg := testutil.StartPostgres(t)
	quietEnv(t)
	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	app := fxtest.New(t, fx.NopLogger, fx.Provide(echo.New), fx.Supply(newPool(t, pg.DSN())), healthfx.Module)
	app.RequireStart()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := app.Stop(ctx); err != nil {
		t.Fatalf("Stop during the gate: %v", err)
	}
}
