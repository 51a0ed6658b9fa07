package lifecycle

import (
	"context"
	"errors"
	"time"

	"github.com/echofx/healthcheck/checks"
)

// ErrReadyHookFailed is matched (errors.Is) by a *ReadyHookError.
var ErrReadyHookFailed = errors.New("ready hook failed")

// ReadyHookError is the error of a ready hook (see Lifecycle.OnReady) that
// failed, panicked or was abandoned. It matches ErrReadyHookFailed and the
// hook's own error under errors.Is and errors.As.
type ReadyHookError struct {
	// Name is the hook's name.
	Name string
	// Err is the hook's error (a panic is an error "panic: ...").
	Err error
}

// Error names the hook and its sanitized message (checks.SafeMessage: no
// DSN, password or user name), e.g.
//
//	lifecycle: ready hook failed: migrations: relation "x" already exists
func (e *ReadyHookError) Error() string {
	return "lifecycle: " + ErrReadyHookFailed.Error() + ": " + e.Name + ": " + checks.SafeMessage(e.Err)
}

// Unwrap returns ErrReadyHookFailed and Err.
func (e *ReadyHookError) Unwrap() []error { return []error{ErrReadyHookFailed, e.Err} }

// readyHook is a named step run once the startup gate passed.
type readyHook struct {
	name string
	fn   func(ctx context.Context) error
}

// OnReady registers start work that needs the service's dependencies
// (migrations, queue consumers, cache warm-up). The hooks run once the
// startup gate passed (the gate waits only for the Required checks and
// those with Startup set: an Optional dependency may still be down), one
// at a time in registration order, before the
// Lifecycle turns ready and before the periodic checks start; never when
// the gate gives up or Stop cancels it. Their ctx ends when Stop begins
// (a hook that ignores it is abandoned and counts as failed).
//
// A hook that returns an error (or panics) is a failed start, as a gate
// that gives up: the later hooks do not run, Readiness reads "startup
// failed" for good, and the error, a *ReadyHookError, is what Start
// returns when it is still waiting for the gate's first attempt, else what
// the WithOnGateFailure function gets (healthfx stops the app with exit
// code 1). Started, like Readiness, turns true only after the last hook
// returned, so a startupProbe's budget must cover them as it covers the
// gate. Hooks registered once Start was called are not run (a warning
// is logged). A nil fn is ignored.
func (l *Lifecycle) OnReady(name string, fn func(ctx context.Context) error) {
	if fn == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.started {
		l.cfg.logger.Warn("ready hook added after Start; not run", "hook", name)
		return
	}
	l.ready = append(l.ready, readyHook{name: name, fn: fn})
}

// pass runs the ready hooks, then makes the Lifecycle running (see
// becomeRunning). It returns the first hook's error as a *ReadyHookError.
func (l *Lifecycle) pass() error {
	l.mu.Lock()
	hooks := l.ready
	l.mu.Unlock()
	log := l.cfg.logger
	for _, h := range hooks {
		t := time.Now()
		if err := call(l.stopping, h.fn, nil); err != nil {
			herr := &ReadyHookError{Name: h.name, Err: err}
			if l.stopping.Err() == nil {
				log.Error("ready hook failed", "hook", h.name, "duration", time.Since(t), "error", checks.SafeMessage(err))
			}
			return herr
		}
		log.Info("ready hook done", "hook", h.name, "duration", time.Since(t))
	}
	return l.becomeRunning()
}
