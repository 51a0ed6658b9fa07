package checks

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"
)

// errPanic is the Err of a report whose Func panicked; the panic value is
// dropped, since it may hold anything.
var errPanic = errors.New("check panicked")

// Runner executes registered checks safely and keeps their latest results.
//
// Every execution is bounded by the check's Timeout (a Func that ignores its
// context is abandoned at the deadline), recovers panics, and is coalesced:
// however many callers ask for a check at once, one execution runs, under
// context.WithoutCancel of the first caller's context plus the check's own
// timeout, so a caller that goes away never cancels it for the others. Each
// caller still stops waiting when its own context ends.
//
// There are two ways to read: Run, Check and Refresh block (at most the
// check's timeout); Latest never waits while a result younger than the
// check's MaxStaleness exists, and starts one background refresh of each
// result older than its TTL (stale-while-revalidate). HTTP handlers use
// Latest.
//
// A Runner is safe for concurrent use. Its zero value is not usable: call
// NewRunner. Close it to wait for background refreshes.
type Runner struct {
	cfg   config
	group singleflight.Group

	mu     sync.Mutex // guards states' mutable fields and registration
	states map[string]*state
	snap   atomic.Pointer[Snapshot]
	hooks  atomic.Pointer[[]Hooks]

	baseCtx context.Context // cancelled by Close
	cancel  context.CancelFunc
	bg      sync.WaitGroup
	closed  atomic.Bool
}

// NewRunner returns a Runner with no checks.
func NewRunner(opts ...Option) *Runner {
	cfg := config{clock: SystemClock(), historySize: DefaultHistorySize}
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

// Clock returns the runner's clock.
func (r *Runner) Clock() Clock { return r.cfg.clock }

// AddHooks adds event hooks; they receive events from now on.
func (r *Runner) AddHooks(h Hooks) {
	r.mu.Lock()
	defer r.mu.Unlock()
	next := append(slices.Clone(*r.hooks.Load()), h)
	r.hooks.Store(&next)
}

// Register adds checks, applying defaults to zero fields. It validates the
// whole set first and registers nothing on error. Errors are
// *RegistrationError wrapping ErrInvalidCheck, ErrDuplicateCheck,
// ErrUnknownDependency or ErrDependencyCycle. Checks may be registered at
// any time; a new check reads StatusUnknown until it first runs.
func (r *Runner) Register(cs ...Check) error {
	if r.closed.Load() {
		return ErrClosed
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	added := make([]Check, 0, len(cs))
	names := make(map[string]bool, len(r.states)+len(cs))
	for n := range r.states {
		names[n] = true
	}
	for _, c := range cs {
		c, err := c.withDefaults()
		if err != nil {
			return err
		}
		if names[c.Name] {
			return &RegistrationError{Check: c.Name, Err: ErrDuplicateCheck}
		}
		names[c.Name] = true
		added = append(added, c)
	}
	deps := make(map[string][]string, len(names))
	for n, st := range r.states {
		deps[n] = st.check.DependsOn
	}
	for _, c := range added {
		for _, d := range c.DependsOn {
			if !names[d] {
				return &RegistrationError{Check: c.Name, Err: ErrUnknownDependency, Detail: fmt.Sprintf("%q is not registered", d)}
			}
		}
		deps[c.Name] = c.DependsOn
	}
	if cycle := findCycle(deps); cycle != nil {
		return &RegistrationError{Check: cycle[0], Err: ErrDependencyCycle, Detail: fmt.Sprint(cycle)}
	}
	for _, c := range added {
		r.states[c.Name] = &state{check: c, last: Result{Name: c.Name, Criticality: c.Criticality, Level: c.Level}}
	}
	r.publishLocked()
	return nil
}

// findCycle returns the names along a dependency cycle, or nil.
func findCycle(deps map[string][]string) []string {
	const (
		white = iota
		grey
		black
	)
	color := make(map[string]int, len(deps))
	var path []string
	var visit func(n string) []string
	visit = func(n string) []string {
		color[n] = grey
		path = append(path, n)
		for _, d := range deps[n] {
			switch color[d] {
			case grey:
				i := slices.Index(path, d)
				return append(slices.Clone(path[i:]), d)
			case white:
				if c := visit(d); c != nil {
					return c
				}
			}
		}
		path = path[:len(path)-1]
		color[n] = black
		return nil
	}
	names := make([]string, 0, len(deps))
	for n := range deps {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if color[n] == white {
			if c := visit(n); c != nil {
				return c
			}
		}
	}
	return nil
}

// publishLocked rebuilds the snapshot from the states. r.mu must be held.
func (r *Runner) publishLocked() {
	names := make([]string, 0, len(r.states))
	for n := range r.states {
		names = append(names, n)
	}
	slices.Sort(names)
	results := make([]Result, len(names))
	states := make([]*state, len(names))
	for i, n := range names {
		states[i] = r.states[n]
		results[i] = states[i].last
	}
	r.snap.Store(newSnapshot(results, states))
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
// the history size, default 20).
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
// The lifecycle package's startup gate uses it.
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
func (r *Runner) runOnce(callerCtx context.Context, st *state) Result {
	c := &st.check
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
	rep := call(ctx, c.Func, c.Timeout)
	return r.record(st, rep, time.Since(start), false)
}

// call runs fn with panic recovery, abandoning it when ctx ends. The
// goroutine of an abandoned fn exits as soon as fn returns. The report's
// Message is filled in (from Err) inside the recovered goroutine, since a
// user error's methods may panic too.
func call(ctx context.Context, fn Func, timeout time.Duration) Report {
	done := make(chan Report, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- Report{Status: StatusUnhealthy, Message: "check panicked", Err: errPanic}
			}
		}()
		rep := fn(ctx)
		if rep.Message == "" && rep.Err != nil {
			rep.Message = SafeMessage(rep.Err)
		}
		done <- rep
	}()
	select {
	case rep := <-done:
		if rep.Err == nil && ctx.Err() != nil && rep.Status == StatusUnknown {
			// The Func returned promptly on its deadline without an error.
			return Report{Status: StatusUnhealthy, Message: "timeout after " + timeout.String()}
		}
		return rep
	case <-ctx.Done():
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
	st.markFreshLocked(r.cfg.clock)
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
