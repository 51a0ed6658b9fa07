package alerting_test

import (
	"testing"
	"time"

	"github.com/echofx/healthcheck/alerting"
	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/internal/testutil"
)

// TestStopResolves: Stop resolves every alert this instance has firing,
// with the reason "instance stopped"; an alert already resolved is not
// resolved again.
func TestStopResolves(t *testing.T) {
	r := newRunner(t)
	db, cache := &switchable{}, &switchable{}
	db.set(checks.StatusUnhealthy)
	cache.set(checks.StatusUnhealthy)
	if err := r.Register(checks.Check{Name: "database", Func: db.fn}, checks.Check{Name: "cache", Func: cache.fn}); err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	d, err := alerting.New(r, alerting.WithService("orders"), alerting.WithInstance("orders-1"),
		alerting.WithSink(alerting.Sink{Name: "test", Publisher: rec}))
	if err != nil {
		t.Fatal(err)
	}
	d.Start()
	refresh(t, r, "database")
	refresh(t, r, "cache")
	fired := rec.next(t)
	rec.next(t)
	cache.set(checks.StatusHealthy)
	refresh(t, r, "cache")
	if e := rec.next(t); e.Kind != alerting.KindRecovered {
		t.Fatalf("recovery: %+v", e)
	}
	stop(t, d)
	e := rec.next(t)
	if e.Kind != alerting.KindResolved || e.Firing || e.Alert != alerting.AlertUnhealthy || e.Check != "database" ||
		e.Reason != alerting.ReasonStopped || e.Instance != "orders-1" || !e.StartsAt.Equal(fired.StartsAt) || e.ID == fired.ID {
		t.Fatalf("resolved at stop: %+v", e)
	}
	if p := e.Payload(); p.Event != "resolved" || p.Reason != "instance stopped" || p.Firing || p.OutageSeconds == nil {
		t.Fatalf("payload %+v", p)
	}
	if s := e.Summary(); s != "orders: database CheckUnhealthy resolved: instance stopped" {
		t.Fatalf("summary %q", s)
	}
	rec.none(t)
}

// TestStopResolvesInAlertmanager: two replicas of one service fire for one
// check against a real Alertmanager; the one stopped mid-outage has its
// alert gone within 10 s, the other's stays.
func TestStopResolvesInAlertmanager(t *testing.T) {
	am := testutil.StartAlertmanager(t)
	replica := func(instance string) *alerting.Dispatcher {
		r := newRunner(t)
		addSwitchable(t, r, "database", checks.StatusUnhealthy)
		sink, err := alerting.Alertmanager(am.URL(), alerting.AlertmanagerConfig{})
		if err != nil {
			t.Fatal(err)
		}
		d, err := alerting.New(r, alerting.WithSink(sink), alerting.WithService("orders"), alerting.WithInstance(instance))
		if err != nil {
			t.Fatal(err)
		}
		d.Start()
		refresh(t, r, "database")
		return d
	}
	a, b := replica("orders-a"), replica("orders-b")
	defer stop(t, b)
	instances := func() map[string]bool {
		alerts, err := am.ActiveAlerts(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for _, al := range alerts {
			if al.Labels["check"] == "database" && al.Labels["alertname"] == alerting.AlertUnhealthy {
				out[al.Labels["instance"]] = true
			}
		}
		return out
	}
	waitFor(t, "both replicas' alerts", func() bool { return len(instances()) == 2 })
	stopped := time.Now()
	stop(t, a)
	waitFor(t, "the stopped replica's alert gone", func() bool { return !instances()["orders-a"] })
	took := time.Since(stopped)
	t.Logf("stopped replica's alert resolved in Alertmanager %v after Stop", took.Round(time.Millisecond))
	if took > 10*time.Second {
		t.Fatalf("took %v, want at most 10 s", took)
	}
	if !instances()["orders-b"] {
		t.Fatal("the other replica's alert must stay")
	}
}
