package alerting_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/echofx/healthcheck/alerting"
	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/internal/testutil"
)

func newRunner(t *testing.T, opts ...checks.Option) *checks.Runner {
	t.Helper()
	r := checks.NewRunner(opts...)
	t.Cleanup(r.Close)
	return r
}

// TestStatusLifecycle: the first failure and the recovery go out at once,
// with severity from criticality and the outage's length; a change between
// degraded and unhealthy replaces one alert by the other.
func TestStatusLifecycle(t *testing.T) {
	clock := testutil.NewFakeClock(time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC))
	r := newRunner(t, checks.WithClock(clock))
	db, cache := &switchable{}, &switchable{}
	db.set(checks.StatusHealthy)
	cache.set(checks.StatusHealthy)
	if err := r.Register(
		checks.Check{Name: "database", Func: db.fn},
		checks.Check{Name: "cache", Func: cache.fn, Criticality: checks.Optional},
	); err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	d, err := alerting.New(r, alerting.WithService("orders"), alerting.WithInstance("orders-1"),
		alerting.WithStatusURL("https://orders.example/healthcheck/status"),
		alerting.WithSink(alerting.Sink{Name: "test", Publisher: rec}))
	if err != nil {
		t.Fatal(err)
	}
	d.Start()
	defer stop(t, d)

	refresh(t, r, "database") // healthy: nothing
	db.set(checks.StatusUnhealthy)
	refresh(t, r, "database")
	e := rec.next(t)
	if e.Kind != alerting.KindUnhealthy || e.Alert != alerting.AlertUnhealthy || !e.Firing || e.Check != "database" ||
		e.Severity != alerting.SeverityCritical || e.Service != "orders" || e.Instance != "orders-1" ||
		e.Message != "connection refused" || e.Previous != checks.StatusHealthy || e.Status != checks.StatusUnhealthy ||
		e.URL != "https://orders.example/healthcheck/status" || e.ID == "" {
		t.Fatalf("first failure: %+v", e)
	}
	refresh(t, r, "database") // still unhealthy: no event before the repeat interval
	clock.Advance(90 * time.Second)
	db.set(checks.StatusDegraded)
	refresh(t, r, "database")
	e = rec.next(t)
	if e.Kind != alerting.KindDegraded || e.Replaces != alerting.AlertUnhealthy || e.Previous != checks.StatusUnhealthy {
		t.Fatalf("unhealthy -> degraded: %+v", e)
	}
	clock.Advance(30 * time.Second)
	db.set(checks.StatusHealthy)
	refresh(t, r, "database")
	e = rec.next(t)
	if e.Kind != alerting.KindRecovered || e.Firing || e.Alert != alerting.AlertDegraded || e.Outage != 2*time.Minute ||
		e.Previous != checks.StatusDegraded || e.Status != checks.StatusHealthy {
		t.Fatalf("recovery: %+v", e)
	}
	if got := e.Payload(); got.OutageSeconds == nil || *got.OutageSeconds != 120 {
		t.Fatalf("payload outage: %+v", got)
	}

	cache.set(checks.StatusUnhealthy)
	refresh(t, r, "cache")
	if e = rec.next(t); e.Check != "cache" || e.Severity != alerting.SeverityWarning {
		t.Fatalf("optional check: %+v", e)
	}
	rec.none(t)
}

// TestAfterFailures: with AfterFailures, CheckUnhealthy waits for that many
// failures in a row; by default it follows the check's FailureThreshold.
func TestAfterFailures(t *testing.T) {
	r := newRunner(t)
	a, b := &switchable{}, &switchable{}
	a.set(checks.StatusUnhealthy)
	b.set(checks.StatusUnhealthy)
	if err := r.Register(
		checks.Check{Name: "a", Func: a.fn},
		checks.Check{Name: "b", Func: b.fn, FailureThreshold: 2},
	); err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	d, err := alerting.New(r, alerting.ForCheck("a", alerting.Thresholds{AfterFailures: 3}),
		alerting.WithSink(alerting.Sink{Name: "test", Publisher: rec}))
	if err != nil {
		t.Fatal(err)
	}
	d.Start()
	for i := 1; i <= 3; i++ {
		refresh(t, r, "a")
		refresh(t, r, "b")
		if i == 2 {
			if e := rec.next(t); e.Check != "b" {
				t.Fatalf("b after 2 failures (its threshold): %+v", e)
			}
		}
		if i < 3 {
			rec.none(t)
		}
	}
	if e := rec.next(t); e.Check != "a" || e.Kind != alerting.KindUnhealthy {
		t.Fatalf("a after 3 failures: %+v", e)
	}
	a.set(checks.StatusHealthy)
	refresh(t, r, "a")
	if e := rec.next(t); e.Kind != alerting.KindRecovered {
		t.Fatalf("recovery: %+v", e)
	}
	stop(t, d)
	if e := rec.next(t); e.Check != "b" || e.Kind != alerting.KindResolved { // still firing at Stop
		t.Fatalf("b resolved at stop: %+v", e)
	}
	rec.none(t)
}

