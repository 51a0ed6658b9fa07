package checks_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/echofx/healthcheck/checks"
)

// hanging returns a Func that blocks until release is closed (ignoring its
// context, as the worst dependency would) and counts its calls.
func hanging(release <-chan struct{}, calls *atomic.Int32) checks.Func {
	return func(context.Context) checks.Report {
		calls.Add(1)
		<-release
		return checks.Report{}
	}
}

// readBeforeRelease runs read in a goroutine and fails the test unless it
// returns while the hanging checks are still blocked (within a generous
// 10 s; the checks' timeout is a minute).
func readBeforeRelease(t *testing.T, read func() *checks.Snapshot) *checks.Snapshot {
	t.Helper()
	got := make(chan *checks.Snapshot, 1)
	go func() { got <- read() }()
	select {
	case s := <-got:
		return s
	case <-time.After(10 * time.Second):
		t.Fatal("the probe read waited on a hanging check")
		return nil
	}
}

func TestProbeReadNeverWaitsOnOptionalCheck(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	var calls atomic.Int32
	entered := make(chan struct{}, 1)
	hang := hanging(release, &calls)
	r := newRunner(t)
	err := r.Register(
		checks.Check{Name: "db", Func: healthy},
		checks.Check{Name: "upstream", Criticality: checks.Optional, Timeout: time.Minute,
			Func: func(ctx context.Context) checks.Report {
				select {
				case entered <- struct{}{}:
				default:
				}
				return hang(ctx)
			}},
	)
	if err != nil {
		t.Fatal(err)
	}
	s := readBeforeRelease(t, func() *checks.Snapshot { return r.Latest(context.Background(), checks.LevelComprehensive) })
	if s.Status() != checks.StatusDegraded {
		t.Errorf("aggregate = %v, want degraded (optional check without a result)", s.Status())
	}
	if res, _ := s.Result("db"); res.Status != checks.StatusHealthy {
		t.Errorf("required check = %v, want healthy (waited for within the budget)", res.Status)
	}
	receive(t, "the optional check's background execution", entered)
	// Further reads neither wait nor start another execution.
	readBeforeRelease(t, func() *checks.Snapshot { return r.Latest(context.Background(), checks.LevelComprehensive) })
	if n := calls.Load(); n != 1 {
		t.Errorf("optional check executed %d times, want 1", n)
	}
}

func TestProbeReadWaitsOnRequiredCheckAtMostTheBudget(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int32
	hooks, results := resultHooks()
	r := newRunner(t, checks.WithProbeBudget(20*time.Millisecond), hooks)
	err := r.Register(checks.Check{Name: "db", Timeout: time.Minute, Func: hanging(release, &calls)})
	if err != nil {
		t.Fatal(err)
	}
	s := readBeforeRelease(t, func() *checks.Snapshot { return r.Latest(context.Background(), checks.LevelBasic) })
	if s.Status() != checks.StatusUnhealthy || s.MessageAt(checks.LevelBasic) != "db: not checked yet" {
		t.Errorf("read = %v %q, want unhealthy \"db: not checked yet\"", s.Status(), s.MessageAt(checks.LevelBasic))
	}
	readBeforeRelease(t, func() *checks.Snapshot { return r.Latest(context.Background(), checks.LevelBasic) })
	if n := calls.Load(); n != 1 {
		t.Errorf("check executed %d times, want 1 (the execution goes on in the background)", n)
	}
	close(release)
	receive(t, "the background execution's result", results)
	if s := r.Latest(context.Background(), checks.LevelBasic); s.Status() != checks.StatusHealthy {
		t.Errorf("after the background execution: %v", s.Status())
	}
}

func TestZeroProbeBudgetNeverWaits(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	var calls atomic.Int32
	r := newRunner(t, checks.WithProbeBudget(0))
	if err := r.Register(checks.Check{Name: "db", Timeout: time.Minute, Func: hanging(release, &calls)}); err != nil {
		t.Fatal(err)
	}
	s := readBeforeRelease(t, func() *checks.Snapshot { return r.Latest(context.Background(), checks.LevelBasic) })
	if s.Status() != checks.StatusUnhealthy {
		t.Errorf("aggregate = %v, want unhealthy", s.Status())
	}
}

// The detailed read waits for every check without a result, optional ones
// included, up to its timeout.
func TestDetailedReadWaitsForOptionalCheck(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int32
	r := newRunner(t, checks.WithProbeBudget(time.Millisecond))
	err := r.Register(checks.Check{Name: "upstream", Criticality: checks.Optional, Timeout: time.Minute, Func: hanging(release, &calls)})
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(50*time.Millisecond, func() { close(release) })
	s := latestDetailed(r, context.Background())
	if res, _ := s.Result("upstream"); res.Status != checks.StatusHealthy {
		t.Errorf("detailed read = %v, want healthy (waited for)", res.Status)
	}
}

// The detailed read's wait ends with the caller's context.
func TestDetailedReadBoundedByContext(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	var calls atomic.Int32
	r := newRunner(t)
	if err := r.Register(checks.Check{Name: "db", Timeout: time.Minute, Func: hanging(release, &calls)}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	s := readBeforeRelease(t, func() *checks.Snapshot { return latestDetailed(r, ctx) })
	if s.Status() != checks.StatusUnhealthy {
		t.Errorf("aggregate = %v, want unhealthy", s.Status())
	}
}
