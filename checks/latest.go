package checks

import (
	"context"
	"sync"
)

// Latest returns the latest results without waiting on any dependency once
// a usable result exists (stale-while-revalidate):
//
//   - a result younger than its check's TTL is served as is;
//   - an older one is still served, and one coalesced background refresh
//     of that check starts (at most one in flight per check);
//   - a check with no result yet, or whose result is older than its
//     MaxStaleness, is waited for, at most its timeout or until ctx ends;
//     if no fresh result arrives, it reads unhealthy with the message
//     "stale" (or stays unknown when it never ran).
//
// Under any concurrency a dependency therefore sees at most one execution
// per TTL from Latest. A cached read allocates nothing.
func (r *Runner) Latest(ctx context.Context) *Snapshot {
	return r.LatestAt(ctx, LevelComprehensive)
}

// LatestAt is Latest restricted to the checks that belong to level: only
// they are refreshed or waited for (the others are returned as they are),
// so a route that reports at LevelBasic never waits for a comprehensive
// check. The snapshot still holds every check.
func (r *Runner) LatestAt(ctx context.Context, level Level) *Snapshot {
	snap := r.snap.Load()
	if r.notFresh.Load() == 0 || len(snap.states) == 0 {
		return snap // every result is fresh: nothing to refresh or wait for
	}
	wait := false
	for _, st := range snap.states {
		if !level.Includes(st.check.Level) {
			continue
		}
		switch {
		case st.usable.Load() == 0: // no result yet, or past MaxStaleness
			wait = true
		case st.fresh.Load() == 0: // past the TTL
			r.refreshAsync(st)
		}
	}
	if !wait || r.closed.Load() {
		return snap
	}
	return r.waitFresh(ctx, snap, level)
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

// waitFresh executes the checks of snap that have no usable result and
// returns the new snapshot, marking results still past MaxStaleness stale.
func (r *Runner) waitFresh(ctx context.Context, snap *Snapshot, level Level) *Snapshot {
	var wg sync.WaitGroup
	for _, st := range snap.states {
		if !level.Includes(st.check.Level) || st.usable.Load() != 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = r.exec(ctx, st, false)
		}()
	}
	wg.Wait()

	fresh := r.snap.Load()
	var results []Result
	for i, st := range fresh.states {
		if !level.Includes(st.check.Level) || fresh.Results[i].Status == StatusUnknown || st.usable.Load() != 0 {
			continue
		}
		if results == nil {
			results = append([]Result(nil), fresh.Results...)
		}
		results[i].Status = StatusUnhealthy
		results[i].Message = "stale"
	}
	if results == nil {
		return fresh
	}
	return newSnapshot(results, fresh.states)
}
