package alerting_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/echofx/healthcheck/alerting"
	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/internal/testutil"
)

// flap runs the check every 200 ms of the fake clock for 30 s, its status
// alternating (5 changes a second), then every 5 s for 3 minutes with the
// status settle.
func flap(t *testing.T, clock *testutil.FakeClock, r *checks.Runner, c *switchable, settle checks.Status) {
	t.Helper()
	for i := range 150 {
		if i%2 == 0 {
			c.set(checks.StatusUnhealthy)
		} else {
			c.set(checks.StatusHealthy)
		}
		refresh(t, r, "database")
		clock.Advance(200 * time.Millisecond)
	}
	c.set(settle)
	for range 36 {
		refresh(t, r, "database")
		clock.Advance(5 * time.Second)
	}
}

// TestFlappingFolded: a check flapping 5 times a second for 30 s makes at
// most 6 posts to a real webhook receiver: its first changes, one
// CheckFlapping (warning), and, once it kept one status for 2 minutes, one
// event saying where it settled.
func TestFlappingFolded(t *testing.T) {
	for _, tc := range []struct {
		settle checks.Status
		want   []string // event/alert of each post
	}{
		{checks.StatusHealthy, []string{"unhealthy/CheckUnhealthy", "recovered/CheckUnhealthy", "unhealthy/CheckUnhealthy",
			"recovered/CheckUnhealthy", "flapping/CheckFlapping", "recovered/CheckFlapping"}},
		{checks.StatusUnhealthy, []string{"unhealthy/CheckUnhealthy", "recovered/CheckUnhealthy", "unhealthy/CheckUnhealthy",
			"recovered/CheckUnhealthy", "flapping/CheckFlapping", "unhealthy/CheckUnhealthy"}},
	} {
		t.Run(tc.settle.String(), func(t *testing.T) {
			clock := testutil.NewFakeClock(time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC))
			r := newRunner(t, checks.WithClock(clock))
			c := &switchable{}
			if err := r.Register(checks.Check{Name: "database", Func: c.fn}); err != nil {
				t.Fatal(err)
			}
			rc := newReceiver(t)
			sink, err := alerting.Webhook("ops", rc.URL, alerting.WebhookConfig{})
			if err != nil {
				t.Fatal(err)
			}
			d, err := alerting.New(r, alerting.WithSink(sink))
			if err != nil {
				t.Fatal(err)
			}
			d.Start()
			flap(t, clock, r, c, tc.settle)
			waitFor(t, "the posts", func() bool { return d.Stats()[0].Sent >= uint64(len(tc.want)) })
			var got []alerting.WebhookPayload
			for len(rc.requests) > 0 {
				var p alerting.WebhookPayload
				if err := json.Unmarshal((<-rc.requests).body, &p); err != nil {
					t.Fatal(err)
				}
				got = append(got, p)
			}
			stop(t, d) // resolves CheckUnhealthy when it settled so: a post, not of the flapping
			t.Logf("%d posts for 30 s of flapping 5 times a second", len(got))
			if len(got) > 6 || len(got) != len(tc.want) {
				t.Fatalf("%d posts, want %d (at most 6): %+v", len(got), len(tc.want), got)
			}
			for i, p := range got {
				if s := string(p.Event) + "/" + p.Alert; s != tc.want[i] {
					t.Errorf("post %d: %s, want %s", i, s, tc.want[i])
				}
				if p.Alert == alerting.AlertFlapping && p.Severity != alerting.SeverityWarning {
					t.Errorf("CheckFlapping severity %s", p.Severity)
				}
			}
		})
	}
}

// TestFlappingInAlertmanager: in a real Alertmanager, CheckFlapping
// (warning) replaces the check's status alert (critical) while it flaps:
// the replaced alert is resolved under its own labels.
func TestFlappingInAlertmanager(t *testing.T) {
	am := testutil.StartAlertmanager(t)
	// In the past, so that a resolution's endsAt is too (Alertmanager keeps
	// a later endsAt over one still ahead).
	clock := testutil.NewFakeClock(time.Now().Add(-time.Minute))
	r := newRunner(t, checks.WithClock(clock))
	c := &switchable{}
	if err := r.Register(checks.Check{Name: "database", Func: c.fn}); err != nil {
		t.Fatal(err)
	}
	sink, err := alerting.Alertmanager(am.URL(), alerting.AlertmanagerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := alerting.New(r, alerting.WithSink(sink), alerting.WithService("orders"))
	if err != nil {
		t.Fatal(err)
	}
	d.Start()
	defer stop(t, d)
	for i := range 6 { // unhealthy and degraded in turn: the fifth change flaps, replacing CheckDegraded
		if i%2 == 0 {
			c.set(checks.StatusUnhealthy)
		} else {
			c.set(checks.StatusDegraded)
		}
		refresh(t, r, "database")
		clock.Advance(time.Second)
	}
	waitFor(t, "CheckFlapping alone", func() bool {
		m := activeByName(t, am, "database")
		a, ok := m[alerting.AlertFlapping]
		return ok && len(m) == 1 && a.Labels["severity"] == "warning"
	})
}
