package checks

import (
	"math"
	"math/bits"
	"time"
)

// latencyBins is the number of bins of a latency histogram: half-octave
// bins ([2^k, 1.5·2^k) and [1.5·2^k, 2^(k+1))) over microseconds, bin 0 holding everything under 24 µs
// and bin 39 everything from 12.58 s up.
const latencyBins = 40

// binOffset is the raw bin (2·bits.Len(µs) + half-octave bit) of bin 0.
const binOffset = 10

// latencyBin returns the histogram bin of d.
func latencyBin(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	x := uint64(d / time.Microsecond)
	n := bits.Len64(x)
	raw := 2 * n
	if n >= 2 {
		raw += int(x>>(n-2)) & 1
	}
	return min(max(raw-binOffset, 0), latencyBins-1)
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
	if j == latencyBins-1 {
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
	hist        [latencyBins]uint16
}

// trendTotals is the sum of a window's live buckets.
type trendTotals struct {
	runs, fails, sum uint64
	min, max         uint32
	hist             [latencyBins]uint32
}

// trendWindow is a ring of buckets covering one window, with running
// totals so that a read costs a copy, not a pass over every bucket.
type trendWindow struct {
	window  time.Duration
	width   int64 // nanoseconds per bucket
	buckets []trendBucket
	head    int64 // newest bucket number recorded
	headEnd int64 // unix nanoseconds where the head bucket ends
	started bool
	tot     trendTotals
}

func (w *trendWindow) init(window time.Duration, n int) {
	w.window = window
	w.width = max(int64(window)/int64(n), 1)
	w.buckets = make([]trendBucket, n)
	w.tot.min = math.MaxUint32
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

func (w *trendWindow) slot(i int64) *trendBucket {
	n := int64(len(w.buckets))
	return &w.buckets[((i%n)+n)%n]
}

// add records one execution that finished at now (unix nanoseconds), of
// duration d (d >= 0) in latency bin j.
func (w *trendWindow) add(now int64, d time.Duration, j int, failed bool) {
	i := w.head
	if now >= w.headEnd || now < w.headEnd-w.width || !w.started { // not in the head bucket
		i = floorDiv(now, w.width)
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
func (w *trendWindow) advance(i int64) {
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

func (w *trendWindow) evict(b *trendBucket) {
	w.tot.runs -= uint64(b.runs)
	w.tot.fails -= uint64(b.fails)
	w.tot.sum -= b.sum
	for j := range b.hist {
		w.tot.hist[j] -= uint32(b.hist[j])
	}
}

// fixMinMax recomputes the totals' min and max from the live buckets.
func (w *trendWindow) fixMinMax() {
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

// stats returns the window's statistics as of now (unix nanoseconds):
// buckets that have left the window since the last add are left out. They
// stay the same until the next add or the end of now's bucket, returned as
// validUntil.
func (w *trendWindow) stats(now int64) (s WindowStats, validUntil int64) {
	i := floorDiv(now, w.width)
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

func (t *trendTotals) windowStats(window time.Duration) WindowStats {
	s := WindowStats{Window: window, Runs: t.runs, Failures: t.fails}
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
	for ; j < latencyBins-1; j++ {
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

// series fills dst with one point per bucket of the window, oldest first,
// the last being the bucket that holds now.
func (w *trendWindow) series(now int64, dst []SeriesPoint) []SeriesPoint {
	i := floorDiv(now, w.width)
	n := int64(len(w.buckets))
	for k := i - n + 1; k <= i; k++ {
		p := SeriesPoint{Start: time.Unix(0, k*w.width).UTC()}
		if b := w.slot(k); b.idx == k && b.runs > 0 && w.started {
			p.Runs, p.Failures = b.runs, b.fails
			p.Mean = time.Duration(b.sum / uint64(b.runs))
		}
		dst = append(dst, p)
	}
	return dst
}
