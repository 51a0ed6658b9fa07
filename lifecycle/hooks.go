package lifecycle

import (
	"sync"

	"github.com/echofx/healthcheck/checks"
)

// Hooks receive lifecycle events, for metrics and other adapters. Nil fields are skipped. They
// are called synchronously, must be quick and must not block; a panicking
// hook is recovered and ignored.
type Hooks struct {
	// OnStartupAttempt is called by the startup gate after each attempt of
	// each check it waits for, with the attempt number (from 1) and
	// whether the check passed (healthy or degraded).
	OnStartupAttempt func(check string, attempt int, ok bool)
	// OnRemediation is called after each run of a check's Remediate, with
	// its error (nil on success; a recovered panic or an exceeded timeout
	// is an error).
	OnRemediation func(check string, err error)
	// OnReadiness is called after every change of Readiness (the gate
	// passed, it failed, the drain began, Stop completed) with its new
	// values, e.g. to push NOT_SERVING to gRPC health watchers at once.
	// It may be called again with unchanged values.
	OnReadiness func(ready bool, reason string)
	// OnDrained is called once, when the drain (Drain, or the first steps
	// of Stop) has ended, before any caller waiting on it goes on: e.g. to
	// end gRPC Watch streams before the app's GracefulStop, which healthfx
	// runs after the drain whatever the order of the app's stop hooks.
	OnDrained func()
	// OnMaintenance is called after every change of the maintenance
	// window (EnterMaintenance, EndMaintenance, its expiry) with the
	// window now in force (Active false once it ended), one call at a
	// time in the order of the changes, before the call that made the
	// change returns (for an expiry, on the clock's timer goroutine).
	// Unlike the other hooks it may do bounded I/O: healthfx creates and
	// expires the Alertmanager silence here.
	OnMaintenance func(m checks.Maintenance)
}

// hookSet is the Hooks of a Lifecycle; AddHooks may grow it at any time.
type hookSet struct {
	mu   sync.RWMutex
	list []Hooks
}

func (s *hookSet) add(h Hooks) {
	s.mu.Lock()
	s.list = append(s.list, h)
	s.mu.Unlock()
}

// AddHooks adds event hooks after New (WithHooks adds them at New), e.g.
// from an adapter that must follow readiness. Safe for concurrent use;
// events already past are not replayed.
func (l *Lifecycle) AddHooks(h Hooks) { l.cfg.hooks.add(h) }

// emit calls f for every hook set, recovering panics.
func emit(hooks *hookSet, f func(Hooks)) {
	hooks.mu.RLock()
	list := hooks.list
	hooks.mu.RUnlock()
	for _, h := range list {
		func() {
			defer func() { _ = recover() }()
			f(h)
		}()
	}
}

func (c *config) startupAttempt(check string, attempt int, ok bool) {
	emit(c.hooks, func(h Hooks) {
		if h.OnStartupAttempt != nil {
			h.OnStartupAttempt(check, attempt, ok)
		}
	})
}

func (c *config) remediation(check string, err error) {
	emit(c.hooks, func(h Hooks) {
		if h.OnRemediation != nil {
			h.OnRemediation(check, err)
		}
	})
}

// readinessChanged tells the hooks the current Readiness. Call it without
// holding l.mu.
func (l *Lifecycle) readinessChanged() {
	ready, reason := l.Readiness()
	emit(l.cfg.hooks, func(h Hooks) {
		if h.OnReadiness != nil {
			h.OnReadiness(ready, reason)
		}
	})
}

// drained tells the hooks that the drain ended.
func (l *Lifecycle) drained() {
	emit(l.cfg.hooks, func(h Hooks) {
		if h.OnDrained != nil {
			h.OnDrained()
		}
	})
}
