package healthfx

import (
	"context"

	"go.uber.org/fx"
)

// ReadyHook is start work that needs the service's dependencies
// (migrations, queue consumers, cache warm-up), contributed with
// AsReadyHook or OnReady. The hooks run once the startup gate passed, one
// at a time by ascending Order, then Name, before readiness turns true;
// never when the gate gives up. Func's ctx ends when the app stops.
//
// The gate waits only for the Required checks and those with Startup set
// (checks.Check): an Optional dependency may still be down when a hook
// runs. Make the check of what a hook needs Required or Startup (e.g.
// redishealth.Config's Required or Startup).
//
// Each hook is bounded by what is left of HEALTH_STARTUP_MAX_WAIT
// (Config.StartupMaxWait, measured from the gate's start) when it starts:
// the gate and the hooks share the startup budget. A hook still running
// then is logged at warn ("ready hook has not returned after its timeout;
// abandoning it", hook=Name), its ctx is canceled, and it fails with an
// error wrapping context.DeadlineExceeded.
//
// A hook that fails (an error, a panic, its timeout) fails the start like
// a gate that gives up: readiness stays false ("startup failed"), the
// later hooks do not run, and the app stops with exit code 1 (or, when
// the gate passed at its first attempt and a hook failed within the 2 s
// that Start waits for that attempt, app.Start returns the
// *lifecycle.ReadyHookError). A stop while a hook runs abandons it
// ("ready hook abandoned at stop" at warn): app.Stop returns its
// *lifecycle.ReadyHookError, so app.Run exits with code 1. See
// lifecycle.Lifecycle.OnReady.
type ReadyHook struct {
	Name  string
	Order int
	Func  func(ctx context.Context) error
}

// AsReadyHook contributes a ready hook: constructor is any fx constructor
// returning ReadyHook, so it can take what the work needs:
//
//	healthfx.AsReadyHook(func(pool *pgxpool.Pool) healthfx.ReadyHook {
//		return healthfx.ReadyHook{Name: "migrations", Func: func(ctx context.Context) error {
//			return migrate(ctx, pool)
//		}}
//	})
func AsReadyHook(constructor any) fx.Option {
	return fx.Provide(fx.Annotate(constructor, fx.ResultTags(`group:"health.ready"`)))
}

// OnReady contributes fn as a ready hook named name (Order 0).
func OnReady(name string, fn func(ctx context.Context) error) fx.Option {
	return fx.Supply(fx.Annotated{Group: "health.ready", Target: ReadyHook{Name: name, Func: fn}})
}

// sortedReadyHooks orders the ready hooks by Order, then Name.
func sortedReadyHooks(hs []ReadyHook) []ReadyHook {
	return sortedSteps(hs, func(h ReadyHook) (int, string, bool) { return h.Order, h.Name, h.Func != nil })
}
