package checks_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/internal/testutil"
)

func healthy(context.Context) checks.Report { return checks.Report{} }

func failing(msg string) checks.Func {
	return func(context.Context) checks.Report { return checks.Report{Err: errors.New(msg)} }
}

func newRunner(t *testing.T, opts ...checks.Option) *checks.Runner {
	t.Helper()
	r := checks.NewRunner(opts...)
	t.Cleanup(r.Close)
	return r
}

func TestTTLAndHistory(t *testing.T) {
	clock := testutil.NewFakeClock(time.Unix(1_700_000_000, 0))
	var execs atomic.Int64
	var fail atomic.Bool
	r := newRunner(t, checks.WithClock(clock), checks.WithHistorySize(4))
	err := r.Register(checks.Check{Name: "c", TTL: time.Second, Func: func(context.Context) checks.Report {
		execs.Add(1)
		if fail.Load() {
			return checks.Report{Err: errors.New("down")}
		}
		return checks.Report{}
	}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	mustCheck := func() checks.Result {
		t.Helper()
		res, err := r.Check(ctx, "c")
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	mustCheck()
	mustCheck()
	if execs.Load() != 1 {
		t.Fatalf("within TTL: %d executions, want 1", execs.Load())
	}
	clock.Advance(time.Second)
	mustCheck()
	if execs.Load() != 2 {
		t.Fatalf("after TTL: %d executions, want 2", execs.Load())
	}
	fail.Store(true)
	for range 4 {
		clock.Advance(time.Second)
		mustCheck()
	}
	res := mustCheck()
	if res.Runs != 6 || res.Failures != 4 || res.ConsecutiveFailures != 4 || res.Availability != 0 {
		t.Fatalf("counters: %+v", res)
	}
	if !res.LastSuccess.Equal(time.Unix(1_700_000_001, 0)) {
		t.Fatalf("last success %v", res.LastSuccess)
	}
	hist, err := r.History("c")
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 4 || hist[0].Runs != 3 || hist[3].Runs != 6 {
		t.Fatalf("history: %d entries, first run %d", len(hist), hist[0].Runs)
	}
	fail.Store(false)
	clock.Advance(time.Second)
	if res := mustCheck(); res.Availability != 0.25 {
		t.Fatalf("availability %v, want 0.25", res.Availability)
	}
}

func TestRunAggregates(t *testing.T) {
	tests := []struct {
		name   string
		checks []checks.Check
		want   checks.Status
		msg    string
	}{
		{"all healthy", []checks.Check{{Name: "a", Func: healthy}, {Name: "b", Func: healthy, Criticality: checks.Optional}}, checks.StatusHealthy, ""},
		{"optional down", []checks.Check{{Name: "a", Func: healthy}, {Name: "b", Func: failing("x"), Criticality: checks.Optional}}, checks.StatusDegraded, ""},
		{"required down", []checks.Check{{Name: "database", Func: failing(`database "nope" does not exist`)}, {Name: "b", Func: healthy}}, checks.StatusUnhealthy, `database "nope" does not exist`},
		{"two down", []checks.Check{{Name: "a", Func: failing("x")}, {Name: "b", Func: failing("y")}}, checks.StatusUnhealthy, "a: x; b: y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRunner(t)
			if err := r.Register(tt.checks...); err != nil {
				t.Fatal(err)
			}
			snap := r.Run(context.Background())
			if snap.Status() != tt.want || snap.MessageAt(checks.LevelComprehensive) != tt.msg {
				t.Fatalf("got %v %q, want %v %q", snap.Status(), snap.MessageAt(checks.LevelComprehensive), tt.want, tt.msg)
			}
		})
	}
}

func TestLevels(t *testing.T) {
	r := newRunner(t)
	err := r.Register(
		checks.Check{Name: "db", Func: healthy},
		checks.Check{Name: "disk", Func: failing("full"), Level: checks.LevelComprehensive},
	)
	if err != nil {
		t.Fatal(err)
	}
	snap := r.Run(context.Background())
	if snap.StatusAt(checks.LevelBasic) != checks.StatusHealthy || snap.StatusAt(checks.LevelComprehensive) != checks.StatusUnhealthy {
		t.Fatalf("basic %v, comprehensive %v", snap.StatusAt(checks.LevelBasic), snap.StatusAt(checks.LevelComprehensive))
	}
}

func TestCloseWhileReading(t *testing.T) {
	r := checks.NewRunner()
	if err := r.Register(checks.Check{Name: "c", TTL: time.Nanosecond, MaxStaleness: time.Hour, Func: healthy}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	latestDetailed(r, ctx)
	var wg, reading sync.WaitGroup
	stop := make(chan struct{})
	reading.Add(4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			latestDetailed(r, ctx)
			reading.Done()
			for {
				select {
				case <-stop:
					return
				default:
					latestDetailed(r, ctx)
				}
			}
		}()
	}
	reading.Wait() // every reader is under way: Close races with their reads
	r.Close()
	close(stop)
	wg.Wait()
	if s := r.Snapshot(); s.Results[0].Message == "canceled" {
		t.Fatal("Close published a canceled result")
	}
}
