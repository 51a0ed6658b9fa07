package checks

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/echofx/healthcheck/checks/internal/trendwin"
	"github.com/echofx/healthcheck/internal/checkview"
)

// Trend defaults and sizes.
const (
	// DefaultTrendShortWindow is the short trend window (WithTrendWindows).
	DefaultTrendShortWindow = time.Hour
	// DefaultTrendLongWindow is the long trend window (WithTrendWindows).
	DefaultTrendLongWindow = 24 * time.Hour
	// defaultTrendTransitions is how many status transitions a runner keeps
	// per check (withTrendTransitions).
	defaultTrendTransitions = 100
	// maxTrendTransitions is the most transitions a runner keeps per check:
	// withTrendTransitions clamps larger values to it. The ring grows as
	// transitions arrive; each costs 80 bytes plus its message (at most
	// 200 bytes), so at most about 2.8 MB per check.
	maxTrendTransitions = 10000
	// trendShortBuckets is the number of buckets of the short window (one
	// per minute of the default hour), hence the length of Trends.Series.
	trendShortBuckets = checkview.TrendShortBuckets
	// trendLongBuckets is the number of buckets of the long window (one per
	// half hour of the default day).
	trendLongBuckets = checkview.TrendLongBuckets
)

// WithTrendWindows sets the short and long windows of Trends (defaults
// DefaultTrendShortWindow = 1 h and DefaultTrendLongWindow = 24 h). Each
// window is kept as a ring of buckets (60 for the short window and
// 48 for the long one), so a window's edge moves one bucket at a time
// (a minute and half an hour by default): a window covers between
// window-bucket and window of history.
//
// Both zero disables trends: nothing is recorded and trend reads return
// zero values. Otherwise short must be at least a minute and long at least
// short; invalid values are ignored (the defaults stay).
func WithTrendWindows(short, long time.Duration) Option {
	return optionFunc(func(cfg *config) {
		switch {
		case short == 0 && long == 0:
			cfg.trendsOff = true
		case short >= time.Minute && long >= short:
			cfg.trendsOff = false
			cfg.trendShort, cfg.trendLong = short, long
		}
	})
}

// withTrendTransitions sets how many status transitions are kept per check
// for Trends (default 100; the oldest go first;
// values below 1 are ignored; values above 10,000
// are clamped to it). Trends reports those within the long window.
func withTrendTransitions(n int) Option {
	return optionFunc(func(cfg *config) {
		if n >= 1 {
			cfg.trendTransitions = min(n, maxTrendTransitions)
		}
	})
}

// WindowStats are a check's executions over one trend window. Degraded
// executions count as successes, as in Result.Availability; latencies are
// the executions' durations (Result.Duration), failures included.
type WindowStats struct {
	// Window is the window's length.
	Window time.Duration
	// Runs and Failures count the executions in the window (failures:
	// observed unhealthy, before flap damping).
	Runs, Failures uint64
	// SuccessRate is (Runs-Failures)/Runs, in [0, 1]; 0 when Runs is 0.
	SuccessRate float64
	// Mean, Min and Max are exact (Min and Max to the microsecond).
	Mean, Min, Max time.Duration
	// P50 and P95 are estimated from a histogram of half-octave bins
	// (each at most 1.5 times as wide as it starts, from 24 µs to 12.6 s),
	// interpolated inside the bin and clamped to [Min, Max]: within a
	// factor of 1.5 of the true value, exact when every execution took
	// the same time.
	P50, P95 time.Duration
}

// SeriesPoint is one bucket of the short window: the executions that
// finished in [Start, Start + Trends.SeriesStep).
type SeriesPoint struct {
	Start          time.Time
	Runs, Failures uint32
	// Mean is the mean duration; 0 when Runs is 0.
	Mean time.Duration
}

// Trends are a check's statistics over hours, as of At.
type Trends struct {
	// At is the time the windows end at.
	At time.Time
	// Short and Long cover the windows set by WithTrendWindows (1 h and
	// 24 h by default).
	Short, Long WindowStats
	// Series has one point per bucket of the short window
	// (60: per minute over the last hour by default),
	// oldest first, the last holding At: the data of a latency sparkline.
	Series []SeriesPoint
	// SeriesStep is the length of a Series bucket.
	SeriesStep time.Duration
	// Transitions are the status transitions within the long window, oldest
	// first, at most 100.
	Transitions []Transition
}

// Trends returns the named check's trends as of the runner clock's now.
// Unknown names give an error wrapping ErrUnknownCheck. With trends
// disabled (WithTrendWindows(0, 0)) it returns zero Trends but At.
func (r *Runner) Trends(name string) (Trends, error) {
	st, err := r.state(name)
	if err != nil {
		return Trends{}, err
	}
	var t Trends
	st.trends.read(r.cfg.clock.Now(), &t)
	return t, nil
}

// trendWindows fills short and long with the window statistics of the
// check of Results[i] as of now (pass one clock reading per response). It
// reports false, and zeroes them, when i is out of range or trends are
// disabled. It allocates nothing and, while no result was recorded and no
// bucket boundary passed since the last read, costs an atomic load and a
// copy (about 15 ns): what a detailed route reads per check. (It fills
// pointers rather than returning values because copying two returned
// structs costs several times more.)
func (s *Snapshot) trendWindows(i int, now time.Time, short, long *WindowStats) bool {
	if i < 0 || i >= len(s.states) {
		*short, *long = WindowStats{}, WindowStats{}
		return false
	}
	return s.states[i].trends.windows(now, short, long)
}

