package checks

import (
	"context"
	"slices"
)

// DownstreamHeader is the request header that every request made by a
// downstream check carries: a comma-separated list of the services that
// asked, today always one (the downstream package's Config.Origin), since a check never
// runs on a request's path. A service answering a request that carries it
// must answer from the aggregate without its own downstream checks
// (Runner.LatestExcludingDownstream, Snapshot.StatusAtExcludingDownstream)
// and must not pass the header on.
const DownstreamHeader = "Health-Chain"

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
	if r.notFresh.Load() == 0 {
		return r.snap.Load() // every result is fresh
	}
	return r.read(ctx, level, readProbe|readLocal)
}

// IsDownstream reports whether the check of Results[i] is a Downstream
// check (false when i is out of range): a detailed answer to a request
// carrying DownstreamHeader leaves those out.
func (s *Snapshot) IsDownstream(i int) bool {
	return i >= 0 && i < len(s.states) && s.states[i].check.Downstream
}

// HasDownstream reports whether a Downstream check is registered: a
// server need look for DownstreamHeader on a request only then (one atomic
// load on its hot path otherwise).
func (r *Runner) HasDownstream() bool { return r.hasDownstream.Load() }
