package lifecycle

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/echofx/healthcheck/checks"
)

// maxDeadlineMargin is the most the gate keeps between its end and its
// context's deadline; with less time it keeps a tenth of what it was given.
const maxDeadlineMargin = 100 * time.Millisecond

// Gate is the startup gate, synchronous, for plain-Go services (Lifecycle
// runs the same gate, returning early from Start, see there): it runs the
// checks the service cannot start without (every Required check, and every
// check with Startup set) with runner.Refresh, retrying the failing ones
// with exponential backoff and full jitter, until all pass (healthy or
// degraded; a check that passed is not run again). It returns nil then,
// and a *StartupError otherwise (see its Cause); invalid options give
// a *checks.ConfigError before anything runs.
//
// It logs at info the checks it waits for when it begins, and each wait
// with the attempt number, the next wait and the failing checks with their
// safe messages ("startup checks failing; retrying"); success at info;
// giving up at error.
//
// A permanent failure of a check it waits for (Result.Permanent, see
// checks.Permanent: the database does not exist, authentication failed)
// ends it at once with Cause checks.ErrPermanent. Refused, reset and timed
// out connections are retried.
//
// Optional checks without Startup never block: they run alongside the
// first attempt, their failures are logged at warn, and the gate does not
// wait for them once the blocking checks are done.
//
// Attempt n that fails is followed by a wait drawn from
// [0, min(MaxBackoff, InitialBackoff x Multiplier^(n-1))] on the clock.
// The gate stops after MaxAttempts attempts (0: no limit), or when its
// budget is spent: the overall MaxWait (measured on the clock), or ctx's
// deadline less a margin (a tenth of the time left, at most 100 ms), so
// that it reports its own error rather than letting the caller's timeout
// fire. It uses the whole budget: a wait that would end past it is cut
// short so that a final attempt starts a slot before the budget's end,
// the slot being the longest Timeout of the failing checks but at most a
// tenth of the budget; the gate gives up (cause "maximum startup wait
// exceeded", or context.DeadlineExceeded for ctx's deadline) once that final attempt
// failed, so never before 90 % of the budget has passed. An attempt still
// running at the budget's end is cut there.
//
// Only WithStartup, WithLogger and WithHooks apply.
func Gate(ctx context.Context, runner *checks.Runner, opts ...Option) error {
	cfg := newConfig(runner, opts)
	if err := cfg.err(); err != nil {
		return err
	}
	g := newGate(&cfg, runner)
	return g.run(ctx, deadlineOf(ctx), nil)
}

// gateCheck is the gate's bookkeeping for one blocking check.
type gateCheck struct {
	name      string
	timeout   time.Duration // the check's Timeout
	attempts  int
	message   string
	ok        bool
	permanent bool
}

// gate is one run of the startup gate.
type gate struct {
	cfg       *config
	runner    *checks.Runner
	blocking  []*gateCheck // sorted by name, as Checks returns them
	optional  []string
	start     time.Time // on the clock
	realStart time.Time
	attempts  int
}

// limit is a real-time deadline, if ok.
type limit struct {
	at time.Time
	ok bool
}

// deadlineOf returns ctx's deadline less the gate's margin.
func deadlineOf(ctx context.Context) limit {
	d, ok := ctx.Deadline()
	if !ok {
		return limit{}
	}
	margin := min(maxDeadlineMargin, time.Until(d)/10)
	return limit{at: d.Add(-margin), ok: true}
}

// newGate lists the checks to wait for and logs them.
func newGate(cfg *config, runner *checks.Runner) *gate {
	g := &gate{cfg: cfg, runner: runner, start: cfg.clock.Now(), realStart: time.Now()}
	var names []string
	for _, c := range runner.Checks() {
		if c.Criticality == checks.Required || c.Startup {
			g.blocking = append(g.blocking, &gateCheck{name: c.Name, timeout: c.Timeout})
			names = append(names, c.Name)
		} else {
			g.optional = append(g.optional, c.Name)
		}
	}
	cfg.logger.Info("startup gate waiting for checks", "checks", names, "not_waited_for", g.optional, "max_wait", cfg.maxWait)
	return g
}

// run retries until every blocking check passed or the gate gives up.
// pending, when not nil, are the checks that failed the attempt just made.
func (g *gate) run(ctx context.Context, dl limit, pending []*gateCheck) error {
	for {
		if len(pending) > 0 {
			wait, cause := g.next(ctx, dl)
			if cause != nil {
				return g.fail(cause)
			}
			g.cfg.logger.Info("startup checks failing; retrying", "attempt", g.attempts, "next_wait", wait, "failing", failing(pending))
			if !sleepCtx(ctx, g.cfg.clock, wait) {
				return g.fail(ctx.Err())
			}
		}
		pending = g.attempt(ctx, dl)
		if done, err := g.settle(pending); done {
			return err
		}
	}
}

// settle reports whether an attempt that left pending failing ends the
// gate: with nil when every check passed, with a *StartupError when one
// failed permanently or no attempt is left.
func (g *gate) settle(pending []*gateCheck) (bool, error) {
	if len(pending) == 0 {
		g.cfg.logger.Info("startup checks passed", "checks", len(g.blocking), "attempts", g.attempts, "duration", time.Since(g.realStart))
		return true, nil
	}
	for _, p := range pending {
		if p.permanent {
			return true, g.fail(checks.ErrPermanent)
		}
	}
	if g.cfg.maxAttempts > 0 && g.attempts >= g.cfg.maxAttempts {
		return true, g.fail(errAttemptsExhausted)
	}
	return false, nil
}