// TestRepeat: an alert still firing is repeated at most every repeat
// interval, on the runner's clock, with a new ID.
func TestRepeat(t *testing.T) {
	clock := testutil.NewFakeClock(time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC))
	r := newRunner(t, checks.WithClock(clock))
	addSwitchable(t, r, "database", checks.StatusUnhealthy)
	rec := newRecorder()
	d, err := alerting.New(r, alerting.WithRepeatInterval(4*time.Minute),
		alerting.WithSink(alerting.Sink{Name: "test", Publisher: rec}))
	if err != nil {
		t.Fatal(err)
	}
	d.Start()
	defer stop(t, d)
	refresh(t, r, "database")
	first := rec.next(t)
	ctx := t.Context()
	for range 3 { // 3 ticks of a minute: under the interval
		if err := clock.BlockUntil(ctx, 1); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Minute)
	}
	rec.none(t)
	if err := clock.BlockUntil(ctx, 1); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	e := rec.next(t)
	if !e.Repeat || !e.Firing || e.ID == first.ID || e.Kind != alerting.KindUnhealthy || !e.StartsAt.Equal(first.StartsAt) ||
		e.Time.Sub(first.Time) != 4*time.Minute {
		t.Fatalf("repeat: %+v", e)
	}
}

// TestErrorRateAndLatency: the error rate (failures that did not turn the
// check unhealthy, over 10 minutes) and the p95 latency over the short trend
// window fire and resolve on a check made to fail, then slow.
func TestErrorRateAndLatency(t *testing.T) {
	clock := testutil.NewFakeClock(time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC))
	r := newRunner(t, checks.WithClock(clock), checks.WithTrendWindows(time.Minute, time.Hour))
	c := &switchable{}
	c.set(checks.StatusHealthy)
	// FailureThreshold 100: the status never turns unhealthy, only the
	// error rate shows the failures.
	if err := r.Register(checks.Check{Name: "payments", Func: c.fn, Criticality: checks.Optional, FailureThreshold: 100}); err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	d, err := alerting.New(r,
		alerting.ForCheck("payments", alerting.Thresholds{ErrorRate: 0.2, LatencyP95: 250 * time.Millisecond, MinRuns: 5}),
		alerting.WithSink(alerting.Sink{Name: "test", Publisher: rec}))
	if err != nil {
		t.Fatal(err)
	}
	d.Start()
	defer stop(t, d)
	for range 4 {
		refresh(t, r, "payments")
	}
	c.set(checks.StatusUnhealthy)
	refresh(t, r, "payments")
	refresh(t, r, "payments") // failures count once the check passes again without turning unhealthy
	rec.none(t)
	c.set(checks.StatusHealthy)
	refresh(t, r, "payments") // 2 of 7: 28.6 %
	e := rec.next(t)
	if e.Kind != alerting.KindErrorRate || e.Alert != alerting.AlertErrorRate || !e.Firing || e.Threshold != 0.2 ||
		e.Value < 0.28 || e.Value > 0.29 || e.Message != "error rate 28.6% over 10m0s (threshold 20.0%)" {
		t.Fatalf("error rate: %+v", e)
	}
	// The failures leave the window: resolved.
	clock.Advance(10 * time.Minute)
	refresh(t, r, "payments")
	for e = rec.next(t); e.Repeat; e = rec.next(t) {
	}
	if e.Kind != alerting.KindErrorRateResolved || e.Firing || e.Outage != 10*time.Minute {
		t.Fatalf("error rate resolved: %+v", e)
	}

	// Slow: p95 over 250 ms. (Run times are real: the threshold is far
	// above what a loaded machine adds to an instant check.)
	c.delay.Store(int64(500 * time.Millisecond))
	for range 5 {
		refresh(t, r, "payments")
	}
	e = rec.next(t)
	if e.Kind != alerting.KindLatency || e.Alert != alerting.AlertLatency || e.Value < 0.25 || e.Threshold != 0.25 {
		t.Fatalf("latency: %+v", e)
	}
	c.delay.Store(0)
	clock.Advance(2 * time.Minute)
	refresh(t, r, "payments")
	if e = rec.next(t); e.Kind != alerting.KindLatencyResolved {
		t.Fatalf("latency resolved: %+v", e)
	}
	rec.none(t)
}

func TestNewRefusesBadSinks(t *testing.T) {
	r := newRunner(t)
	pub := alerting.PublisherFunc(func(ctx context.Context, e alerting.Event) error { return nil })
	for _, opts := range [][]alerting.Option{
		{alerting.WithSink(alerting.Sink{Publisher: pub})},
		{alerting.WithSink(alerting.Sink{Name: "x"})},
		{alerting.WithSink(alerting.Sink{Name: "x", Publisher: pub}), alerting.WithSink(alerting.Sink{Name: "x", Publisher: pub})},
	} {
		if _, err := alerting.New(r, opts...); !errors.Is(err, checks.ErrInvalidConfig) {
			t.Errorf("err = %v", err)
		}
	}
}
