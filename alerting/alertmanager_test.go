package alerting_test

import (
	"context"
	"testing"
	"time"

	"github.com/echofx/healthcheck/alerting"
	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/internal/testutil"
)

// activeByName returns the active alerts of check, by alertname.
func activeByName(t *testing.T, am *testutil.Alertmanager, check string) map[string]testutil.AlertmanagerAlert {
	t.Helper()
	alerts, err := am.ActiveAlerts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]testutil.AlertmanagerAlert{}
	for _, a := range alerts {
		if a.Labels["check"] == check {
			out[a.Labels["alertname"]] = a
		}
	}
	return out
}

// TestAlertmanagerSink against a real Alertmanager: an unhealthy check is an
// active alert with the labels and annotations; degraded replaces it;
// recovery resolves it.
func TestAlertmanagerSink(t *testing.T) {
	am := testutil.StartAlertmanager(t)
	r := newRunner(t)
	c := addSwitchable(t, r, "database", checks.StatusUnhealthy)
	sink, err := alerting.Alertmanager(am.URL(), alerting.AlertmanagerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := alerting.New(r, alerting.WithSink(sink), alerting.WithService("orders"), alerting.WithInstance("orders-1"),
		alerting.WithStatusURL("https://orders.example/healthcheck/status"))
	if err != nil {
		t.Fatal(err)
	}
	d.Start()
	defer stop(t, d)

	refresh(t, r, "database")
	waitFor(t, "the unhealthy alert", func() bool { return len(activeByName(t, am, "database")) == 1 })
	a := activeByName(t, am, "database")[alerting.AlertUnhealthy]
	for k, want := range map[string]string{"alertname": "CheckUnhealthy", "check": "database", "service": "orders",
		"severity": "critical", "instance": "orders-1"} {
		if a.Labels[k] != want {
			t.Errorf("label %s = %q, want %q", k, a.Labels[k], want)
		}
	}
	if a.Annotations["summary"] != "orders: database unhealthy: connection refused" ||
		a.Annotations["description"] != "connection refused" ||
		a.GeneratorURL != "https://orders.example/healthcheck/status" || !a.EndsAt.After(time.Now().Add(3*time.Minute)) {
		t.Errorf("alert %+v", a)
	}

	c.set(checks.StatusDegraded)
	refresh(t, r, "database")
	waitFor(t, "degraded replacing unhealthy", func() bool {
		m := activeByName(t, am, "database")
		_, ok := m[alerting.AlertDegraded]
		return ok && len(m) == 1
	})

	c.set(checks.StatusHealthy)
	refresh(t, r, "database")
	waitFor(t, "the alert resolved", func() bool { return len(activeByName(t, am, "database")) == 0 })
	stop(t, d) // Alertmanager may show the POST before Publish returned and counted it
	if st := d.Stats()[0]; st.Sent != 3 || st.Failed != 0 || st.Dropped != 0 {
		t.Fatalf("stats %+v", st)
	}
}
