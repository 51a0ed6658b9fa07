package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/echofx/healthcheck/checks"
)

// ErrReadyHookFailed is matched (errors.Is) by a *ReadyHookError.
var ErrReadyHookFailed = errors.New("ready hook failed")

// ReadyHookError is the error of a ready hook (see Lifecycle.OnReady) that
// failed, panicked or was abandoned. It matches ErrReadyHookFailed and the
// hook's own error under errors.Is and errors.As; errors.As on it names
// the hook that failed (Name).
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
// the gate gives up or Stop cancels it.
//
// Each hook is bounded by StartupConfig.ReadyHookTimeout, by default the
// startup budget (MaxWait) for each hook. A hook still running at its timeout is logged at warn ("ready
// hook has not returned after its timeout; abandoning it", naming it),
// its ctx is canceled (cause context.DeadlineExceeded) and it is
// abandoned as failed, its error wrapping context.DeadlineExceeded. Their
// ctx also ends when Stop begins: a hook then abandoned is logged at warn
// ("ready hook abandoned at stop") and its *ReadyHookError is returned by
// Stop, so that a start cut short is not a clean exit (fx's app.Run exits
// with code 1).
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
	for _, h := range hooks {
		if err := l.runReadyHook(h); err != nil {
			return err
		}
	}
	return l.becomeRunning()
}

// readyHookTimeout is a hook's timeout: StartupConfig.ReadyHookTimeout,
// else the startup budget (MaxWait).
func (l *Lifecycle) readyHookTimeout() time.Duration {
	if d := l.cfg.readyHookTimeout; d > 0 {
		return d
	}
	return l.cfg.maxWait
}

// runReadyHook runs one hook under l.stopping and its timeout (on the
// clock). A hook still running at its timeout is logged at warn, its ctx
// is canceled and it is abandoned: its error wraps
// context.DeadlineExceeded. A hook abandoned because Stop began is logged
// at warn and kept for Stop to return.
func (l *Lifecycle) runReadyHook(h readyHook) error {
	log := l.cfg.logger
	timeout := l.readyHookTimeout()
	ctx, cancel := context.WithCancelCause(l.stopping)
	defer cancel(nil)
	var timedOut atomic.Bool
	start := time.Now()
	timer := l.cfg.clock.NewTimer(timeout)
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		select {
		case <-timer.C():
			timedOut.Store(true)
			log.Warn("ready hook has not returned after its timeout; abandoning it", "hook", h.name, "timeout", timeout)
			cancel(context.DeadlineExceeded)
		case <-ctx.Done():
		}
	}()
	err := call(ctx, h.fn, nil)
	timer.Stop()
	cancel(nil)
	<-watched
	d := time.Since(start)
	if err == nil {
		log.Info("ready hook done", "hook", h.name, "duration", d)
		return nil
	}
	if timedOut.Load() && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)) {
		err = fmt.Errorf("abandoned after its timeout of %v: %w", timeout, context.DeadlineExceeded)
	}
	herr := &ReadyHookError{Name: h.name, Err: err}
	if l.stopping.Err() != nil && !timedOut.Load() {
		log.Warn("ready hook abandoned at stop", "hook", h.name, "duration", d, "error", checks.SafeMessage(err))
		l.mu.Lock()
		l.abandoned = herr
		l.mu.Unlock()
		return herr
	}
	log.Error("ready hook failed", "hook", h.name, "duration", d, "error", checks.SafeMessage(err))
	return herr
}
