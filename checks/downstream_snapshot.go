package checks

import (
	"context"
	"slices"
)

// localAggregates are a snapshot's per-level aggregates over the checks
// that are not downstream checks (marked by package checks/downstream
// through internal/checkview).
type localAggregates struct {
	status  [numLevels]Status
	message [numLevels]string
}

// newLocalAggregates computes s's aggregates without downstream checks,
// reusing s's own when there are none.
func newLocalAggregates(s *Snapshot, results []Result, states []*state) localAggregates {
	la := localAggregates{status: s.status, message: s.message}
	if len(states) != len(results) || !slices.ContainsFunc(states, func(st *state) bool { return st.check.downstream }) {
		return la
	}
	local := make([]Result, 0, len(results))
	for i := range results {
		if !states[i].check.downstream {
			local = append(local, results[i])
		}
	}
	for l := Level(0); l < numLevels; l++ {
		la.status[l] = aggregateAt(local, l)
		la.message[l] = failureMessageAt(local, l)
	}
	return la
}

// localStatusAt is StatusAt over the checks that are not downstream
// checks: the status to answer a request that carries
// checkview.DownstreamHeader with. Precomputed; it allocates nothing.
func (s *Snapshot) localStatusAt(l Level) Status {
	if l >= numLevels {
		l = LevelComprehensive
	}
	return s.local.status[l]
}

// localMessageAt is MessageAt over the checks that are not downstream
// checks. Precomputed; it allocates nothing.
func (s *Snapshot) localMessageAt(l Level) string {
	if l >= numLevels {
		l = LevelComprehensive
	}
	return s.local.message[l]
}

// latestLocal is Latest for answering a request made by a downstream check
// of another service (one carrying checkview.DownstreamHeader): it neither
// refreshes nor waits for downstream checks, so such a request never makes
// this service send a request of its own, however the services list each
// other. Read the answer with localStatusAt and localMessageAt. A cached
// read allocates nothing.
func (r *Runner) latestLocal(ctx context.Context, level Level) *Snapshot {
	if r.notFresh.Load() == 0 {
		return r.snap.Load() // every result is fresh
	}
	return r.read(ctx, level, readProbe|readLocal)
}

// isDownstream reports whether the check of Results[i] is a downstream
// check (false when i is out of range): a detailed answer to a request
// carrying checkview.DownstreamHeader leaves those out.
func (s *Snapshot) isDownstream(i int) bool {
	return i >= 0 && i < len(s.states) && s.states[i].check.downstream
}
