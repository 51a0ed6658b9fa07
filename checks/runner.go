package checks

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/singleflight"
)

// Runner executes registered checks safely and keeps their latest results.
//
// Every execution is bounded by the check's Timeout (a Func that ignores its
// context is abandoned at the deadline), recovers panics, and is coalesced:
// however many callers ask for a check at once, one execution runs, under
// context.WithoutCancel of the first caller's context plus the check's own
// timeout, so a caller that goes away never cancels it for the others. Each
// caller still stops waiting when its own context ends.
//
// There are three ways to read: Run, Check and Refresh block (at most the
// check's timeout); Latest never waits while a result younger than the
// check's MaxStaleness exists, and starts one background refresh of each
// result older than its TTL (stale-while-revalidate). Without a usable
// result, Latest (the probes' read: public, live, ready) waits only for
// Required checks and at most the probe budget (WithProbeBudget, 500 ms);
// the detailed route's read (package httphealth) waits for every check up
// to its timeout, bounded by the caller's context.
//
// A Runner is safe for concurrent use. Its zero value is not usable: call
// NewRunner. Close it to wait for background refreshes.
type Runner struct {
	cfg   config
	group singleflight.Group

	mu     sync.Mutex // guards states' mutable fields and registration
	states map[string]*state
	order  []*state // states sorted by name; replaced, never modified, on Register
	// notFresh counts the checks whose result is past its TTL (or absent):
	// while it is 0, every result is fresh, and so usable (MaxStaleness >=
	// TTL), and Latest returns the snapshot without looking further.
	notFresh atomic.Int64
	snap     atomic.Pointer[Snapshot]
	hooks    atomic.Pointer[[]Hooks]
	// hasDownstream is set once a downstream check is registered.
	hasDownstream atomic.Bool

	baseCtx context.Context // cancelled by Close
	cancel  context.CancelFunc
	bg      sync.WaitGroup
	closed  atomic.Bool
}

// NewRunner returns a Runner with no checks.
func NewRunner(opts ...Option) *Runner {
	cfg := config{clock: SystemClock(), historySize: DefaultHistorySize, probeBudget: DefaultProbeBudget}
	for _, o := range opts {
		o.apply(&cfg)
	}
	r := &Runner{cfg: cfg, states: map[string]*state{}}
	r.baseCtx, r.cancel = context.WithCancel(context.Background())
	hooks := slices.Clone(cfg.hooks)
	r.hooks.Store(&hooks)
	r.snap.Store(newSnapshot(nil, nil))
	return r
}

// Clock returns the runner's clock. Kept because the packages handed a
// Runner (lifecycle's periodic runner and gate, alerting's dispatcher, the
// HTTP layer's result ages) must time their events on the same clock as
// its results, so that one fake clock (WithClock) drives them all in tests.
func (r *Runner) Clock() Clock { return r.cfg.clock }

// AddHooks adds event hooks; they receive events from now on. WithHooks is
// the way for the code that builds the runner; AddHooks is kept for the
// packages that are handed one and subscribe to it (alerting's dispatcher,
// lifecycle's remediation, the gRPC and metrics adapters, healthfx's
// transition log).
func (r *Runner) AddHooks(h Hooks) {
	r.mu.Lock()
	defer r.mu.Unlock()
	next := append(slices.Clone(*r.hooks.Load()), h)
	r.hooks.Store(&next)
}

// Checks returns the registered checks, defaults applied, sorted by name.
func (r *Runner) Checks() []Check {
	snap := r.snap.Load()
	out := make([]Check, len(snap.states))
	for i, st := range snap.states {
		out[i] = st.check
	}
	return out
}

// Lookup returns the registered check of that name, defaults applied.
// Kept for the readers of one check's settings on every result (alerting's
// FailureThreshold, lifecycle's remediation, gRPC's per-service level),
// which Checks would make copy the whole list each time.
func (r *Runner) Lookup(name string) (Check, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st, ok := r.states[name]
	if !ok {
		return Check{}, false
	}
	return st.check, true
}

func (r *Runner) state(name string) (*state, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st, ok := r.states[name]
	if !ok {
		return nil, fmt.Errorf("checks: %w %q", ErrUnknownCheck, name)
	}
	return st, nil
}

// Snapshot returns the latest results as they are, without starting any
// refresh and without staleness handling. It never blocks.
func (r *Runner) Snapshot() *Snapshot { return r.snap.Load() }

// History returns the named check's recent results, oldest first (at most
// the history size: WithHistorySize, default 20). Their Details are nil:
// the history does not keep them (the latest result's are in the
// Snapshot).
func (r *Runner) History(name string) ([]Result, error) {
	st, err := r.state(name)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return st.ordered(), nil
}

// Check returns the named check's result: the cached one while it is
// younger than the check's TTL, otherwise a new (coalesced) execution's. It
// waits at most the check's timeout, or until ctx ends (returning ctx's
// error). Unknown names give an error wrapping ErrUnknownCheck.
func (r *Runner) Check(ctx context.Context, name string) (Result, error) {
	st, err := r.state(name)
	if err != nil {
		return Result{}, err
	}
	return r.resolve(ctx, st)
}

// Refresh executes the named check now, whatever the age of its result,
// joining an execution already in flight if there is one (whose result may
// then predate the call by up to the check's timeout). It waits like Check.
// Kept beside Check because the lifecycle package's startup gate counts
// attempts: each must be an execution, never a result cached within TTL.
func (r *Runner) Refresh(ctx context.Context, name string) (Result, error) {
	st, err := r.state(name)
	if err != nil {
		return Result{}, err
	}
	return r.exec(ctx, st, true)
}

// Run brings every check up to date (as Check does for each, concurrently)
// and returns the snapshot. It waits at most the longest check timeout or
// until ctx ends; checks that could not finish keep their previous result.
func (r *Runner) Run(ctx context.Context) *Snapshot {
	snap := r.snap.Load()
	var wg sync.WaitGroup
	for _, st := range snap.states {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = r.resolve(ctx, st)
		}()
	}
	wg.Wait()
	return r.snap.Load()
}

// Close stops background refreshes, cancels executions in flight and waits
// for the refresh goroutines to end (an abandoned Func that ignores its
// context may outlive Close until it returns). Later reads still return the
// last snapshot; Check, Refresh and Register return ErrClosed.
func (r *Runner) Close() {
	r.mu.Lock()
	r.closed.Store(true) // under mu: refreshAsync adds to bg under mu
	for _, st := range r.states {
		st.stopTimersLocked()
	}
	r.mu.Unlock()
	r.cancel()
	r.bg.Wait()
}
