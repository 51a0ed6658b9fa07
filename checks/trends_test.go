package checks_test

import (
	"context"
	"errors"
	"github.com/echofx/healthcheck/internal/checkview"
	"sync/atomic"
	"testing"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/internal/testutil"
)

// flipper is a check whose next status the test sets.
func flipper(next *atomic.Int32) checks.Func {
	return func(context.Context) checks.Report {
		return checks.Report{Status: checks.Status(next.Load()), Message: "state " + checks.Status(next.Load()).String()}
	}
}

func TestRunnerTrends(t *testing.T) {
	start := time.Date(2026, 3, 1, 12, 0, 30, 0, time.UTC)
	clock := testutil.NewFakeClock(start)
	r := checks.NewRunner(checks.WithClock(clock))
	defer r.Close()
	var next atomic.Int32
	next.Store(int32(checks.StatusHealthy))
	if err := r.Register(checks.Check{Name: "db", Func: flipper(&next)}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	refresh := func(s checks.Status) {
		t.Helper()
		next.Store(int32(s))
		if _, err := r.Refresh(ctx, "db"); err != nil {
			t.Fatal(err)
		}
	}

	// Two hours ago: 10 runs, 5 of them failing (two transitions each way).
	for i := range 10 {
		refresh(map[bool]checks.Status{true: checks.StatusUnhealthy, false: checks.StatusHealthy}[i%2 == 1])
		clock.Advance(time.Minute)
	}
	clock.Advance(2 * time.Hour)
	// The last hour: 30 runs, 3 failing in a row, 1 degraded.
	for i := range 30 {
		s := checks.StatusHealthy
		switch {
		case i >= 10 && i < 13:
			s = checks.StatusUnhealthy
		case i == 20:
			s = checks.StatusDegraded
		}
		refresh(s)
		clock.Advance(time.Minute)
	}

	tr, err := r.Trends("db")
	if err != nil {
		t.Fatal(err)
	}
	if !tr.At.Equal(clock.Now()) {
		t.Errorf("At = %v, want the clock's %v", tr.At, clock.Now())
	}
	if s := tr.Short; s.Window != time.Hour || s.Runs != 30 || s.Failures != 3 || s.SuccessRate != 0.9 {
		t.Errorf("Short = %+v, want 30 runs, 3 failures over 1h", s)
	}
	if s := tr.Long; s.Window != 24*time.Hour || s.Runs != 40 || s.Failures != 8 || s.SuccessRate != 0.8 {
		t.Errorf("Long = %+v, want 40 runs, 8 failures over 24h", s)
	}
	if tr.Short.P50 <= 0 || tr.Short.P95 < tr.Short.P50 || tr.Short.Max < tr.Short.P95 {
		t.Errorf("latencies out of order: %+v", tr.Short)
	}
	if len(tr.Series) != checks.TrendShortBucketsForTest || tr.SeriesStep != time.Minute {
		t.Fatalf("series of %d points of %v, want %d of 1m", len(tr.Series), tr.SeriesStep, checks.TrendShortBucketsForTest)
	}
	var seriesRuns, seriesFails uint32
	for i, p := range tr.Series {
		seriesRuns += p.Runs
		seriesFails += p.Failures
		if i > 0 && !p.Start.Equal(tr.Series[i-1].Start.Add(time.Minute)) {
			t.Fatalf("series point %d starts at %v after %v", i, p.Start, tr.Series[i-1].Start)
		}
	}
	if seriesRuns != 30 || seriesFails != 3 {
		t.Errorf("series holds %d runs, %d failures; want 30, 3", seriesRuns, seriesFails)
	}
	if last := tr.Series[len(tr.Series)-1]; tr.At.Before(last.Start) || !tr.At.Before(last.Start.Add(time.Minute)) {
		t.Errorf("last series point starts at %v, not holding At %v", last.Start, tr.At)
	}

	// Transitions: unknown→healthy and 9 flips two hours ago; in the last
	// hour back to healthy, to unhealthy and back, to degraded and back:
	// 10 + 5 = 15.
	var got []string
	for _, x := range tr.Transitions {
		got = append(got, x.From.String()+">"+x.To.String())
	}
	if len(tr.Transitions) != 15 || got[0] != "unknown>healthy" || got[14] != "degraded>healthy" {
		t.Errorf("transitions = %v", got)
	}
	if first := tr.Transitions[0]; !first.At.Equal(start) || first.Check != "db" {
		t.Errorf("first transition %+v, want db at %v", first, start)
	}

	// A day later the short window is empty and the long one holds only
	// what is younger than 24 h.
	clock.Advance(23*time.Hour + 15*time.Minute)
	tr, _ = r.Trends("db")
	if tr.Short.Runs != 0 || tr.Short.SuccessRate != 0 || tr.Short.P95 != 0 {
		t.Errorf("Short after a quiet day = %+v, want empty", tr.Short)
	}
	if tr.Long.Runs != 30 || tr.Long.Failures != 3 {
		t.Errorf("Long after 23h15m = %+v, want the last 30 runs", tr.Long)
	}
	if len(tr.Transitions) != 5 || tr.Transitions[0].From != checks.StatusUnhealthy {
		t.Errorf("%d transitions within 24h, want the 5 of the last hour", len(tr.Transitions))
	}

	if _, err := r.Trends("nope"); !errors.Is(err, checks.ErrUnknownCheck) {
		t.Errorf("Trends(unknown) error = %v, want ErrUnknownCheck", err)
	}
}

func TestTrendOptions(t *testing.T) {
	clock := testutil.NewFakeClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	ctx := context.Background()
	var next atomic.Int32
	next.Store(int32(checks.StatusHealthy))
	setup := func(opts ...checks.Option) *checks.Runner {
		t.Helper()
		r := checks.NewRunner(append(opts, checks.WithClock(clock))...)
		t.Cleanup(r.Close)
		if err := r.Register(checks.Check{Name: "c", Func: flipper(&next)}); err != nil {
			t.Fatal(err)
		}
		for i := range 10 {
			next.Store(int32(checks.StatusHealthy + checks.Status(i%2)*2))
			if _, err := r.Refresh(ctx, "c"); err != nil {
				t.Fatal(err)
			}
		}
		return r
	}

	t.Run("disabled", func(t *testing.T) {
		r := setup(checks.WithTrendWindows(0, 0))
		tr, err := r.Trends("c")
		if err != nil || tr.Short.Runs != 0 || tr.Long.Window != 0 || len(tr.Series) != 0 || len(tr.Transitions) != 0 {
			t.Errorf("disabled trends: %+v, %v", tr, err)
		}
	})
	t.Run("windows", func(t *testing.T) {
		r := setup(checks.WithTrendWindows(10*time.Minute, 2*time.Hour), checks.WithTrendTransitionsForTest(3))
		tr, _ := r.Trends("c")
		if tr.Short.Window != 10*time.Minute || tr.Long.Window != 2*time.Hour || tr.SeriesStep != 10*time.Second {
			t.Errorf("windows %v/%v step %v, want 10m/2h step 10s", tr.Short.Window, tr.Long.Window, tr.SeriesStep)
		}
		if tr.Short.Runs != 10 || len(tr.Transitions) != 3 || tr.Transitions[2].To != checks.StatusUnhealthy {
			t.Errorf("runs %d, transitions %+v; want 10 and the last 3", tr.Short.Runs, tr.Transitions)
		}
	})
	t.Run("invalid ignored", func(t *testing.T) {
		r := setup(checks.WithTrendWindows(time.Second, time.Hour), checks.WithTrendWindows(2*time.Hour, time.Hour), checks.WithTrendTransitionsForTest(0))
		tr, _ := r.Trends("c")
		if tr.Short.Window != checks.DefaultTrendShortWindow || tr.Long.Window != checks.DefaultTrendLongWindow || len(tr.Transitions) != 10 {
			t.Errorf("invalid options changed the defaults: %v/%v, %d transitions", tr.Short.Window, tr.Long.Window, len(tr.Transitions))
		}
	})
}

func TestSnapshotTrendReads(t *testing.T) {
	clock := testutil.NewFakeClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	r := checks.NewRunner(checks.WithClock(clock))
	defer r.Close()
	for _, n := range []string{"a", "b"} {
		if err := r.Register(checks.Check{Name: n, Func: healthy}); err != nil {
			t.Fatal(err)
		}
	}
	snap := r.Run(context.Background())
	now := clock.Now()
	var short, long checks.WindowStats
	if ok := checkview.TrendWindows(snap, 1, now, &short, &long); !ok || short.Runs != 1 || long.Runs != 1 || short.SuccessRate != 1 {
		t.Errorf("TrendWindows(1) = %+v, %+v, %v", short, long, ok)
	}
	if ok := checkview.TrendWindows(snap, 2, now, &short, &long); ok || short.Runs != 0 || long.Runs != 0 {
		t.Errorf("TrendWindows out of range = %+v, %+v, %v", short, long, ok)
	}
	if n := testing.AllocsPerRun(100, func() { checkview.TrendWindows(snap, 0, now, &short, &long) }); n != 0 {
		t.Errorf("TrendWindows allocates %v times", n)
	}
	var dst checks.Trends
	checkview.ReadTrends(snap, 0, now, &dst)
	if dst.Short.Runs != 1 || len(dst.Series) != checks.TrendShortBucketsForTest || len(dst.Transitions) != 1 {
		t.Errorf("ReadTrends = %+v", dst)
	}
	if n := testing.AllocsPerRun(100, func() { checkview.ReadTrends(snap, 0, now, &dst) }); n != 0 {
		t.Errorf("ReadTrends into a used Trends allocates %v times", n)
	}
	checkview.ReadTrends(snap, -1, now, &dst)
	if dst.Short.Runs != 0 || len(dst.Series) != 0 || !dst.At.Equal(now) {
		t.Errorf("ReadTrends out of range = %+v", dst)
	}
}

// BenchmarkTrendWindows reads the windows of 100 checks per op, as a
// detailed route does; the baseline copies the same checks' Results.
func BenchmarkTrendWindows(b *testing.B) {
	r := checks.NewRunner()
	defer r.Close()
	for i := range 100 {
		if err := r.Register(checks.Check{Name: "check" + string(rune('A'+i/26)) + string(rune('a'+i%26)), Func: healthy}); err != nil {
			b.Fatal(err)
		}
	}
	snap := r.Run(context.Background())
	now := r.Clock().Now()
	var sink uint64
	b.Run("baseline.results", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for i := range snap.Results {
				res := snap.Results[i]
				sink += res.Runs
			}
		}
	})
	b.Run("trendWindows", func(b *testing.B) {
		var s, l checks.WindowStats
		b.ReportAllocs()
		for b.Loop() {
			for i := range snap.Results {
				checkview.TrendWindows(snap, i, now, &s, &l)
				sink += s.Runs + l.Runs
			}
		}
	})
	_ = sink
}
