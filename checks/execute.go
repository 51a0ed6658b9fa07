package checks

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// errPanic is the Err of a report whose Func panicked; the panic value is
// dropped, since it may hold anything.
var errPanic = errors.New("check panicked")

// resolve returns st's cached result while fresh, else executes.
func (r *Runner) resolve(ctx context.Context, st *state) (Result, error) {
	if last, ok := r.freshResult(st); ok {
		return last, nil
	}
	return r.exec(ctx, st, false)
}

// freshResult returns st's result if it is younger than the TTL.
func (r *Runner) freshResult(st *state) (Result, bool) {
	if st.fresh.Load() == 0 {
		return Result{}, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return st.last, true
}

// exec runs st's check once, coalesced with any execution in flight. Unless
// force is set, a flight that finds a fresh result (recorded by another
// flight since the caller looked) returns it instead of running again, so
// a dependency sees at most one execution per TTL from reads.
func (r *Runner) exec(ctx context.Context, st *state, force bool) (Result, error) {
	if r.closed.Load() {
		return Result{}, ErrClosed
	}
	ran := false
	ch := r.group.DoChan(st.check.Name, func() (any, error) {
		ran = true
		if !force {
			if last, ok := r.freshResult(st); ok {
				return last, nil
			}
		}
		return r.runOnce(ctx, st), nil
	})
	select {
	case res := <-ch:
		if !ran {
			r.emit(func(h Hooks) {
				if h.OnCoalesced != nil {
					h.OnCoalesced(st.check.Name)
				}
			})
		}
		return res.Val.(Result), nil
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
}

// runOnce executes st's check (after its dependencies) and records the
// result. It is only called inside the singleflight for st.
//
// While an earlier execution of st that was abandoned at its deadline (its
// Func ignored ctx) has not returned, the Func is not called again: the
// check reads unhealthy "timeout after <timeout>" with the detail
// "abandoned_since", so a Func that never returns holds one goroutine,
// however often the check is read.
func (r *Runner) runOnce(callerCtx context.Context, st *state) Result {
	c := &st.check
	if since := st.abandoned.Load(); since != nil {
		return r.record(st, Report{
			Status:  StatusUnhealthy,
			Message: "timeout after " + c.Timeout.String(),
			Details: map[string]any{"abandoned_since": since.UTC().Format(time.RFC3339Nano)},
		}, 0, false)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(callerCtx), c.Timeout)
	defer cancel()
	stop := context.AfterFunc(r.baseCtx, cancel)
	defer stop()

	start := time.Now()
	for _, name := range c.DependsOn {
		dep, err := r.state(name)
		if err != nil {
			continue // unreachable: validated at registration
		}
		res, err := r.resolve(ctx, dep)
		switch {
		case err != nil:
			return r.record(st, Report{Status: StatusUnhealthy, Message: "dependency " + name + ": " + SafeMessage(err)}, time.Since(start), true)
		case res.Status == StatusUnhealthy:
			return r.record(st, Report{Status: StatusUnhealthy, Message: "dependency " + name + " unhealthy"}, time.Since(start), true)
		}
	}
	rep := call(ctx, c.Func, c.Timeout, func() {
		now := r.cfg.clock.Now()
		st.abandoned.Store(&now)
	}, func() { st.abandoned.Store(nil) })
	return r.record(st, rep, time.Since(start), false)
}

// Outcomes of a call's Func, for the handshake between call and its
// goroutine.
const (
	fnRunning int32 = iota
	fnReturned
	fnAbandoned
)

// call runs fn with panic recovery, abandoning it when ctx ends. The
// goroutine of an abandoned fn exits as soon as fn returns. The report's
// Message is filled in (from Err) inside the recovered goroutine, since a
// user error's methods may panic too.
//
// When call abandons fn it calls onAbandon before returning, and onReturn
// is called once fn has returned, always after onAbandon (by the
// goroutine, or by call itself when fn returned while it was abandoning
// it): between the two, the caller knows an execution is outstanding.
func call(ctx context.Context, fn Func, timeout time.Duration, onAbandon, onReturn func()) Report {
	done := make(chan Report, 1)
	var outcome atomic.Int32
	go func() {
		defer func() {
			if !outcome.CompareAndSwap(fnRunning, fnReturned) {
				onReturn() // call abandoned fn and has called onAbandon
			}
		}()
		defer func() {
			if p := recover(); p != nil {
				done <- Report{Status: StatusUnhealthy, Message: "check panicked", Err: errPanic}
			}
		}()
		rep := fn(ctx)
		if rep.Err != nil {
			if rep.Message == "" {
				rep.Message = SafeMessage(rep.Err)
			}
			rep.Permanent = rep.Permanent || IsPermanent(rep.Err)
		}
		done <- rep
	}()
	select {
	case rep := <-done:
		if rep.Err == nil && ctx.Err() != nil && rep.Status == StatusUnknown {
			// The Func returned promptly on its deadline without an error.
			return Report{Status: StatusUnhealthy, Message: "timeout after " + timeout.String()}
		}
		failed := rep.Status == StatusUnhealthy || rep.Status == StatusUnknown && rep.Err != nil
		if failed && errors.Is(ctx.Err(), context.DeadlineExceeded) {
			// However the Func words it ("timeout", "i/o timeout",
			// "canceling statement"), a failure at the deadline reads the
			// same as an abandoned Func.
			rep.Status, rep.Message = StatusUnhealthy, "timeout after "+timeout.String()
			rep.Permanent = false
		}
		return rep
	case <-ctx.Done():
		// Mark the execution outstanding before the goroutine can see it
		// abandoned, so that its onReturn always comes after; undo the
		// mark when fn returned meanwhile.
		onAbandon()
		if !outcome.CompareAndSwap(fnRunning, fnAbandoned) {
			onReturn()
		}
		if ctx.Err() == context.Canceled {
			return Report{Status: StatusUnhealthy, Message: "canceled"}
		}
		return Report{Status: StatusUnhealthy, Message: "timeout after " + timeout.String()}
	}
}

// record stores an execution's outcome, publishes a new snapshot and emits
// hooks.
func (r *Runner) record(st *state, rep Report, d time.Duration, skipped bool) Result {
	observed := rep.Status
	if observed == StatusUnknown {
		observed = StatusHealthy
		if rep.Err != nil {
			observed = StatusUnhealthy
		}
	}
	msg := truncate(rep.Message)
	if msg == "" && observed == StatusUnhealthy {
		msg = "check failed"
	}

	r.mu.Lock()
	if r.closed.Load() {
		// Close cancelled this execution: its "canceled" must not replace
		// the last real result.
		last := st.last
		r.mu.Unlock()
		return last
	}
	now := r.cfg.clock.Now()
	prev := st.last
	res := Result{
		Name:        st.check.Name,
		Criticality: st.check.Criticality,
		Level:       st.check.Level,
		Observed:    observed,
		Duration:    d,
		Message:     msg,
		Details:     rep.Details,
		Time:        now,
		LastSuccess: prev.LastSuccess,
		Runs:        prev.Runs + 1,
		Failures:    prev.Failures,
		Skipped:     skipped,
		Permanent:   rep.Permanent && observed == StatusUnhealthy,
	}
	if observed.OK() {
		res.ConsecutiveSuccesses = prev.ConsecutiveSuccesses + 1
		res.LastSuccess = now
	} else {
		res.ConsecutiveFailures = prev.ConsecutiveFailures + 1
		res.Failures++
	}
	res.Status = st.damp(observed)
	st.push(res, r.cfg.historySize)
	res.Availability = st.availability()
	st.last = res
	st.markFreshLocked(r.cfg.clock, &r.notFresh)
	var tr *Transition
	if res.Status != prev.Status {
		tr = &Transition{Check: res.Name, From: prev.Status, To: res.Status, Message: msg, At: now}
		if prev.Status != StatusUnknown {
			tr.Since = now.Sub(st.since)
		}
		st.since = now
	}
	r.publishLocked()
	r.mu.Unlock()
	st.trends.add(now, d, !observed.OK(), tr)

	r.emit(func(h Hooks) {
		if h.OnResult != nil {
			h.OnResult(res)
		}
		if tr != nil && h.OnTransition != nil {
			h.OnTransition(*tr)
		}
	})
	return res
}

func (r *Runner) emit(f func(Hooks)) {
	for _, h := range *r.hooks.Load() {
		func() {
			defer func() { _ = recover() }()
			f(h)
		}()
	}
}
