package lifecycle

import (
	"context"
	"sync"
	"time"

	"github.com/echofx/healthcheck/checks"
)

// maxDeadlineMargin is the most the gate keeps between its end and its
// context's deadline; with less time it keeps a tenth of what it was given.
const maxDeadlineMargin = 100 * time.Millisecond

// Gate is the startup gate: it runs the checks the service cannot start
// without (every Required check, and every check with Startup set) with
// runner.Refresh, retrying the failing ones with exponential backoff and
// full jitter, until all pass (healthy or degraded; a check that passed is
// not run again). It returns nil then,
// and a *StartupError otherwise (see its Cause).
//
// Optional checks without Startup never block: they run alongside the
// first attempt, their failures are logged at warn, and the gate does not
// wait for them once the blocking checks are done.
//
// Attempt n that fails is followed by a wait drawn from
// [0, min(MaxInterval, InitialInterval x Multiplier^(n-1))] on the clock.
// The gate stops after MaxAttempts attempts, before its overall MaxWait
// (measured on the clock) is exceeded, and a little before ctx's deadline
// (at most 100 ms): it never starts a wait that would end past that point
// and cuts the attempt in flight there, so it reports its own error rather
// than letting the caller's timeout fire. Each failed attempt of a check
// is logged at warn (check, attempt, next_wait, error); success once at
// info.
//
// Only the startup options, WithClock, WithRand, WithLogger and WithHooks
// apply.
func Gate(ctx context.Context, runner *checks.Runner, opts ...Option) error {
	cfg := newConfig(runner, opts)
	return cfg.gate(ctx, runner)
}

// gateCheck is the gate's bookkeeping for one blocking check.
type gateCheck struct {
	name     string
	attempts int
	message  string
	ok       bool
}

func (cfg *config) gate(ctx context.Context, runner *checks.Runner) error {
	log := cfg.logger
	clock := cfg.clock
	start := clock.Now()
	realStart := time.Now()

	var blocking []*gateCheck // sorted by name, as Checks returns them
	var optional []string
	for _, c := range runner.Checks() {
		if c.Criticality == checks.Required || c.Startup {
			blocking = append(blocking, &gateCheck{name: c.Name})
		} else {
			optional = append(optional, c.Name)
		}
	}

	// deadline becomes the real time by which the gate must have returned.
	deadline, hasDeadline := ctx.Deadline()
	if hasDeadline {
		margin := min(maxDeadlineMargin, time.Until(deadline)/10)
		deadline = deadline.Add(-margin)
	}

	fail := func(cause error) error {
		e := &StartupError{Cause: cause}
		for _, g := range blocking {
			if !g.ok {
				e.Checks = append(e.Checks, FailedCheck{Name: g.name, Attempts: g.attempts, Message: g.message})
			}
		}
		log.Error("startup checks failed", "error", e, "duration", time.Since(realStart))
		return e
	}

	for attempt := 1; ; attempt++ {
		// Bound the attempt by the max wait and the deadline.
		actx, cancel := context.WithCancel(ctx)
		stop := time.AfterFunc(max(0, cfg.maxWait-clock.Now().Sub(start)), cancel)
		if hasDeadline {
			actx, cancel = withDeadline(actx, cancel, deadline)
		}
		pending := cfg.attempt(actx, runner, blocking, optional, attempt)
		stop.Stop()
		cancel()

		if len(pending) == 0 {
			log.Info("startup checks passed", "checks", len(blocking), "attempts", attempt, "duration", time.Since(realStart))
			return nil
		}

		var cause error
		var wait time.Duration
		elapsed := clock.Now().Sub(start)
		switch {
		case ctx.Err() != nil:
			cause = ctx.Err()
		case attempt >= cfg.maxAttempts:
			cause = ErrAttemptsExhausted
		case elapsed >= cfg.maxWait:
			cause = ErrMaxWaitExceeded
		case hasDeadline && time.Until(deadline) <= 0:
			cause = context.DeadlineExceeded
		default:
			wait = fullJitter(backoffCap(attempt, cfg.initialInterval, cfg.maxInterval, cfg.multiplier), cfg.rand())
			switch {
			case elapsed+wait >= cfg.maxWait:
				cause = ErrMaxWaitExceeded
			case hasDeadline && time.Until(deadline) <= wait:
				cause = context.DeadlineExceeded
			}
		}
		if cause != nil {
			wait = 0
		}
		for _, g := range pending {
			log.Warn("startup check failed", "check", g.name, "attempt", attempt, "next_wait", wait, "error", g.message)
		}
		if cause != nil {
			return fail(cause)
		}
		if !sleepCtx(ctx, clock, wait) {
			return fail(ctx.Err())
		}
	}
}

// attempt runs the failing blocking checks (and, on the first attempt, the
// optional ones) concurrently, reports each outcome to the hooks, and
// returns the blocking checks still failing.
func (cfg *config) attempt(ctx context.Context, runner *checks.Runner, blocking []*gateCheck, optional []string, attempt int) []*gateCheck {
	if ctx.Err() != nil {
		// No time left: do not start executions nobody waits for.
		var pending []*gateCheck
		for _, g := range blocking {
			if !g.ok {
				pending = append(pending, g)
			}
		}
		return pending
	}
	var ran []*gateCheck
	var wg sync.WaitGroup
	for _, g := range blocking {
		if g.ok {
			continue
		}
		ran = append(ran, g)
		g.attempts++
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := runner.Refresh(ctx, g.name)
			switch {
			case err != nil:
				// Keep the last result's message when the attempt was cut;
				// a first attempt cut by the max wait or the deadline
				// reads "timeout" (Stop's cancellation is the error's
				// Cause anyway).
				switch {
				case ctx.Err() == nil:
					g.message = checks.SafeMessage(err)
				case g.message == "":
					g.message = "timeout"
				}
			case res.Status.OK():
				g.ok = true
				g.message = ""
			default:
				g.message = res.Message
				if g.message == "" {
					g.message = res.Status.String()
				}
			}
		}()
	}

	// Optional checks run with the first attempt but never delay it.
	var owg sync.WaitGroup
	octx, ocancel := context.WithCancel(ctx)
	if attempt == 1 {
		for _, name := range optional {
			owg.Add(1)
			go func() {
				defer owg.Done()
				res, err := runner.Refresh(octx, name)
				switch {
				case err != nil:
					cfg.logger.Debug("optional check not waited for at startup", "check", name)
				case !res.Status.OK():
					cfg.logger.Warn("optional check failed at startup; not blocking", "check", name, "error", res.Message)
				}
			}()
		}
	}
	wg.Wait()
	ocancel()
	owg.Wait()

	var pending []*gateCheck
	for _, g := range ran {
		cfg.startupAttempt(g.name, attempt, g.ok)
		if !g.ok {
			pending = append(pending, g)
		}
	}
	return pending
}

// withDeadline adds a deadline to ctx, chaining cancel functions.
func withDeadline(ctx context.Context, cancel context.CancelFunc, d time.Time) (context.Context, context.CancelFunc) {
	dctx, dcancel := context.WithDeadline(ctx, d)
	return dctx, func() { dcancel(); cancel() }
}
