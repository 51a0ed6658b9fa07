package checks_test

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/internal/testutil"
)

// heapBound is the heap a runner may hold in the memory tests below, far
// above what they store (a few thousand results) and far below what
// allocating the history at its full size would take (1.46 GB and 146 MB).
const heapBound = 64 << 20

// liveHeap returns the bytes of live heap objects after a full collection
// (twice, so that objects freed by finalizers are gone too).
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// heapGrowth measures the live heap that build's result holds.
func heapGrowth(t *testing.T, build func() *checks.Runner) {
	t.Helper()
	before := liveHeap()
	r := build()
	after := liveHeap()
	runtime.KeepAlive(r)
	var grew uint64
	if after > before {
		grew = after - before
	}
	t.Logf("live heap grew by %.1f MB", float64(grew)/(1<<20))
	if grew > heapBound {
		t.Fatalf("the runner holds %.1f MB of heap, want at most %d MB: memory must follow the results stored, not the history size",
			float64(grew)/(1<<20), heapBound>>20)
	}
}

// The history grows as results arrive: 1,000 checks with the largest
// history size hold two results each after two rounds, not 10,000.
func TestHistoryMemoryFollowsResults(t *testing.T) {
	var r *checks.Runner
	heapGrowth(t, func() *checks.Runner {
		clock := testutil.NewFakeClock(time.Unix(1_700_000_000, 0))
		r = checks.NewRunner(checks.WithClock(clock), checks.WithHistorySize(checks.MaxHistorySize))
		for i := range 1000 {
			if err := r.Register(checks.Check{Name: fmt.Sprintf("c%04d", i), TTL: time.Second, Func: healthy}); err != nil {
				t.Fatal(err)
			}
		}
		r.Run(context.Background())
		clock.Advance(time.Second)
		r.Run(context.Background())
		return r
	})
	defer r.Close()
	hist, err := r.History("c0999")
	if err != nil || len(hist) != 2 {
		t.Fatalf("history of c0999: %d results, %v; want 2", len(hist), err)
	}
}

// A history size above MaxHistorySize is clamped to it; a huge one is
// neither allocated nor fatal.
func TestHistorySizeClamped(t *testing.T) {
	for _, size := range []int{1_000_000, 1_000_000_000} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			clock := testutil.NewFakeClock(time.Unix(1_700_000_000, 0))
			var r *checks.Runner
			heapGrowth(t, func() *checks.Runner {
				r = checks.NewRunner(checks.WithClock(clock), checks.WithHistorySize(size))
				if err := r.Register(checks.Check{Name: "c", TTL: time.Second, Func: healthy}); err != nil {
					t.Fatal(err)
				}
				r.Run(context.Background())
				return r
			})
			defer r.Close()
			for range checks.MaxHistorySize + 5 {
				clock.Advance(time.Second)
				if _, err := r.Check(context.Background(), "c"); err != nil {
					t.Fatal(err)
				}
			}
			hist, _ := r.History("c")
			if len(hist) != checks.MaxHistorySize {
				t.Fatalf("history holds %d results, want MaxHistorySize = %d", len(hist), checks.MaxHistorySize)
			}
			if hist[len(hist)-1].Runs != checks.MaxHistorySize+6 || hist[0].Runs != 7 {
				t.Fatalf("history runs %d..%d, want the last %d", hist[0].Runs, hist[len(hist)-1].Runs, checks.MaxHistorySize)
			}
		})
	}
}

// The transitions kept for Trends are clamped to MaxTrendTransitions.
func TestTrendTransitionsClamped(t *testing.T) {
	clock := testutil.NewFakeClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	r := checks.NewRunner(checks.WithClock(clock), checks.WithTrendTransitionsForTest(1_000_000_000))
	defer r.Close()
	var next atomic.Int32
	next.Store(int32(checks.StatusHealthy))
	if err := r.Register(checks.Check{Name: "c", TTL: time.Second, Func: flipper(&next)}); err != nil {
		t.Fatal(err)
	}
	for i := range checks.MaxTrendTransitionsForTest + 5 {
		if i%2 == 1 {
			next.Store(int32(checks.StatusDegraded))
		} else {
			next.Store(int32(checks.StatusHealthy))
		}
		if _, err := r.Refresh(context.Background(), "c"); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Second)
	}
	tr, err := r.Trends("c")
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Transitions) != checks.MaxTrendTransitionsForTest {
		t.Fatalf("%d transitions kept, want MaxTrendTransitions = %d", len(tr.Transitions), checks.MaxTrendTransitionsForTest)
	}
}
