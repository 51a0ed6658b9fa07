// Package trendwin is the data structure behind checks' trends: a ring of
// time buckets with running totals and a latency histogram per bucket, so
// that recording an execution and reading a window's statistics cost a few
// dozen nanoseconds and no allocation.
package trendwin

import (
	"math"
	"math/bits"
	"time"
)

// Bins is the number of bins of a latency histogram: half-octave
// bins ([2^k, 1.5·2^k) and [1.5·2^k, 2^(k+1))) over microseconds, bin 0 holding everything under 24 µs
// and bin 39 everything from 12.58 s up.
const Bins = 40

// binOffset is the raw bin (2·bits.Len(µs) + half-octave bit) of bin 0.
const binOffset = 10

// latencyBin returns the histogram bin of d.
func Bin(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	x := uint64(d / time.Microsecond)
	n := bits.Len64(x)
	raw := 2 * n
	if n >= 2 {
		raw += int(x>>(n-2)) & 1
	}
	return min(max(raw-binOffset, 0), Bins-1)
}

// binBounds returns bin j's range [lo, hi) in microseconds; the last bin's
// hi is +Inf.
func binBounds(j int) (lo, hi float64) {
	if j == 0 {
		return 0, 24
	}
	raw := j + binOffset
	n, half := raw/2, raw%2
	q := math.Ldexp(1, n-2)
	lo, hi = q*float64(2+half), q*float64(3+half)
	if j == Bins-1 {
		hi = math.Inf(1)
	}
	return lo, hi
}

// trendBucket holds the executions of one bucket period: 112 bytes.
type trendBucket struct {
	idx         int64 // bucket number: unix nanoseconds / width
	runs, fails uint32
	sum         uint64 // nanoseconds
	min, max    uint32 // microseconds; min is MaxUint32 while empty
	hist        [Bins]uint16
}

// trendTotals is the sum of a window's live buckets.
type trendTotals struct {
	runs, fails, sum uint64
	min, max         uint32
	hist             [Bins]uint32
}

// Window is a ring of buckets covering one window, with running
// totals so that a read costs a copy, not a pass over every bucket.
type Window struct {
	window  time.Duration
	width   int64 // nanoseconds per bucket
	buckets []trendBucket
	head    int64 // newest bucket number recorded
	headEnd int64 // unix nanoseconds where the head bucket ends
	started bool
	tot     trendTotals
}

// Init sets w up for a window of the given length in n buckets.
func (w *Window) Init(window time.Duration, n int) {
	w.window = window
	w.width = max(int64(window)/int64(n), 1)
	w.buckets = make([]trendBucket, n)
	w.tot.min = math.MaxUint32
}

// FloorDiv is a/b rounded toward minus infinity.
func FloorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

func (w *Window) slot(i int64) *trendBucket {
	n := int64(len(w.buckets))
	return &w.buckets[((i%n)+n)%n]
}

// Add records one execution that finished at now (unix nanoseconds), of
// duration d (d >= 0) in latency bin j.
func (w *Window) Add(now int64, d time.Duration, j int, failed bool) {
	i := w.head
	if now >= w.headEnd || now < w.headEnd-w.width || !w.started { // not in the head bucket
		i = FloorDiv(now, w.width)
		n := int64(len(w.buckets))
		switch {
		case !w.started:
			w.started, w.head = true, i
		case i > w.head:
			w.advance(i)
		case i <= w.head-n:
			return // older than the window (the clock went back)
		}
		w.headEnd = (w.head + 1) * w.width
	}
	b := w.slot(i)
	if b.idx != i {
		if b.runs > 0 { // a bucket of an earlier lap, expired
			w.evict(b)
			w.fixMinMax()
		}
		*b = trendBucket{idx: i, min: math.MaxUint32}
	}
	us := uint32(min(d/time.Microsecond, math.MaxUint32))
	b.runs++
	b.sum += uint64(d)
	b.min, b.max = min(b.min, us), max(b.max, us)
	w.tot.runs++
	w.tot.sum += uint64(d)
	w.tot.min, w.tot.max = min(w.tot.min, us), max(w.tot.max, us)
	if failed {
		b.fails++
		w.tot.fails++
	}
	if b.hist[j] < math.MaxUint16 { // saturates, totals stay exact
		b.hist[j]++
		w.tot.hist[j]++
	}
}

// advance makes i the head bucket, evicting the buckets that leave the
// window.
func (w *Window) advance(i int64) {
	n := int64(len(w.buckets))
	if i-w.head >= n {
		for k := range w.buckets {
			w.buckets[k] = trendBucket{}
		}
		w.tot = trendTotals{min: math.MaxUint32}
	} else {
		evicted := false
		for k := w.head + 1; k <= i; k++ {
			b := w.slot(k)
			if b.runs > 0 {
				w.evict(b)
				evicted = true
			}
			*b = trendBucket{idx: k, min: math.MaxUint32}
		}
		w.head = i
		if evicted {
			w.fixMinMax()
		}
	}
	w.head = i
}

