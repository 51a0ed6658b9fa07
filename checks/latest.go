package checks

import (
	"context"
	"sync"
)

// latestDetailed is the read of the detailed route (lent to httphealth
// through internal/checkview): it returns every check's latest result and
// may wait, at most each check's timeout and never past ctx, for the checks
// that have no usable result.
//
//   - a result younger than its check's TTL is served as is;
//   - an older one is still served, and one coalesced background refresh
//     of that check starts (at most one in flight per check);
//   - a check with no result yet, or whose result is older than its
//     MaxStaleness, Required or Optional, is waited for, at most its
//     timeout or until ctx ends; if no fresh result arrives, it reads
//     unhealthy with the message "stale" (or stays unknown when it never
//     ran).
//
// Under any concurrency a dependency therefore sees at most one execution
// per TTL from reads. A cached read allocates nothing. Probes (public,
// live, ready) use Latest, which waits at most the probe budget.
func (r *Runner) latestDetailed(ctx context.Context) *Snapshot {
	if r.notFresh.Load() == 0 {
		return r.snap.Load() // every result is fresh: the fast path
	}
	return r.read(ctx, LevelComprehensive, readDetailed)
}

// Latest is the cached read of the probes (the public route, live, ready,
// groups, gRPC): it returns every check's latest result, refreshing or
// waiting for only the checks that belong to level (the snapshot still
// holds every check), and it bounds its wait by the probe budget (WithProbeBudget, default
// DefaultProbeBudget = 500 ms, well under Kubernetes' default probe
// timeoutSeconds of 1 s):
//
//   - it never waits once every check of the level has a usable result
//     (after the first result, as long as checks stay within their
//     MaxStaleness): a cached read allocates nothing;
//   - it never waits on an Optional check: one without a usable result
//     gets a background refresh and reads as it is (unknown when it never
//     ran, else unhealthy "stale"), which degrades the aggregate;
//   - it waits on a Required check without a usable result for at most
//     the budget (and never past ctx), then answers from what exists: a
//     Required check that never ran reads unknown, which aggregates as
//     unhealthy with the message "<name>: not checked yet"; one whose
//     result is too old reads unhealthy "stale". The execution it started
//     goes on in the background, bounded by the check's Timeout, and the
//     next read gets its result.
//
// A result younger than its check's TTL is served as is; an older one is
// still served, and one coalesced background refresh of that check starts
// (at most one in flight per check), so under any concurrency a dependency
// sees at most one execution per TTL from reads.
func (r *Runner) Latest(ctx context.Context, level Level) *Snapshot {
	if r.notFresh.Load() == 0 {
		return r.snap.Load() // every result is fresh: the fast path
	}
	return r.read(ctx, level, readProbe)
}

// readMode says how read waits and which checks it looks at.
type readMode uint8

const (
	// readProbe waits on Required checks up to the probe budget.
	readProbe readMode = 0
	// readDetailed waits on every check up to its timeout.
	readDetailed readMode = 1 << iota
	// readLocal leaves downstream checks alone (neither refreshed nor
	// waited for nor marked stale).
	readLocal
)

// in reports whether read in mode m at level looks at st.
func (m readMode) in(st *state, level Level) bool {
	return level.Includes(st.check.Level) && (m&readLocal == 0 || !st.check.downstream)
}

// read implements latestDetailed (readDetailed), Latest (readProbe) and
// latestLocal (readProbe|readLocal).
func (r *Runner) read(ctx context.Context, level Level, mode readMode) *Snapshot {
	snap := r.snap.Load()
	if r.notFresh.Load() == 0 || len(snap.states) == 0 {
		return snap // every result is fresh: nothing to refresh or wait for
	}
	detailed := mode&readDetailed != 0
	wait, unusable := false, false
	for _, st := range snap.states {
		if !mode.in(st, level) {
			continue
		}
		switch {
		case st.usable.Load() == 0: // no result yet, or past MaxStaleness
			unusable = true
			if detailed || st.check.Criticality == Required && r.cfg.probeBudget > 0 {
				wait = true
			} else {
				r.refreshAsync(st)
			}
		case st.fresh.Load() == 0: // past the TTL
			r.refreshAsync(st)
		}
	}
	if !unusable {
		return snap
	}
	if wait && !r.closed.Load() {
		r.waitUsable(ctx, snap, level, mode)
	}
	return r.markStale(r.snap.Load(), level, mode)
}

// refreshAsync starts one background execution of st unless one started
// by Latest is still running.
func (r *Runner) refreshAsync(st *state) {
	if !st.refreshing.CompareAndSwap(false, true) {
		return
	}
	r.mu.Lock() // orders bg.Add before Close's bg.Wait
	if r.closed.Load() {
		r.mu.Unlock()
		st.refreshing.Store(false)
		return
	}
	r.bg.Add(1)
	r.mu.Unlock()
	go func() {
		defer r.bg.Done()
		defer st.refreshing.Store(false)
		_, _ = r.exec(r.baseCtx, st, false)
	}()
}

// waitUsable executes the checks of snap that belong to level and have no
// usable result (only the Required ones unless detailed) and waits for
// them: each up to its timeout, or, unless detailed, up to the probe
// budget; never past ctx.
func (r *Runner) waitUsable(ctx context.Context, snap *Snapshot, level Level, mode readMode) {
	detailed := mode&readDetailed != 0
	if !detailed {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.cfg.probeBudget)
		defer cancel()
	}
	var wg sync.WaitGroup
	for _, st := range snap.states {
		if !mode.in(st, level) || st.usable.Load() != 0 ||
			!detailed && st.check.Criticality != Required {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = r.exec(ctx, st, false)
		}()
	}
	wg.Wait()
}

// markStale returns snap with the results of level's checks that are
// still past their MaxStaleness marked unhealthy "stale" (a check that
// never ran stays unknown).
func (r *Runner) markStale(snap *Snapshot, level Level, mode readMode) *Snapshot {
	var results []Result
	for i, st := range snap.states {
		if !mode.in(st, level) || snap.Results[i].Status == StatusUnknown || st.usable.Load() != 0 {
			continue
		}
		if results == nil {
			results = append([]Result(nil), snap.Results...)
		}
		results[i].Status = StatusUnhealthy
		results[i].Message = "stale"
	}
	if results == nil {
		return snap
	}
	return newSnapshot(results, snap.states)
}
