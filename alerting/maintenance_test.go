package alerting_test

import (
	"context"
	"testing"
	"time"

	"github.com/echofx/healthcheck/alerting"
	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/internal/testutil"
)

// TestMaintenanceHold: in maintenance, new alerts and repeats are held,
// and so is the recovery of an alert fired during the window; the recovery
// of an alert sinks had before still goes out; after the window, an alert
// still firing goes out at the next repeat.
func TestMaintenanceHold(t *testing.T) {
	clock := testutil.NewFakeClock(time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC))
	r := newRunner(t, checks.WithClock(clock))
	db, cache := &switchable{}, &switchable{}
	db.set(checks.StatusUnhealthy)
	cache.set(checks.StatusHealthy)
	if err := r.Register(checks.Check{Name: "database", Func: db.fn}, checks.Check{Name: "cache", Func: cache.fn}); err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	d, err := alerting.New(r, alerting.WithInstance("orders-1"), alerting.WithRepeatInterval(time.Hour),
		alerting.WithSink(alerting.Sink{Name: "test", Publisher: rec}))
	if err != nil {
		t.Fatal(err)
	}
	d.Start()
	defer stop(t, d)

	refresh(t, r, "database")
	if e := rec.next(t); !e.Firing || e.Check != "database" {
		t.Fatalf("before: %+v", e)
	}
	ctx := context.Background()
	now := clock.Now()
	if err := d.Maintenance(ctx, checks.Maintenance{Active: true, Reason: "upgrade", Since: now, Until: now.Add(3 * time.Hour)}); err != nil {
		t.Fatal(err) // no Alertmanager sink: nothing to silence
	}
	cache.set(checks.StatusUnhealthy)
	refresh(t, r, "cache") // fires: held
	db.set(checks.StatusHealthy)
	refresh(t, r, "database") // recovery of an alert from before: sent
	if e := rec.next(t); e.Firing || e.Check != "database" || e.Kind != alerting.KindRecovered {
		t.Fatalf("recovery in maintenance: %+v", e)
	}
	db.set(checks.StatusUnhealthy)
	refresh(t, r, "database") // fires: held
	db.set(checks.StatusHealthy)
	refresh(t, r, "database") // its recovery: held
	// Each Advance waits for the repeat loop's timer, so that its tick
	// falls within the step.
	if err := clock.BlockUntil(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	clock.Advance(2 * time.Hour) // repeats: held
	// and the loop has handled its last tick (it re-arms after each), so no
	// tick of the window is handled after it ends.
	if err := clock.BlockUntil(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	rec.none(t)

	if err := d.Maintenance(ctx, checks.Maintenance{}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour) // the next repeat: cache, still firing, goes out
	if e := rec.next(t); !e.Firing || e.Check != "cache" {
		t.Fatalf("after the window: %+v", e)
	}
	stop(t, d) // resolves what this replica fired: cache
	if e := rec.next(t); e.Firing || e.Check != "cache" {
		t.Fatalf("at stop: %+v", e)
	}
	rec.none(t)
}

// TestMaintenanceHoldAtStop: a stop during maintenance resolves the alert
// sinks had before the window and holds the resolution of one they never
// got.
func TestMaintenanceHoldAtStop(t *testing.T) {
	clock := testutil.NewFakeClock(time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC))
	r := newRunner(t, checks.WithClock(clock))
	db, cache := &switchable{}, &switchable{}
	db.set(checks.StatusUnhealthy)
	cache.set(checks.StatusUnhealthy)
	if err := r.Register(checks.Check{Name: "database", Func: db.fn}, checks.Check{Name: "cache", Func: cache.fn}); err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	d, err := alerting.New(r, alerting.WithInstance("orders-1"), alerting.WithSink(alerting.Sink{Name: "test", Publisher: rec}))
	if err != nil {
		t.Fatal(err)
	}
	d.Start()
	refresh(t, r, "database")
	if e := rec.next(t); !e.Firing || e.Check != "database" {
		t.Fatalf("before: %+v", e)
	}
	now := clock.Now()
	if err := d.Maintenance(context.Background(), checks.Maintenance{Active: true, Since: now, Until: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	refresh(t, r, "cache") // held
	stop(t, d)
	if e := rec.next(t); e.Firing || e.Check != "database" {
		t.Fatalf("at stop: %+v", e)
	}
	rec.none(t)
}

// TestMaintenanceSilence against a real Alertmanager: a window creates a
// silence of service and instance until its end, a new window replaces
// it, and the end expires it.
func TestMaintenanceSilence(t *testing.T) {
	am := testutil.StartAlertmanager(t)
	r := newRunner(t)
	sink, err := alerting.Alertmanager(am.URL(), alerting.AlertmanagerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := alerting.New(r, alerting.WithSink(sink), alerting.WithService("orders"), alerting.WithInstance("orders-2"))
	if err != nil {
		t.Fatal(err)
	}
	d.Start()
	defer stop(t, d)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	active := func() []testutil.AlertmanagerSilence {
		ss, err := am.Silences(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []testutil.AlertmanagerSilence
		for _, s := range ss {
			if s.Status.State == "active" {
				out = append(out, s)
			}
		}
		return out
	}
	m := checks.Maintenance{Active: true, Reason: "kernel upgrade", By: "alice", Since: now, Until: now.Add(30 * time.Minute)}
	if err := d.Maintenance(ctx, m); err != nil {
		t.Fatal(err)
	}
	ss := active()
	if len(ss) != 1 {
		t.Fatalf("silences %+v", ss)
	}
	s := ss[0]
	if got := s.Matches(); len(got) != 2 || got["instance"] != "orders-2" || got["service"] != "orders" ||
		s.CreatedBy != "alice" || s.Comment != "maintenance: kernel upgrade" || !s.EndsAt.Equal(m.Until) {
		t.Fatalf("silence %+v", s)
	}
	m.Until = now.Add(time.Hour)
	if err := d.Maintenance(ctx, m); err != nil {
		t.Fatal(err)
	}
	if ss := active(); len(ss) != 1 || ss[0].ID == s.ID || !ss[0].EndsAt.Equal(m.Until) {
		t.Fatalf("renewed: %+v", ss)
	}
	if err := d.Maintenance(ctx, checks.Maintenance{}); err != nil {
		t.Fatal(err)
	}
	if ss := active(); len(ss) != 0 {
		t.Fatalf("after the end: %+v", ss)
	}
}