// next returns the wait before the next attempt, or why the gate stops.
// A wait that would end past the budget (MaxWait on the clock, or dl) is
// cut so that a final attempt starts a slot before the budget's end: the
// gate gives up only once that final attempt failed, never earlier.
func (g *gate) next(ctx context.Context, dl limit) (time.Duration, error) {
	cfg := g.cfg
	elapsed := cfg.clock.Now().Sub(g.start)
	finalAt := cfg.maxWait - g.finalSlot(cfg.maxWait)
	var untilFinalDl time.Duration
	if dl.ok {
		untilFinalDl = time.Until(dl.at.Add(-g.finalSlot(dl.at.Sub(g.realStart))))
	}
	switch {
	case ctx.Err() != nil:
		return 0, ctx.Err()
	case cfg.maxAttempts > 0 && g.attempts >= cfg.maxAttempts:
		return 0, errAttemptsExhausted
	case elapsed >= finalAt:
		return 0, errMaxWaitExceeded
	case dl.ok && untilFinalDl <= 0:
		return 0, context.DeadlineExceeded
	}
	wait := fullJitter(backoffCap(g.attempts, cfg.initialBackoff, cfg.maxBackoff, cfg.multiplier), cfg.rand())
	wait = min(wait, finalAt-elapsed)
	if dl.ok {
		wait = min(wait, untilFinalDl)
	}
	return wait, nil
}

// finalSlot is the time the final attempt gets before the end of a budget:
// the longest Timeout of the checks still failing, at most a tenth of the
// budget (so that the gate never gives up before 90 % of it).
func (g *gate) finalSlot(budget time.Duration) time.Duration {
	var slot time.Duration
	for _, c := range g.blocking {
		if !c.ok {
			slot = max(slot, c.timeout)
		}
	}
	return min(slot, budget/10)
}

// failing lists checks with their messages: "db: connection refused; ...".
func failing(pending []*gateCheck) string {
	var b strings.Builder
	for i, p := range pending {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.name)
		if p.message != "" {
			b.WriteString(": ")
			b.WriteString(p.message)
		}
	}
	return b.String()
}

// fail returns the gate's *StartupError and logs it (at error, or at info
// when the gate was canceled).
func (g *gate) fail(cause error) error {
	e := &StartupError{Cause: cause}
	for _, c := range g.blocking {
		if !c.ok {
			e.Checks = append(e.Checks, FailedCheck{Name: c.name, Attempts: c.attempts, Message: c.message})
		}
	}
	if errors.Is(cause, context.Canceled) {
		g.cfg.logger.Info("startup gate canceled", "duration", time.Since(g.realStart))
	} else {
		g.cfg.logger.Error("startup checks failed", "error", e, "duration", time.Since(g.realStart))
	}
	return e
}

// attempt runs one attempt, bounded by the max wait and dl, and returns
// the blocking checks still failing.
func (g *gate) attempt(ctx context.Context, dl limit) []*gateCheck {
	g.attempts++
	actx, cancel := context.WithCancel(ctx)
	stop := time.AfterFunc(max(0, g.cfg.maxWait-g.cfg.clock.Now().Sub(g.start)), cancel)
	if dl.ok {
		actx, cancel = withDeadline(actx, cancel, dl.at)
	}
	defer func() {
		stop.Stop()
		cancel()
	}()
	return g.runAttempt(actx)
}

// runAttempt runs the failing blocking checks (and, on the first attempt,
// the optional ones) concurrently, reports each outcome to the hooks, and
// returns the blocking checks still failing.
func (g *gate) runAttempt(ctx context.Context) []*gateCheck {
	if ctx.Err() != nil {
		// No time left: do not start executions nobody waits for.
		var pending []*gateCheck
		for _, c := range g.blocking {
			if !c.ok {
				pending = append(pending, c)
			}
		}
		return pending
	}
	var ran []*gateCheck
	var wg sync.WaitGroup
	for _, c := range g.blocking {
		if c.ok {
			continue
		}
		ran = append(ran, c)
		c.attempts++
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := g.runner.Refresh(ctx, c.name)
			c.permanent = false
			switch {
			case err != nil:
				// Keep the last result's message when the attempt was cut;
				// a first attempt cut by the max wait or the deadline
				// reads "timeout" (Stop's cancellation is the error's
				// Cause anyway).
				switch {
				case ctx.Err() == nil:
					c.message = checks.SafeMessage(err)
				case c.message == "":
					c.message = "timeout"
				}
			case res.Status.OK():
				c.ok = true
				c.message = ""
			default:
				c.message = res.Message
				if c.message == "" {
					c.message = res.Status.String()
				}
				c.permanent = res.Permanent
			}
		}()
	}

	// Optional checks run with the first attempt but never delay it.
	var owg sync.WaitGroup
	octx, ocancel := context.WithCancel(ctx)
	if g.attempts == 1 {
		for _, name := range g.optional {
			owg.Add(1)
			go func() {
				defer owg.Done()
				res, err := g.runner.Refresh(octx, name)
				switch {
				case err != nil:
					g.cfg.logger.Debug("optional check not waited for at startup", "check", name)
				case !res.Status.OK():
					g.cfg.logger.Warn("optional check failed at startup; not blocking", "check", name, "error", res.Message)
				}
			}()
		}
	}
	wg.Wait()
	ocancel()
	owg.Wait()

	var pending []*gateCheck
	for _, c := range ran {
		g.cfg.startupAttempt(c.name, g.attempts, c.ok)
		if !c.ok {
			pending = append(pending, c)
		}
	}
	return pending
}

// withDeadline adds a deadline to ctx, chaining cancel functions.
func withDeadline(ctx context.Context, cancel context.CancelFunc, d time.Time) (context.Context, context.CancelFunc) {
	dctx, dcancel := context.WithDeadline(ctx, d)
	return dctx, func() { dcancel(); cancel() }
}
