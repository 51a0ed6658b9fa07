package alerting_test

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/echofx/healthcheck/alerting"
	"github.com/echofx/healthcheck/checks"
)

// recorder is a Publisher that hands every event to the test.
type recorder struct{ ch chan alerting.Event }

func newRecorder() *recorder { return &recorder{ch: make(chan alerting.Event, 1024)} }

func (r *recorder) Publish(_ context.Context, e alerting.Event) error {
	r.ch <- e
	return nil
}

// next waits for the next event (at most 10 s: a bound on a hang, not a
// timing assertion).
func (r *recorder) next(t *testing.T) alerting.Event {
	t.Helper()
	select {
	case e := <-r.ch:
		return e
	case <-time.After(10 * time.Second):
		t.Fatal("no event")
		return alerting.Event{}
	}
}

// none asserts no event is waiting (after a Stop, every event queued was
// delivered).
func (r *recorder) none(t *testing.T) {
	t.Helper()
	select {
	case e := <-r.ch:
		t.Fatalf("unexpected event %s %s", e.Kind, e.Check)
	default:
	}
}

// switchable is a check whose outcome the test sets.
type switchable struct {
	status atomic.Int32 // checks.Status
	delay  atomic.Int64 // nanoseconds
}

func (s *switchable) set(st checks.Status) { s.status.Store(int32(st)) }

// addSwitchable registers a check name on r whose status is the returned
// switchable's, st to begin with.
func addSwitchable(t testing.TB, r *checks.Runner, name string, st checks.Status) *switchable {
	t.Helper()
	c := &switchable{}
	c.set(st)
	if err := r.Register(checks.Check{Name: name, Func: c.fn}); err != nil {
		t.Fatal(err)
	}
	return c
}

func (s *switchable) fn(ctx context.Context) checks.Report {
	if d := time.Duration(s.delay.Load()); d > 0 {
		select {
		case <-time.After(d):
		case <-ctx.Done():
		}
	}
	switch st := checks.Status(s.status.Load()); st {
	case checks.StatusUnhealthy:
		return checks.Report{Status: st, Message: "connection refused"}
	case checks.StatusDegraded:
		return checks.Report{Status: st, Message: "slow response (1.2s)"}
	default:
		return checks.Report{Status: checks.StatusHealthy}
	}
}

// refresh runs the named check once.
func refresh(t testing.TB, r *checks.Runner, name string) checks.Result {
	t.Helper()
	res, err := r.Refresh(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// stop stops d within 10 s.
func stop(t testing.TB, d *alerting.Dispatcher) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := d.Stop(ctx); err != nil {
		t.Fatal(err)
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// waitFor waits until cond holds, looking again on every tick of a 10 ms
// ticker (a bound on a hang of 15 s, not a timing assertion), failing with
// what. It is for state no event reports, such as a real Alertmanager's.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(15 * time.Second)
	defer deadline.Stop()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline.C:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
