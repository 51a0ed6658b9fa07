package lifecycle_test

import (
	"errors"
	"testing"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/internal/testutil"
	"github.com/echofx/healthcheck/lifecycle"
)

// TestMaintenance: a window makes the running service not ready
// ("maintenance") while live and started, tells the hooks, is logged with
// who and why, and ends by itself at expiry on the fake clock.
func TestMaintenance(t *testing.T) {
	ctx := testCtx(t)
	clock := testutil.NewFakeClock(t0)
	r := newRunner(t, clock, checks.Check{Name: "db", Interval: time.Hour, Func: checks.FromFunc((&probe{}).fn)})
	logs := &logSink{}
	var seen []checks.Maintenance
	var reasons []string
	l := newLifecycle(t, r, lifecycle.WithClock(clock), lifecycle.WithLogger(logs.logger()), lifecycle.WithDrainDelay(0),
		lifecycle.WithHooks(lifecycle.Hooks{
			OnMaintenance: func(m checks.Maintenance) { seen = append(seen, m) },
			OnReadiness:   func(_ bool, reason string) { reasons = append(reasons, reason) },
		}))
	if err := l.Start(ctx); err != nil {
		t.Fatal(err)
	}
	assertReadiness(t, l, true, "")
	m, err := l.EnterMaintenance("kernel upgrade", "alice", 30*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	want := checks.Maintenance{Active: true, Reason: "kernel upgrade", By: "alice", Since: t0, Until: t0.Add(30 * time.Minute)}
	if m != want || l.Maintenance() != want {
		t.Fatalf("EnterMaintenance = %+v, Maintenance() = %+v; want %+v", m, l.Maintenance(), want)
	}
	assertReadiness(t, l, false, lifecycle.ReasonMaintenance)
	if !l.Live() {
		t.Fatal("not live in maintenance")
	}
	if ok, _ := l.Started(); !ok {
		t.Fatal("not started in maintenance")
	}
	if len(seen) != 1 || seen[0] != want || reasons[len(reasons)-1] != "maintenance" {
		t.Fatalf("hooks saw %+v, readiness %q", seen, reasons)
	}
	if recs := logs.find("maintenance began"); len(recs) != 1 || recs[0].Attrs["by"] != "alice" || recs[0].Attrs["reason"] != "kernel upgrade" {
		t.Fatalf("log: %+v", recs)
	}

	clock.Advance(30*time.Minute - time.Nanosecond)
	assertReadiness(t, l, false, lifecycle.ReasonMaintenance)
	clock.Advance(time.Nanosecond) // expiry
	assertReadiness(t, l, true, "")
	if l.Maintenance().Active || len(seen) != 2 || seen[1].Active {
		t.Fatalf("after expiry: %+v, hooks %+v", l.Maintenance(), seen)
	}
	if recs := logs.find("maintenance ended"); len(recs) != 1 || recs[0].Attrs["expired"] != true {
		t.Fatalf("log: %+v", recs)
	}
	if err := l.Stop(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestMaintenanceEnd: EndMaintenance ends a window at once and the old
// window's timer does nothing later; a second window keeps Since; bad
// durations are refused; the default is an hour.
func TestMaintenanceEnd(t *testing.T) {
	ctx := testCtx(t)
	clock := testutil.NewFakeClock(t0)
	r := newRunner(t, clock, checks.Check{Name: "db", Interval: time.Hour, Func: checks.FromFunc((&probe{}).fn)})
	l := newLifecycle(t, r, lifecycle.WithClock(clock), lifecycle.WithLogger(discard), lifecycle.WithDrainDelay(0))
	for _, d := range []time.Duration{-time.Second, lifecycle.MaxMaintenance + time.Second} {
		if _, err := l.EnterMaintenance("x", "", d); !errors.Is(err, checks.ErrInvalidConfig) {
			t.Fatalf("EnterMaintenance(%s) = %v, want a ConfigError", d, err)
		}
	}
	if _, ok := l.EndMaintenance("bob"); ok {
		t.Fatal("EndMaintenance without a window reported one")
	}
	// Before the gate passed, "starting" comes first.
	if _, err := l.EnterMaintenance("early", "", 0); err != nil {
		t.Fatal(err)
	}
	assertReadiness(t, l, false, lifecycle.ReasonStarting)
	if err := l.Start(ctx); err != nil {
		t.Fatal(err)
	}
	assertReadiness(t, l, false, lifecycle.ReasonMaintenance)
	if got := l.Maintenance().Until; !got.Equal(t0.Add(lifecycle.DefaultMaintenance)) {
		t.Fatalf("default end %v", got)
	}
	clock.Advance(time.Minute)
	m, _ := l.EnterMaintenance("longer", "carol", 2*time.Hour)
	if !m.Since.Equal(t0) || !m.Until.Equal(t0.Add(time.Minute+2*time.Hour)) || m.Reason != "longer" {
		t.Fatalf("renewed window %+v", m)
	}
	clock.Advance(time.Hour) // the first window's end: nothing
	assertReadiness(t, l, false, lifecycle.ReasonMaintenance)
	old, ok := l.EndMaintenance("bob")
	if !ok || old.Reason != "longer" {
		t.Fatalf("EndMaintenance = %+v, %v", old, ok)
	}
	assertReadiness(t, l, true, "")
	clock.Advance(3 * time.Hour)
	assertReadiness(t, l, true, "")
	if err := l.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	// Draining comes first.
	if _, err := l.EnterMaintenance("late", "", time.Minute); err != nil {
		t.Fatal(err)
	}
	assertReadiness(t, l, false, lifecycle.ReasonStopped)
}
