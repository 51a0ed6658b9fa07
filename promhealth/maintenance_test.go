package promhealth_test

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	promtest "github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/promhealth"
)

// TestMaintenanceGauge: <ns>_health_maintenance is 0 from New, 1 while a
// window is active, 0 once it ended.
func TestMaintenanceGauge(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	m, err := promhealth.New(reg, "shop")
	if err != nil {
		t.Fatal(err)
	}
	want := func(v string) {
		t.Helper()
		exp := "# HELP shop_health_maintenance 1 while this replica is in a maintenance window (out of rotation on purpose), else 0.\n" +
			"# TYPE shop_health_maintenance gauge\nshop_health_maintenance " + v + "\n"
		if err := promtest.GatherAndCompare(reg, strings.NewReader(exp), "shop_health_maintenance"); err != nil {
			t.Fatal(err)
		}
	}
	want("0")
	now := time.Now()
	m.ObserveMaintenance(checks.Maintenance{Active: true, Reason: "upgrade", Since: now, Until: now.Add(time.Hour)})
	want("1")
	m.ObserveMaintenance(checks.Maintenance{})
	want("0")
}
