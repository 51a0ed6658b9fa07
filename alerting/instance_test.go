package alerting_test

import (
	"os"
	"strconv"
	"testing"

	"github.com/echofx/healthcheck/alerting"
	"github.com/echofx/healthcheck/checks"
)

// TestDefaultInstance: without WithInstance (or with an empty one), the
// instance is the host name and the process ID, so several processes on
// one host are distinct replicas; WithInstance overrides it.
func TestDefaultInstance(t *testing.T) {
	host, err := os.Hostname()
	if err != nil {
		t.Skip(err)
	}
	want := host + "-" + strconv.Itoa(os.Getpid())
	for _, tc := range []struct {
		opt  alerting.Option
		want string
	}{
		{nil, want},
		{alerting.WithInstance(""), want},
		{alerting.WithInstance("orders-7d9f"), "orders-7d9f"},
	} {
		r := newRunner(t)
		addSwitchable(t, r, "database", checks.StatusUnhealthy)
		rec := newRecorder()
		d, err := alerting.New(r, tc.opt, alerting.WithSink(alerting.Sink{Name: "test", Publisher: rec}))
		if err != nil {
			t.Fatal(err)
		}
		d.Start()
		refresh(t, r, "database")
		if e := rec.next(t); e.Instance != tc.want {
			t.Errorf("instance %q, want %q", e.Instance, tc.want)
		}
		stop(t, d)
	}
}
