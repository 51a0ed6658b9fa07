package healthfx_test

import (
	"context"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"
	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/echofx/healthcheck/healthfx"
	"github.com/echofx/healthcheck/lifecycle"
)

// TestDrainRunsBeforeEveryStopHook starts a worker from the app's root
// fx.Invoke, after the module (fx would stop it first): the worker's stop
// hook must see readiness already failing ("draining").
func TestDrainRunsBeforeEveryStopHook(t *testing.T) {
	quietEnv(t)
	t.Setenv("HEALTH_DRAIN_DELAY", "50ms")
	var mu sync.Mutex
	var events []string
	record := func(s string) { mu.Lock(); events = append(events, s); mu.Unlock() }
	var lc *lifecycle.Lifecycle
	app := fxtest.New(t, fx.NopLogger,
		fx.Provide(echo.New),
		healthfx.Module,
		fx.Populate(&lc),
		fx.Invoke(func(flc fx.Lifecycle) { // the app's worker, started from a root invoke
			flc.Append(fx.Hook{
				OnStart: func(context.Context) error { record("worker started"); return nil },
				OnStop: func(context.Context) error {
					ready, reason := lc.Readiness()
					if ready || reason != "draining" {
						record("worker stopped while ready")
					} else {
						record("worker stopped after the drain")
					}
					return nil
				},
			})
		}),
	)
	app.RequireStart()
	app.RequireStop()
	mu.Lock()
	defer mu.Unlock()
	if len(events) != 2 || events[1] != "worker stopped after the drain" {
		t.Fatalf("events = %v", events)
	}
}
