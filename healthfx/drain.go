package healthfx

import (
	"context"
	"sync"

	"go.uber.org/fx"
)

// drainFirst decorates the app's fx.Lifecycle so that every stop hook
// appended through it first waits for the health drain: fx stops hooks in
// reverse order of appending, and a root fx.Invoke appends after the
// module's, so without this a worker started from the app's root invoke
// would stop before readiness turned 503.
func drainFirst(lc fx.Lifecycle) fx.Lifecycle {
	return &drainLifecycle{Lifecycle: lc, gate: &drainGate{}}
}

// drainLifecycle is the decorated fx.Lifecycle.
type drainLifecycle struct {
	fx.Lifecycle
	gate *drainGate
}

// Append implements fx.Lifecycle: the hook's OnStop first waits for the
// drain.
func (d *drainLifecycle) Append(h fx.Hook) {
	if stop := h.OnStop; stop != nil {
		h.OnStop = func(ctx context.Context) error {
			d.gate.wait(ctx)
			return stop(ctx)
		}
	}
	d.Lifecycle.Append(h)
}

// drainGate runs the drain once, when the first stop hook runs.
type drainGate struct {
	mu    sync.Mutex
	drain func(context.Context)
}

func (g *drainGate) set(drain func(context.Context)) {
	g.mu.Lock()
	g.drain = drain
	g.mu.Unlock()
}

func (g *drainGate) wait(ctx context.Context) {
	g.mu.Lock()
	drain := g.drain
	g.mu.Unlock()
	if drain != nil {
		drain(ctx) // lifecycle.Drain: once, later calls return at once
	}
}