func (w *Window) evict(b *trendBucket) {
	w.tot.runs -= uint64(b.runs)
	w.tot.fails -= uint64(b.fails)
	w.tot.sum -= b.sum
	for j := range b.hist {
		w.tot.hist[j] -= uint32(b.hist[j])
	}
}

// fixMinMax recomputes the totals' min and max from the live buckets.
func (w *Window) fixMinMax() {
	w.tot.min, w.tot.max = liveMinMax(w.buckets, w.head-int64(len(w.buckets)), w.head)
}

// liveMinMax is the min and max over buckets numbered in (from, to].
func liveMinMax(buckets []trendBucket, from, to int64) (lo, hi uint32) {
	lo = math.MaxUint32
	for k := range buckets {
		b := &buckets[k]
		if b.runs > 0 && b.idx > from && b.idx <= to {
			lo, hi = min(lo, b.min), max(hi, b.max)
		}
	}
	return lo, hi
}

// Stats returns the window's statistics as of now (unix nanoseconds):
// buckets that have left the window since the last add are left out. They
// stay the same until the next add or the end of now's bucket, returned as
// validUntil.
func (w *Window) Stats(now int64) (s Stats, validUntil int64) {
	i := FloorDiv(now, w.width)
	n := int64(len(w.buckets))
	tot := w.tot
	if w.started && i > w.head {
		if i-n >= w.head {
			tot = trendTotals{}
		} else {
			evicted := false
			for k := w.head - n + 1; k <= i-n; k++ {
				if b := w.slot(k); b.idx == k && b.runs > 0 {
					tot.runs -= uint64(b.runs)
					tot.fails -= uint64(b.fails)
					tot.sum -= b.sum
					for j := range b.hist {
						tot.hist[j] -= uint32(b.hist[j])
					}
					evicted = true
				}
			}
			if evicted {
				tot.min, tot.max = liveMinMax(w.buckets, i-n, w.head)
			}
		}
	}
	return tot.windowStats(w.window), (i + 1) * w.width
}

func (t *trendTotals) windowStats(window time.Duration) Stats {
	s := Stats{Window: window, Runs: t.runs, Failures: t.fails}
	if t.runs == 0 {
		return s
	}
	s.SuccessRate = float64(t.runs-t.fails) / float64(t.runs)
	s.Mean = time.Duration(t.sum / t.runs)
	s.Min = time.Duration(t.min) * time.Microsecond
	s.Max = time.Duration(t.max) * time.Microsecond
	var counted uint64
	for _, c := range t.hist {
		counted += uint64(c)
	}
	s.P50 = t.quantile(0.50, counted)
	s.P95 = t.quantile(0.95, counted)
	return s
}

// quantile estimates the q-quantile from the histogram, interpolating
// linearly inside the bin and clamping to the observed min and max.
func (t *trendTotals) quantile(q float64, counted uint64) time.Duration {
	if counted == 0 {
		return 0
	}
	rank := q * float64(counted)
	var cum float64
	j := 0
	for ; j < Bins-1; j++ {
		c := float64(t.hist[j])
		if c > 0 && cum+c >= rank {
			break
		}
		cum += c
	}
	lo, hi := binBounds(j)
	lo = max(lo, float64(t.min))
	hi = min(hi, float64(t.max)+1)
	v := lo
	if c := float64(t.hist[j]); c > 0 && hi > lo {
		v = lo + (hi-lo)*((rank-cum)/c)
	}
	v = min(max(v, float64(t.min)), float64(t.max))
	return time.Duration(v * float64(time.Microsecond))
}

// Len is the number of buckets, hence of points in a series.
func (w *Window) Len() int { return len(w.buckets) }

// Length is the window's length.
func (w *Window) Length() time.Duration { return w.window }

// Width is a bucket's width in nanoseconds.
func (w *Window) Width() int64 { return w.width }

// PointAt returns bucket k of the window as of now (unix nanoseconds), k = 0
// the oldest, Len()-1 the one that holds now.
func (w *Window) PointAt(now int64, k int) Point {
	b := FloorDiv(now, w.width) - int64(len(w.buckets)) + 1 + int64(k)
	p := Point{Start: time.Unix(0, b*w.width).UTC()}
	if s := w.slot(b); s.idx == b && s.runs > 0 && w.started {
		p.Runs, p.Failures = s.runs, s.fails
		p.Mean = time.Duration(s.sum / uint64(s.runs))
	}
	return p
}

// Stats are a window's statistics; checks.WindowStats documents them
// (the two types convert into each other).
type Stats struct {
	Window         time.Duration
	Runs, Failures uint64
	SuccessRate    float64
	Mean, Min, Max time.Duration
	P50, P95       time.Duration
}

// Point is one bucket of a window; checks.SeriesPoint documents it.
type Point struct {
	Start          time.Time
	Runs, Failures uint32
	Mean           time.Duration
}
