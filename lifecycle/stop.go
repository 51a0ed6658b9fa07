package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/echofx/healthcheck/checks"
)

// cleanup is a named shutdown step.
type cleanup struct {
	name string
	fn   func(ctx context.Context) error
}

// AddCleanup registers a shutdown step. Stop runs the steps after the
// drain, in reverse order of registration (register a resource's cleanup
// right after creating it, as with defer), each with Stop's context. A
// step must honour ctx: one still running when ctx ends is abandoned and
// reported as an error. A panic is recovered and reported as an error.
// Steps added once Stop has begun are not run. A nil fn is ignored.
func (l *Lifecycle) AddCleanup(name string, fn func(ctx context.Context) error) {
	if fn == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.phase >= phaseDraining {
		l.cfg.logger.Warn("cleanup added after Stop began; not run", "cleanup", name)
		return
	}
	l.cleanups = append(l.cleanups, cleanup{name: name, fn: fn})
}

// Stop drains and shuts down, bounded by ctx:
//
//  1. Readiness turns false ("draining") at once; liveness stays true. A
//     startup gate still running is canceled at once (not an error: the
//     failure function of WithOnGateFailure is not called).
//  2. It waits the drain delay on the clock (cut short when ctx ends;
//     skipped when the Lifecycle never became ready), so that load
//     balancers stop sending traffic while requests in flight finish.
//  3. It stops the periodic checks without waiting for their runs in
//     flight (the runner bounds those by the check's Timeout, and
//     Runner.Close cancels them), and stops auto-healing, waiting for a
//     remediation in flight until ctx ends.
//  4. It runs the cleanups in reverse order of registration (see
//     AddCleanup), logging each with its duration and error.
//  5. Readiness reads "stopped", Live false, and "health shutdown
//     completed" is logged: what completed is the health machinery's part
//     (drain, checks, cleanups); the app's own stop hooks (the HTTP server,
//     the database pool) may still be running.
//
// Steps 1 and 2 are Drain, which an app may run earlier (healthfx runs it
// before any other stop hook of the app); Stop then goes on from step 3.
// Stop never waits on a check, even one whose Func ignores its context. It
// returns the errors of steps 3 and 4 joined (errors.Join), or nil; a
// ready hook (OnReady) still running when Stop began is abandoned, logged
// at warn ("ready hook abandoned at stop") and its *ReadyHookError, naming
// it and wrapping context.Canceled, is the first of those errors: the
// start was cut short, so fx's app.Run exits with code 1. It
// is idempotent: later calls wait for the first to complete (or their own
// ctx to end) and return its result. It is safe without Start.
func (l *Lifecycle) Stop(ctx context.Context) error {
	l.mu.Lock()
	if l.stopBegun {
		l.mu.Unlock()
		select {
		case <-l.stopDone:
			return l.stopErr
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	l.stopBegun = true
	l.mu.Unlock()

	start := time.Now()
	l.Drain(ctx)
	l.mu.Lock()
	cleanups := l.cleanups
	l.cleanups = nil
	p := l.periodic
	l.mu.Unlock()
	log := l.cfg.logger
	var errs []error

	if err := l.remedy.stop(ctx); err != nil {
		errs = append(errs, fmt.Errorf("lifecycle: stop auto-healing: %w", err))
	}
	if p != nil {
		p.stop()
	}

	for i := len(cleanups) - 1; i >= 0; i-- {
		c := cleanups[i]
		t := time.Now()
		err := call(ctx, c.fn, nil)
		d := time.Since(t)
		if err != nil {
			safe := checks.SafeMessage(err)
			log.Error("cleanup failed", "cleanup", c.name, "duration", d, "error", safe)
			errs = append(errs, fmt.Errorf("lifecycle: cleanup %s: %w", c.name, checks.NewSafeError(safe, err)))
		} else {
			log.Info("cleanup done", "cleanup", c.name, "duration", d)
		}
	}

	l.mu.Lock()
	if l.abandoned != nil {
		// A start cut short: the hook's work (a migration) was not done.
		errs = append([]error{l.abandoned}, errs...)
	}
	l.mu.Unlock()
	err := errors.Join(errs...)
	l.mu.Lock()
	l.phase = phaseStopped
	l.stopErr = err
	l.mu.Unlock()
	l.live.Store(false)
	l.readinessChanged()
	close(l.stopDone)
	log.Info("health shutdown completed", "duration", time.Since(start), "errors", len(errs))
	return err
}

// Drain runs the first two steps of Stop: readiness turns false
// ("draining") and a gate in flight is canceled at once, then the drain
// delay passes (cut short when ctx ends; skipped when the Lifecycle never
// became ready). It runs once: later calls, and Stop, wait for the first
// (or their own ctx) and do not wait the delay again.
func (l *Lifecycle) Drain(ctx context.Context) {
	l.mu.Lock()
	first := !l.drainBegun
	l.drainBegun = true
	l.mu.Unlock()
	if first {
		// Not a sync.Once: a later caller must not wait inside Do for the
		// first one's delay, past its own ctx.
		defer close(l.drainDone)
		l.drain(ctx)
		l.drained()
		return
	}
	select {
	case <-l.drainDone:
	case <-ctx.Done():
	}
}

func (l *Lifecycle) drain(ctx context.Context) {
	l.mu.Lock()
	wasReady := l.phase == phaseRunning
	if l.phase < phaseDraining {
		l.phase = phaseDraining
	}
	gateDone := l.gateDone
	l.mu.Unlock()
	l.readinessChanged()
	l.stopCancel() // cancels a gate in flight
	if gateDone != nil {
		// The gate returns at once when canceled: its checks' executions
		// go on in the runner, which never makes a caller wait on them.
		select {
		case <-gateDone:
		case <-ctx.Done():
		}
	}
	if !wasReady || l.cfg.drainDelay <= 0 {
		return
	}
	log := l.cfg.logger
	log.Info("draining", "delay", l.cfg.drainDelay)
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < l.cfg.drainDelay {
		log.Warn("drain delay exceeds the stop timeout; cleanups may be cut", "delay", l.cfg.drainDelay, "timeout", time.Until(dl))
	}
	if !sleepCtx(ctx, l.cfg.clock, l.cfg.drainDelay) {
		log.Warn("drain cut short", "error", ctx.Err())
	}
}
