package checks

import (
	"sync/atomic"
	"time"
)

// state is the runner's bookkeeping for one check. Its mutable fields are
// guarded by Runner.mu.
type state struct {
	check Check

	last    Result
	since   time.Time // when last.Status was entered
	history []Result  // ring buffer, grown as results arrive (push)
	next    int       // ring position
	filled  bool
	passed  int // results in history whose execution passed (Observed.OK)

	refreshing atomic.Bool // a background refresh is in flight
	// abandoned is when an execution still running was abandoned at its
	// deadline; nil when none is outstanding.
	abandoned atomic.Pointer[time.Time]

	trends trends // success rate and latency over hours; own mutex

	// Freshness flags, kept by timers so that reads need no clock call:
	// each holds the generation of the current result while it is younger
	// than TTL (fresh) or MaxStaleness (usable), and 0 after. A timer only
	// clears the flag of its own generation.
	gen                   uint64 // guarded by Runner.mu
	fresh, usable         atomic.Uint64
	freshTimer, stalTimer Timer // guarded by Runner.mu
}

// markFreshLocked sets the freshness flags for a new result and arms the
// timers that clear them. notFresh counts the states whose fresh flag is 0
// (it starts at the number of states): reads skip their per-check loop
// while it is 0. Runner.mu must be held.
func (st *state) markFreshLocked(clock Clock, notFresh *atomic.Int64) {
	if st.freshTimer != nil {
		st.freshTimer.Stop()
		st.stalTimer.Stop()
	}
	st.gen++
	g := st.gen
	st.usable.Store(g)
	if st.fresh.Swap(g) == 0 {
		notFresh.Add(-1)
	}
	st.freshTimer = clock.AfterFunc(st.check.TTL, func() {
		if st.fresh.CompareAndSwap(g, 0) {
			notFresh.Add(1)
		}
	})
	st.stalTimer = clock.AfterFunc(st.check.MaxStaleness, func() { st.usable.CompareAndSwap(g, 0) })
}

// stopTimersLocked disarms the freshness timers. Runner.mu must be held.
func (st *state) stopTimersLocked() {
	if st.freshTimer != nil {
		st.freshTimer.Stop()
		st.stalTimer.Stop()
	}
}

// push adds r to the history of at most size results. The ring grows as
// results arrive (doubling, never past size), so memory follows the
// results held; the entry keeps no Details (a check's details, a
// downstream's nested checks say, can be large, and the history serves
// statuses, latencies, times and messages).
func (st *state) push(r Result, size int) {
	r.Details = nil
	if r.Observed.OK() {
		st.passed++
	}
	if len(st.history) < size {
		if len(st.history) == cap(st.history) {
			grown := make([]Result, len(st.history), min(size, max(4, 2*cap(st.history))))
			copy(grown, st.history)
			st.history = grown
		}
		st.history = append(st.history, r)
		return
	}
	if st.history[st.next].Observed.OK() {
		st.passed--
	}
	st.history[st.next] = r
	st.next = (st.next + 1) % size
	st.filled = true
}

// ordered returns the history oldest first.
func (st *state) ordered() []Result {
	out := make([]Result, 0, len(st.history))
	if st.filled {
		out = append(out, st.history[st.next:]...)
		out = append(out, st.history[:st.next]...)
		return out
	}
	return append(out, st.history...)
}

func (st *state) availability() float64 {
	if len(st.history) == 0 {
		return 0
	}
	return float64(st.passed) / float64(len(st.history))
}

// damp applies the flap-damping thresholds to an observed status.
func (st *state) damp(observed Status) Status {
	prev := st.last.Status
	switch {
	case prev == StatusUnknown:
		return observed
	case observed == StatusUnhealthy && prev.OK():
		if st.last.ConsecutiveFailures+1 < st.check.FailureThreshold {
			return prev
		}
	case observed.OK() && prev == StatusUnhealthy:
		if st.last.ConsecutiveSuccesses+1 < st.check.SuccessThreshold {
			return prev
		}
	}
	return observed
}
