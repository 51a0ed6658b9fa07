package checks_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/internal/testutil"
)

func TestStatusFromReport(t *testing.T) {
	tests := []struct {
		name    string
		fn      checks.Func
		status  checks.Status
		message string
	}{
		{"nil error", healthy, checks.StatusHealthy, ""},
		{"error", failing("boom"), checks.StatusUnhealthy, "boom"},
		{"degraded", func(context.Context) checks.Report {
			return checks.Report{Status: checks.StatusDegraded, Message: "slow response"}
		}, checks.StatusDegraded, "slow response"},
		{"secret in error", failing("dial postgres://app:hunter2@db:5432/x failed, password=hunter2"), checks.StatusUnhealthy,
			"dial postgres://***@db:5432/x failed, password=***"},
		{"panic", func(context.Context) checks.Report { panic("hunter2") }, checks.StatusUnhealthy, "check panicked"},
		{"safe error", func(context.Context) checks.Report {
			return checks.Report{Err: checks.NewSafeError("shown", errors.New("hidden hunter2"))}
		}, checks.StatusUnhealthy, "shown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRunner(t)
			if err := r.Register(checks.Check{Name: "c", Func: tt.fn}); err != nil {
				t.Fatal(err)
			}
			res, err := r.Check(context.Background(), "c")
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != tt.status || res.Message != tt.message {
				t.Fatalf("got %v %q, want %v %q", res.Status, res.Message, tt.status, tt.message)
			}
		})
	}
}

