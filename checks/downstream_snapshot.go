package checks

import (
	"context"
	"slices"
	"sync"
)

// localAggregates are a snapshot's per-level aggregates over the checks
// that are not Downstream.
type localAggregates struct {
	status  [NumLevels]Status
	message [NumLevels]string
}

// newLocalAggregates computes s's aggregates without downstream checks,
// reusing s's own when there are none.
func newLocalAggregates(s *Snapshot, results []Result, states []*state) localAggregates {
	la := localAggregates{status: s.status, message: s.message}
	if len(states) != len(results) || !slices.ContainsFunc(states, func(st *state) bool { return st.check.Downstream }) {
		return la
	}
	local := make([]Result, 0, len(results))
	for i := range results {
		if !states[i].check.Downstream {
			local = append(local, results[i])
		}
	}
	for l := Level(0); l < NumLevels; l++ {
		la.status[l] = aggregateAt(local, l)
		la.message[l] = failureMessageAt(local, l)
	}
	return la
}

// StatusAtExcludingDownstream is StatusAt over the checks that are not
// Downstream: the status to answer a request that carries
// DownstreamHeader with. Precomputed; it allocates nothing.
func (s *Snapshot) StatusAtExcludingDownstream(l Level) Status {
	if l >= NumLevels {
		l = LevelComprehensive
	}
	return s.local.status[l]
}

// MessageAtExcludingDownstream is MessageAt over the checks that are not
// Downstream. Precomputed; it allocates nothing.
func (s *Snapshot) MessageAtExcludingDownstream(l Level) string {
	if l >= NumLevels {
		l = LevelComprehensive
	}
	return s.local.message[l]
}

// LatestExcludingDownstream is LatestAt for answering a request made by a
// downstream check of another service (one carrying DownstreamHeader): it
// neither refreshes nor waits for Downstream checks, so such a request
// never makes this service send a request of its own, however the services
// list each other. Read the answer with StatusAtExcludingDownstream and
// MessageAtExcludingDownstream. A cached read allocates nothing.
func (r *Runner) LatestExcludingDownstream(ctx context.Context, level Level) *Snapshot {
	snap := r.snap.Load()
	if r.notFresh.Load() == 0 || len(snap.states) == 0 {
		return snap
	}
	wait := false
	for _, st := range snap.states {
		if st.check.Downstream || !level.Includes(st.check.Level) {
			continue
		}
		switch {
		case st.usable.Load() == 0:
			wait = true
		case st.fresh.Load() == 0:
			r.refreshAsync(st)
		}
	}
	if !wait || r.closed.Load() {
		return snap
	}
	return r.waitFreshLocal(ctx, snap, level)
}

// waitFreshLocal is waitFresh over the checks that are not Downstream.
func (r *Runner) waitFreshLocal(ctx context.Context, snap *Snapshot, level Level) *Snapshot {
	local := func(st *state) bool { return !st.check.Downstream && level.Includes(st.check.Level) }
	var wg sync.WaitGroup
	for _, st := range snap.states {
		if !local(st) || st.usable.Load() != 0 {
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
		if !local(st) || fresh.Results[i].Status == StatusUnknown || st.usable.Load() != 0 {
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

// IsDownstream reports whether the check of Results[i] is a Downstream
// check (false when i is out of range): a detailed answer to a request
// carrying DownstreamHeader leaves those out.
func (s *Snapshot) IsDownstream(i int) bool {
	return i >= 0 && i < len(s.states) && s.states[i].check.Downstream
}
