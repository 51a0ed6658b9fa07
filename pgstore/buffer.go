package pgstore

import (
	"time"

	"github.com/echofx/healthcheck/checks"
)

// histBounds are the upper bounds of the latency histogram's buckets; a
// last bucket counts what is above them. The p95 read from it is known to
// a bucket's precision.
var histBounds = [...]time.Duration{
	1 * time.Millisecond, 2 * time.Millisecond, 5 * time.Millisecond, 10 * time.Millisecond,
	25 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond, 250 * time.Millisecond,
	500 * time.Millisecond, time.Second, 2500 * time.Millisecond, 5 * time.Second,
}

const nHist = len(histBounds) + 1

// bucketKey is one check's minute.
type bucketKey struct {
	check string
	start int64 // Unix seconds of the minute
}

// agg is one minute bucket's counts.
type agg struct {
	runs, failures int32
	sumUS, maxUS   int64
	hist           [nHist]int32
}

func (a *agg) add(b *agg) {
	a.runs += b.runs
	a.failures += b.failures
	a.sumUS += b.sumUS
	a.maxUS = max(a.maxUS, b.maxUS)
	for i := range a.hist {
		a.hist[i] += b.hist[i]
	}
}

// transition is a checks.Transition as stored.
type transition struct {
	check, from, to, message string
	at                       time.Time
}

// pending is what waits for the next write: minute buckets (in the order
// they were opened) and transitions (in the order they happened).
type pending struct {
	keys    []bucketKey
	buckets map[bucketKey]*agg
	trans   []transition
}

func newPending() pending { return pending{buckets: make(map[bucketKey]*agg)} }

func (p *pending) size() int { return len(p.keys) + len(p.trans) }

func (p *pending) empty() bool { return p.size() == 0 }

// bucket returns k's bucket, opening it (and reporting so) when new.
func (p *pending) bucket(k bucketKey) (*agg, bool) {
	if a, ok := p.buckets[k]; ok {
		return a, false
	}
	a := new(agg)
	p.buckets[k] = a
	p.keys = append(p.keys, k)
	return a, true
}

// dropOldest drops the oldest event (bucket or transition) and reports
// whether there was one.
func (p *pending) dropOldest() bool {
	switch {
	case len(p.keys) > 0 && (len(p.trans) == 0 || p.keys[0].start <= p.trans[0].at.Unix()):
		delete(p.buckets, p.keys[0])
		p.keys = p.keys[1:]
	case len(p.trans) > 0:
		p.trans = p.trans[1:]
	default:
		return false
	}
	return true
}

// prepend puts old (a batch that could not be written) before p's events,
// merging buckets that both hold.
func (p *pending) prepend(old pending) {
	keys := old.keys
	for _, k := range p.keys {
		if a, ok := old.buckets[k]; ok {
			a.add(p.buckets[k])
			continue
		}
		old.buckets[k] = p.buckets[k]
		keys = append(keys, k)
	}
	p.keys, p.buckets = keys, old.buckets
	p.trans = append(old.trans, p.trans...)
}

// Hooks returns the runner hooks that feed the store: add them with
// Runner.AddHooks (or checks.WithHooks). They only record in memory,
// under a mutex, and never touch the database.
func (s *Store) Hooks() checks.Hooks {
	return checks.Hooks{OnResult: s.onResult, OnTransition: s.onTransition}
}

func (s *Store) onResult(r checks.Result) {
	k := bucketKey{check: r.Name, start: r.Time.UTC().Truncate(time.Minute).Unix()}
	if r.Time.IsZero() {
		k.start = s.cfg.Clock.Now().UTC().Truncate(time.Minute).Unix()
	}
	us := r.Duration.Microseconds()
	hi := len(histBounds)
	for i, b := range histBounds {
		if r.Duration <= b {
			hi = i
			break
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latest[r.Name] = checks.Result{Name: r.Name, Criticality: r.Criticality, Level: r.Level, Status: r.Status}
	a, opened := s.pend.bucket(k)
	a.runs++
	if !r.Observed.OK() {
		a.failures++
	}
	a.sumUS += us
	a.maxUS = max(a.maxUS, us)
	a.hist[hi]++
	if opened {
		s.trimLocked()
	}
}

// onTransition records t, except a check's first result when it is
// healthy (from unknown to healthy): every start would otherwise fill the
// fleet's last transitions; the instance's started_at records the start.
func (s *Store) onTransition(t checks.Transition) {
	if t.From == checks.StatusUnknown && t.To == checks.StatusHealthy {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pend.trans = append(s.pend.trans, transition{
		check: t.Check, from: t.From.String(), to: t.To.String(),
		message: checks.Redact(t.Message), at: t.At,
	})
	s.trimLocked()
}

// trimLocked drops the oldest events past the buffer's size.
func (s *Store) trimLocked() {
	for s.pend.size() > s.cfg.BufferSize && s.pend.dropOldest() {
		s.dropped++
	}
}

// statusLocked is this replica's status: the aggregate of its checks'
// latest reported statuses.
func (s *Store) statusLocked() checks.Status {
	rs := make([]checks.Result, 0, len(s.latest))
	for _, r := range s.latest {
		rs = append(rs, r)
	}
	return checks.Aggregate(rs)
}