func TestTimeoutAbandonsCheck(t *testing.T) {
	r := newRunner(t)
	release := make(chan struct{})
	defer close(release)
	err := r.Register(checks.Check{Name: "stuck", Timeout: 50 * time.Millisecond, Func: func(context.Context) checks.Report {
		<-release // ignores its context
		return checks.Report{}
	}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Check(context.Background(), "stuck")
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != checks.StatusUnhealthy || !strings.HasPrefix(res.Message, "timeout") {
		t.Fatalf("got %v %q", res.Status, res.Message)
	}
}

func TestCallerContextHonoured(t *testing.T) {
	r := newRunner(t)
	started := make(chan struct{})
	err := r.Register(checks.Check{Name: "slow", Timeout: time.Second, Func: func(ctx context.Context) checks.Report {
		close(started)
		<-ctx.Done()
		return checks.Report{Err: ctx.Err()}
	}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-started; cancel() }()
	if _, err := r.Check(ctx, "slow"); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestCoalescing(t *testing.T) {
	// In a bubble, so that synctest.Wait tells when every caller waits.
	synctest.Test(t, func(t *testing.T) {
		const callers = 1000
		var execs, coalesced atomic.Int64
		release := make(chan struct{})
		r := newRunner(t, checks.WithHooks(checks.Hooks{OnCoalesced: func(string) { coalesced.Add(1) }}))
		err := r.Register(checks.Check{Name: "slow", Timeout: 10 * time.Second, TTL: time.Hour, Func: func(ctx context.Context) checks.Report {
			execs.Add(1)
			<-release
			return checks.Report{}
		}})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var joined sync.WaitGroup
		joined.Add(callers)
		results := make([]checks.Result, callers)
		for i := range callers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx := context.Background()
				if i == 0 {
					// The first caller goes away: that must not cancel the shared execution.
					var cancel context.CancelFunc
					ctx, cancel = context.WithCancel(ctx)
					cancel()
				}
				joined.Done()
				results[i], _ = r.Check(ctx, "slow")
			}()
		}
		joined.Wait()
		// Every caller has joined the flight (or returned, canceled): all
		// are blocked until the release.
		synctest.Wait()
		close(release)
		wg.Wait()
		if n := execs.Load(); n != 1 {
			t.Fatalf("%d executions, want 1", n)
		}
		for i := 1; i < callers; i++ {
			if results[i].Status != checks.StatusHealthy {
				t.Fatalf("caller %d got %v %q", i, results[i].Status, results[i].Message)
			}
		}
		if coalesced.Load() == 0 {
			t.Fatal("no coalesced callers reported")
		}
	})
}

// TestOneExecutionPerTTL: callers that saw a stale result just before a
// refresh landed must not start a second execution.
func TestOneExecutionPerTTL(t *testing.T) {
	clock := testutil.NewFakeClock(time.Unix(1_700_000_000, 0))
	var execs atomic.Int64
	r := newRunner(t, checks.WithClock(clock))
	err := r.Register(checks.Check{Name: "c", TTL: time.Second, Func: func(context.Context) checks.Report {
		execs.Add(1)
		return checks.Report{}
	}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for round := 1; round <= 20; round++ {
		clock.Advance(time.Second)
		var wg sync.WaitGroup
		for range 50 {
			wg.Add(1)
			go func() { defer wg.Done(); _, _ = r.Check(ctx, "c") }()
		}
		wg.Wait()
		if n := execs.Load(); n != int64(round) {
			t.Fatalf("round %d: %d executions", round, n)
		}
	}
}

type panickyErr struct{}

func (*panickyErr) Error() string { panic("Error() of a nil receiver") }

func TestPanickingErrorMethod(t *testing.T) {
	r := newRunner(t)
	err := r.Register(checks.Check{Name: "c", Func: checks.FromFunc(func(context.Context) error {
		var e *panickyErr
		return e
	})})
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Check(context.Background(), "c")
	if err != nil || res.Status != checks.StatusUnhealthy || res.Message != "check panicked" {
		t.Fatalf("got %v %q %v", res.Status, res.Message, err)
	}
}

func TestFlapDamping(t *testing.T) {
	var fail atomic.Bool
	r := newRunner(t)
	err := r.Register(checks.Check{Name: "c", FailureThreshold: 3, SuccessThreshold: 2, Func: func(context.Context) checks.Report {
		if fail.Load() {
			return checks.Report{Err: errors.New("down")}
		}
		return checks.Report{}
	}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	step := func(f bool) checks.Status {
		fail.Store(f)
		res, err := r.Refresh(ctx, "c")
		if err != nil {
			t.Fatal(err)
		}
		return res.Status
	}
	want := []struct {
		fail bool
		want checks.Status
	}{
		{false, checks.StatusHealthy},
		{true, checks.StatusHealthy},
		{true, checks.StatusHealthy},
		{true, checks.StatusUnhealthy},
		{false, checks.StatusUnhealthy},
		{false, checks.StatusHealthy},
	}
	for i, w := range want {
		if got := step(w.fail); got != w.want {
			t.Fatalf("step %d (fail=%v): %v, want %v", i, w.fail, got, w.want)
		}
	}
}

func TestTransitionsReachListenersOnce(t *testing.T) {
	var mu sync.Mutex
	var got []checks.Transition
	var fail atomic.Bool
	r := newRunner(t, checks.WithHooks(checks.Hooks{OnTransition: func(tr checks.Transition) {
		mu.Lock()
		got = append(got, tr)
		mu.Unlock()
	}}))
	err := r.Register(checks.Check{Name: "c", Func: func(context.Context) checks.Report {
		if fail.Load() {
			return checks.Report{Err: errors.New("down")}
		}
		return checks.Report{}
	}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, f := range []bool{false, false, true, true, false} {
		fail.Store(f)
		var wg sync.WaitGroup
		for range 20 { // many concurrent callers per step: still one transition
			wg.Add(1)
			go func() { defer wg.Done(); _, _ = r.Refresh(ctx, "c") }()
		}
		wg.Wait()
	}
	mu.Lock()
	defer mu.Unlock()
	want := [][2]checks.Status{
		{checks.StatusUnknown, checks.StatusHealthy},
		{checks.StatusHealthy, checks.StatusUnhealthy},
		{checks.StatusUnhealthy, checks.StatusHealthy},
	}
	if len(got) != len(want) {
		t.Fatalf("%d transitions, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].From != w[0] || got[i].To != w[1] || got[i].Check != "c" {
			t.Fatalf("transition %d: %+v", i, got[i])
		}
	}
	if got[1].Message != "down" {
		t.Fatalf("transition message %q", got[1].Message)
	}
}

func TestDependencySkipping(t *testing.T) {
	var ran atomic.Bool
	r := newRunner(t)
	err := r.Register(
		checks.Check{Name: "db", Func: failing("down")},
		checks.Check{Name: "cache", DependsOn: []string{"db"}, Func: func(context.Context) checks.Report {
			ran.Store(true)
			return checks.Report{}
		}},
	)
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Check(context.Background(), "cache")
	if err != nil {
		t.Fatal(err)
	}
	if ran.Load() {
		t.Fatal("dependent check ran although its dependency is unhealthy")
	}
	if res.Status != checks.StatusUnhealthy || res.Message != "dependency db unhealthy" || !res.Skipped {
		t.Fatalf("got %+v", res)
	}
}

// A Func that honours its deadline and words the failure its own way reads
// the same as one that was abandoned.
func TestTimeoutMessageIsUniform(t *testing.T) {
	r := newRunner(t)
	err := r.Register(checks.Check{Name: "c", Timeout: 50 * time.Millisecond, Func: func(ctx context.Context) checks.Report {
		<-ctx.Done()
		return checks.Report{Err: errors.New("i/o timeout while reading from 10.0.0.1:5432")}
	}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Check(context.Background(), "c")
	if err != nil || res.Status != checks.StatusUnhealthy || res.Message != "timeout after 50ms" {
		t.Fatalf("got %v %q %v", res.Status, res.Message, err)
	}
}
