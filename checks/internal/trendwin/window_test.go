package trendwin

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
	"unsafe"
)

func TestLatencyBinBounds(t *testing.T) {
	for _, d := range []time.Duration{0, 1, time.Microsecond, 23 * time.Microsecond, 24 * time.Microsecond,
		31 * time.Microsecond, 32 * time.Microsecond, 47 * time.Microsecond, 48 * time.Microsecond,
		time.Millisecond, 1500 * time.Microsecond, 999 * time.Millisecond, time.Second, 12 * time.Second,
		13 * time.Second, time.Hour} {
		j := Bin(d)
		lo, hi := binBounds(j)
		us := float64(d / time.Microsecond)
		if us < lo || us >= hi {
			t.Errorf("Bin(%v) = %d with bounds [%v, %v) µs", d, j, lo, hi)
		}
		if j > 0 && j < Bins-1 && hi/lo > 1.5 {
			t.Errorf("bin %d is [%v, %v): wider than 1.5×", j, lo, hi)
		}
	}
	prevHi := 0.0
	for j := range Bins {
		lo, hi := binBounds(j)
		if lo != prevHi {
			t.Fatalf("bin %d starts at %v, previous ended at %v", j, lo, prevHi)
		}
		prevHi = hi
	}
}

func TestBucketSize(t *testing.T) {
	if s := unsafe.Sizeof(trendBucket{}); s != 112 {
		t.Errorf("trendBucket is %d bytes; the doc of checks' trends says 112", s)
	}
}

func newWindow(window time.Duration, n int) *Window {
	w := &Window{}
	w.Init(window, n)
	return w
}

func TestWindowQuantiles(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC).UnixNano()
	t.Run("constant", func(t *testing.T) {
		w := newWindow(time.Hour, 60)
		for i := range 100 {
			w.Add(t0+int64(i)*int64(time.Second), 3*time.Millisecond, Bin(3*time.Millisecond), false)
		}
		s, _ := w.Stats(t0 + int64(100*time.Second))
		if s.P50 != 3*time.Millisecond || s.P95 != 3*time.Millisecond || s.Mean != 3*time.Millisecond {
			t.Errorf("constant 3ms: %+v", s)
		}
	})
	t.Run("uniform", func(t *testing.T) {
		w := newWindow(time.Hour, 60)
		for i := range 1000 { // 1 ms .. 100 ms
			d := time.Duration(1+i%100) * time.Millisecond
			w.Add(t0+int64(i)*int64(time.Second), d, Bin(d), i%10 == 0)
		}
		s, _ := w.Stats(t0 + int64(1000*time.Second))
		within := func(name string, got, want time.Duration) {
			r := float64(got) / float64(want)
			if r < 1/math.Sqrt2 || r > math.Sqrt2 {
				t.Errorf("%s = %v, want about %v", name, got, want)
			}
		}
		within("P50", s.P50, 50*time.Millisecond)
		within("P95", s.P95, 95*time.Millisecond)
		if s.Runs != 1000 || s.Failures != 100 || s.SuccessRate != 0.9 {
			t.Errorf("counts: %+v", s)
		}
		if s.Min != time.Millisecond || s.Max != 100*time.Millisecond || s.Mean != 50500*time.Microsecond {
			t.Errorf("min/max/mean: %+v", s)
		}
	})
}

// sample is one recorded execution, for the reference model.
type sample struct {
	at     int64
	d      time.Duration
	failed bool
}

// reference computes what a window holds at now: the samples whose bucket
// is one of the n buckets ending with now's.
func reference(samples []sample, width int64, n int, now int64) (runs, fails uint64, sum uint64, lo, hi uint32) {
	cur := FloorDiv(now, width)
	lo = math.MaxUint32
	for _, s := range samples {
		b := FloorDiv(s.at, width)
		if b > cur-int64(n) && b <= cur {
			runs++
			if s.failed {
				fails++
			}
			sum += uint64(s.d)
			us := uint32(s.d / time.Microsecond)
			lo, hi = min(lo, us), max(hi, us)
		}
	}
	return
}

// TestWindowMatchesReference records executions at random gaps (some
// longer than the window) and compares every read with a brute-force
// count over all samples.
func TestWindowMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 6
	w := newWindow(6*time.Minute, n) // one-minute buckets
	width := int64(time.Minute)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).UnixNano()
	var samples []sample
	for i := range 3000 {
		switch rng.IntN(20) {
		case 0:
			now += int64(time.Duration(rng.IntN(15)) * time.Minute) // long pauses, past the window too
		default:
			now += int64(time.Duration(rng.IntN(40)) * time.Second)
		}
		if rng.IntN(3) > 0 {
			s := sample{at: now, d: time.Duration(rng.IntN(5000)) * time.Microsecond, failed: rng.IntN(4) == 0}
			samples = append(samples, s)
			w.Add(s.at, s.d, Bin(s.d), s.failed)
		}
		readAt := now + int64(time.Duration(rng.IntN(8))*time.Minute)
		got, _ := w.Stats(readAt)
		runs, fails, sum, lo, hi := reference(samples, width, n, readAt)
		if got.Runs != runs || got.Failures != fails {
			t.Fatalf("step %d: runs/failures %d/%d, want %d/%d", i, got.Runs, got.Failures, runs, fails)
		}
		if runs == 0 {
			continue
		}
		if got.Mean != time.Duration(sum/runs) {
			t.Fatalf("step %d: mean %v, want %v", i, got.Mean, time.Duration(sum/runs))
		}
		if got.Min != time.Duration(lo)*time.Microsecond || got.Max != time.Duration(hi)*time.Microsecond {
			t.Fatalf("step %d: min/max %v/%v, want %dµs/%dµs", i, got.Min, got.Max, lo, hi)
		}
		if got.P50 < got.Min || got.P95 > got.Max || got.P50 > got.P95 {
			t.Fatalf("step %d: quantiles out of order: %+v", i, got)
		}
	}
}

func TestWindowClockBack(t *testing.T) {
	w := newWindow(time.Hour, 60)
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).UnixNano()
	w.Add(t0, time.Millisecond, Bin(time.Millisecond), false)
	w.Add(t0-int64(2*time.Hour), time.Millisecond, Bin(time.Millisecond), false) // dropped
	w.Add(t0-int64(10*time.Minute), time.Millisecond, Bin(time.Millisecond), true)
	if s, _ := w.Stats(t0); s.Runs != 2 || s.Failures != 1 {
		t.Errorf("after a clock step back: %+v", s)
	}
}