// readTrends fills dst with the trends of the check of Results[i] as of
// now, reusing the capacity of dst.Series and dst.Transitions (so a
// caller that keeps dst allocates nothing after the first call). dst is
// zeroed but At when i is out of range or trends are disabled.
func (s *Snapshot) readTrends(i int, now time.Time, dst *Trends) {
	if i < 0 || i >= len(s.states) {
		*dst = Trends{At: now, Series: dst.Series[:0], Transitions: dst.Transitions[:0]}
		return
	}
	s.states[i].trends.read(now, dst)
}

// trendConfig is the part of the runner's config the trends of a check
// need.
func (c *config) trendSettings() (on bool, short, long time.Duration, transitions int) {
	short, long, transitions = c.trendShort, c.trendLong, c.trendTransitions
	if short == 0 {
		short, long = DefaultTrendShortWindow, DefaultTrendLongWindow
	}
	if transitions == 0 {
		transitions = defaultTrendTransitions
	}
	return !c.trendsOff, short, long, transitions
}

// trends is one check's trend data, guarded by its own mutex so that
// reads need not take the runner's.
//
// Memory per check: the two bucket rings, 60 + 48 buckets of 112 bytes
// (12,096 bytes), two running totals and cached stats (about 600 bytes),
// and the transitions ring, grown on demand up to 100 transitions of 80
// bytes (8,000 bytes; their messages share the results' strings of at
// most 200 bytes): about 12.7 KB per check, at most 20.7 KB.
type trends struct {
	mu          sync.Mutex
	on          bool
	short, long trendwin.Window
	trans       []Transition // ring, grown up to maxTrans
	transNext   int
	maxTrans    int

	// cache holds the windows' stats while no result is recorded and the
	// clock stays in [from, to); add clears it. Reads load it without
	// the lock.
	cache atomic.Pointer[trendCache]
}

type trendCache struct {
	from, to    int64 // unix nanoseconds
	short, long WindowStats
}

func (t *trends) init(cfg *config) {
	on, short, long, n := cfg.trendSettings()
	if !on {
		return
	}
	t.on = true
	t.short.Init(short, trendShortBuckets)
	t.long.Init(long, trendLongBuckets)
	t.maxTrans = n
}

// add records an execution that finished at now, and its transition if any.
func (t *trends) add(now time.Time, d time.Duration, failed bool, tr *Transition) {
	if !t.on {
		return
	}
	ns := now.UnixNano()
	d = max(d, 0)
	j := trendwin.Bin(d)
	t.mu.Lock()
	if t.cache.Load() != nil {
		t.cache.Store(nil)
	}
	t.short.Add(ns, d, j, failed)
	t.long.Add(ns, d, j, failed)
	if tr != nil {
		if len(t.trans) < t.maxTrans {
			if len(t.trans) == cap(t.trans) { // grow, never past maxTrans
				grown := make([]Transition, len(t.trans), min(t.maxTrans, max(4, 2*cap(t.trans))))
				copy(grown, t.trans)
				t.trans = grown
			}
			t.trans = append(t.trans, *tr)
		} else {
			t.trans[t.transNext] = *tr
			t.transNext = (t.transNext + 1) % t.maxTrans
		}
	}
	t.mu.Unlock()
}

func (t *trends) windows(now time.Time, short, long *WindowStats) bool {
	if !t.on {
		*short, *long = WindowStats{}, WindowStats{}
		return false
	}
	ns := now.UnixNano()
	c := t.cache.Load()
	if c == nil || ns < c.from || ns >= c.to {
		t.mu.Lock()
		c = t.compute(ns)
		t.cache.Store(c)
		t.mu.Unlock()
	}
	*short, *long = c.short, c.long
	return true
}

// compute returns the windows' stats as of ns. t.mu must be held.
func (t *trends) compute(ns int64) *trendCache {
	short, untilS := t.short.Stats(ns)
	long, untilL := t.long.Stats(ns)
	sw, lw := t.short.Width(), t.long.Width()
	from := max(trendwin.FloorDiv(ns, sw)*sw, trendwin.FloorDiv(ns, lw)*lw)
	return &trendCache{from: from, to: min(untilS, untilL), short: WindowStats(short), long: WindowStats(long)}
}

func (t *trends) read(now time.Time, dst *Trends) {
	*dst = Trends{At: now, Series: dst.Series[:0], Transitions: dst.Transitions[:0]}
	if !t.on {
		return
	}
	ns := now.UnixNano()
	from := now.Add(-t.long.Length())
	t.mu.Lock()
	defer t.mu.Unlock()
	c := t.cache.Load()
	if c == nil || ns < c.from || ns >= c.to {
		c = t.compute(ns)
		t.cache.Store(c)
	}
	dst.Short, dst.Long = c.short, c.long
	dst.SeriesStep = time.Duration(t.short.Width())
	for k := range t.short.Len() {
		dst.Series = append(dst.Series, SeriesPoint(t.short.PointAt(ns, k)))
	}
	for k := range t.trans {
		tr := &t.trans[(t.transNext+k)%len(t.trans)]
		if tr.At.After(from) && !tr.At.After(now) {
			dst.Transitions = append(dst.Transitions, *tr)
		}
	}
}
