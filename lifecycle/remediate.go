package lifecycle

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/echofx/healthcheck/checks"
)

// remediator runs checks' Remediate functions (auto-healing).
//
// It listens to every result (runner hook OnResult). Once a check with a
// Remediate has failed RemediateAfter times in a row, it runs Remediate in
// a goroutine, bounded by the check's Timeout, with panics recovered. The
// next remediation of that check waits until a backoff has passed since
// the previous one ended (1 s, then doubling up to 5 min by default),
// whatever the rate of results, and never overlaps the previous one; the
// backoff resets when the check passes. Recovery itself shows in the
// runner's transitions.
//
// It acts only between a passed startup gate and the beginning of Stop.
type remediator struct {
	runner *checks.Runner
	cfg    *config

	ctx    context.Context // canceled when Stop gives up waiting
	cancel context.CancelFunc

	cut atomic.Bool // a run was canceled by stop

	mu     sync.Mutex
	active bool
	closed bool
	states map[string]*remedyState
	wg     sync.WaitGroup
}

// remedyState is the remediation bookkeeping of one check; guarded by
// remediator.mu.
type remedyState struct {
	running   bool
	recovered bool      // the check passed while a remediation ran
	runs      int       // remediations since the check last passed
	notBefore time.Time // earliest start of the next remediation
}

func newRemediator(runner *checks.Runner, cfg *config) *remediator {
	r := &remediator{runner: runner, cfg: cfg, states: map[string]*remedyState{}}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	runner.AddHooks(checks.Hooks{OnResult: r.onResult})
	return r
}

// activate starts acting on results.
func (r *remediator) activate() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.active = !r.closed
}

// onResult is the runner hook. It only decides and spawns: it never blocks.
func (r *remediator) onResult(res checks.Result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.active || r.closed {
		return
	}
	st := r.states[res.Name]
	switch {
	case res.Skipped:
		return // a dependency failed: remedying this check would not help
	case res.Observed.OK():
		// Recovered: reset the backoff (once a run in flight ends).
		if st != nil && st.running {
			st.recovered = true
		} else {
			delete(r.states, res.Name)
		}
		return
	}
	c, ok := r.runner.Lookup(res.Name)
	if !ok || c.Remediate == nil || res.ConsecutiveFailures < c.RemediateAfter {
		return
	}
	if st == nil {
		st = &remedyState{}
		r.states[res.Name] = st
	}
	now := r.cfg.clock.Now()
	if st.running || now.Before(st.notBefore) {
		return
	}
	st.running = true
	st.recovered = false
	st.runs++
	attempt := st.runs
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		r.run(c, attempt, res.ConsecutiveFailures)
	}()
}

// run runs c.Remediate once and reports it.
func (r *remediator) run(c checks.Check, attempt, failures int) {
	log := r.cfg.logger
	log.Warn("remediating check", "check", c.Name, "attempt", attempt, "consecutive_failures", failures)
	ctx, cancel := context.WithTimeout(r.ctx, c.Timeout)
	defer cancel()
	start := time.Now()
	err := call(ctx, c.Remediate, func() { r.finish(c.Name) })
	d := time.Since(start)
	if err != nil && r.ctx.Err() != nil {
		r.cut.Store(true)
	}
	next := r.backoff(attempt)
	if err != nil {
		log.Warn("remediation failed", "check", c.Name, "attempt", attempt, "duration", d, "next_after", next, "error", checks.SafeMessage(err))
	} else {
		log.Info("remediation done", "check", c.Name, "attempt", attempt, "duration", d, "next_after", next)
	}
	r.cfg.remediation(c.Name, err)
}

// backoff is the least wait after the end of remediation n (from 1)
// before the next: initial x 2^(n-1), at most the maximum.
func (r *remediator) backoff(n int) time.Duration {
	return backoffCap(n, r.cfg.remBackoff, r.cfg.remMaxBackoff, 2)
}

// finish records the end of a remediation of the named check, once its
// Remediate has returned: the next one may start no sooner than the
// backoff from now, unless the check passed meanwhile.
func (r *remediator) finish(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.states[name]
	if st == nil {
		return
	}
	if st.recovered {
		delete(r.states, name)
		return
	}
	st.running = false
	st.notBefore = r.cfg.clock.Now().Add(r.backoff(st.runs))
}

// stop ends remediation: no new run starts; runs in flight are waited for
// until ctx ends, then canceled (a Remediate that ignores its context is
// abandoned). It returns an error if it canceled any.
func (r *remediator) stop(ctx context.Context) error {
	r.mu.Lock()
	r.closed = true
	r.active = false
	r.mu.Unlock()
	waitOrCancel(ctx, &r.wg, r.cancel)
	if r.cut.Load() {
		return fmt.Errorf("remediation in flight canceled: %w", ctx.Err())
	}
	return nil
}
