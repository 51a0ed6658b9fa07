package alerting_test

import (
	"testing"
	"time"

	"github.com/echofx/healthcheck/alerting"
	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/internal/testutil"
)

// TestOutageRaisesNoErrorRate: an outage is CheckUnhealthy and its
// recovery, nothing else: the failures that turned the check unhealthy
// (and those while it was) are not an error rate.
func TestOutageRaisesNoErrorRate(t *testing.T) {
	clock := testutil.NewFakeClock(time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC))
	r := newRunner(t, checks.WithClock(clock))
	c := &switchable{}
	c.set(checks.StatusHealthy)
	if err := r.Register(checks.Check{Name: "database", Func: c.fn, FailureThreshold: 3}); err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	d, err := alerting.New(r, alerting.WithSink(alerting.Sink{Name: "test", Publisher: rec}))
	if err != nil {
		t.Fatal(err)
	}
	d.Start()
	defer stop(t, d)
	run := func(n int) {
		for range n {
			refresh(t, r, "database")
			clock.Advance(5 * time.Second)
		}
	}
	run(20)
	c.set(checks.StatusUnhealthy) // a 20 s outage: 4 runs, unhealthy at the third
	run(4)
	if e := rec.next(t); e.Kind != alerting.KindUnhealthy {
		t.Fatalf("outage: %+v", e)
	}
	c.set(checks.StatusHealthy)
	run(30)
	if e := rec.next(t); e.Kind != alerting.KindRecovered {
		t.Fatalf("recovery: %+v", e)
	}
	stop(t, d) // every event delivered
	rec.none(t)
}

// TestIntermittentErrorRate: failures below the failure threshold (one run
// in four) fire CheckErrorRate, as a warning whatever the criticality, and
// it resolves within the window (10 minutes) once they stop.
func TestIntermittentErrorRate(t *testing.T) {
	clock := testutil.NewFakeClock(time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC))
	r := newRunner(t, checks.WithClock(clock))
	c := &switchable{}
	if err := r.Register(checks.Check{Name: "database", Func: c.fn, FailureThreshold: 3}); err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	d, err := alerting.New(r, alerting.WithSink(alerting.Sink{Name: "test", Publisher: rec}))
	if err != nil {
		t.Fatal(err)
	}
	d.Start()
	var lastFailure time.Time
	// 3 passes, then a failure and 3 passes: at the tenth run, 2 of 10
	// failed.
	for i := range 10 {
		st := checks.StatusHealthy
		if i%4 == 3 {
			st, lastFailure = checks.StatusUnhealthy, clock.Now()
		}
		c.set(st)
		refresh(t, r, "database")
		clock.Advance(5 * time.Second)
	}
	e := rec.next(t)
	if e.Kind != alerting.KindErrorRate || e.Severity != alerting.SeverityWarning || e.Criticality != checks.Required ||
		e.Message != "error rate 20.0% over 10m0s (threshold 10.0%)" {
		t.Fatalf("error rate: %+v", e)
	}
	c.set(checks.StatusHealthy)
	for clock.Now().Sub(lastFailure) <= 10*time.Minute {
		refresh(t, r, "database")
		clock.Advance(15 * time.Second)
	}
	stop(t, d)
	for e = rec.next(t); e.Repeat; e = rec.next(t) {
	}
	if e.Kind != alerting.KindErrorRateResolved || e.Severity != alerting.SeverityWarning || e.Time.Sub(lastFailure) > 10*time.Minute {
		t.Fatalf("resolved: %+v (last failure %v)", e, lastFailure)
	}
	t.Logf("resolved %v after the last failure", e.Time.Sub(lastFailure))
	rec.none(t)
}
