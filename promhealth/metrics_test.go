package promhealth_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	promtest "github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/promhealth"
)

func TestMetricsFromResults(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	m, err := promhealth.New(reg, "messenger")
	if err != nil {
		t.Fatal(err)
	}
	fail := false
	r := checks.NewRunner(checks.WithHooks(m.CheckHooks()))
	defer r.Close()
	err = r.Register(checks.Check{Name: "database", Func: checks.FromFunc(func(context.Context) error {
		if fail {
			return errors.New(`database "x" does not exist`)
		}
		return nil
	})})
	if err != nil {
		t.Fatal(err)
	}
	m.Init([]string{"database"})
	m.ObserveStartupAttempt("database", false)
	m.ObserveStartupAttempt("database", true)
	m.ObserveRemediation("database")
	ctx := context.Background()
	if _, err := r.Refresh(ctx, "database"); err != nil {
		t.Fatal(err)
	}
	fail = true
	if _, err := r.Refresh(ctx, "database"); err != nil {
		t.Fatal(err)
	}

	if problems, err := promtest.GatherAndLint(reg); err != nil || len(problems) > 0 {
		t.Fatalf("lint: %v %+v", err, problems)
	}
	want := []string{
		"messenger_health_check_coalesced_total",
		"messenger_health_check_duration_seconds",
		"messenger_health_check_failures_total",
		"messenger_health_check_last_success_timestamp_seconds",
		"messenger_health_check_runs_total",
		"messenger_health_check_status",
		"messenger_health_check_transitions_total",
		"messenger_health_maintenance", // no label, 0 from New (maintenance_test.go)
		"messenger_health_remediations_total",
		"messenger_health_startup_attempts_total",
		"messenger_health_startup_failures_total",
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, mf := range mfs {
		got = append(got, mf.GetName())
		for _, metric := range mf.GetMetric() {
			for _, l := range metric.GetLabel() {
				if l.GetName() != "check" {
					t.Fatalf("%s has label %q; only check is allowed", mf.GetName(), l.GetName())
				}
			}
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("series:\n got %v\nwant %v", got, want)
	}
	expected := `
# HELP messenger_health_check_status Reported status of a health check: 1 healthy, 0.5 degraded, 0 unhealthy or unknown.
# TYPE messenger_health_check_status gauge
messenger_health_check_status{check="database"} 0
# HELP messenger_health_check_runs_total Health check executions.
# TYPE messenger_health_check_runs_total counter
messenger_health_check_runs_total{check="database"} 2
# HELP messenger_health_check_failures_total Health check executions that failed (not counting runs skipped because a dependency was unhealthy).
# TYPE messenger_health_check_failures_total counter
messenger_health_check_failures_total{check="database"} 1
# HELP messenger_health_check_transitions_total Changes of a health check's reported status.
# TYPE messenger_health_check_transitions_total counter
messenger_health_check_transitions_total{check="database"} 1
# HELP messenger_health_startup_attempts_total Startup gate attempts per check.
# TYPE messenger_health_startup_attempts_total counter
messenger_health_startup_attempts_total{check="database"} 2
# HELP messenger_health_startup_failures_total Startup gate attempts per check that failed.
# TYPE messenger_health_startup_failures_total counter
messenger_health_startup_failures_total{check="database"} 1
`
	if err := promtest.GatherAndCompare(reg, strings.NewReader(expected),
		"messenger_health_check_status", "messenger_health_check_runs_total", "messenger_health_check_failures_total",
		"messenger_health_check_transitions_total", "messenger_health_startup_attempts_total", "messenger_health_startup_failures_total"); err != nil {
		t.Fatal(err)
	}
	if n := promtest.CollectAndCount(reg, "messenger_health_check_duration_seconds"); n != 1 {
		t.Fatalf("duration series: %d", n)
	}
}

func TestMetricsRegisterTwiceReuses(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	a, err := promhealth.New(reg, "")
	if err != nil {
		t.Fatal(err)
	}
	b, err := promhealth.New(reg, "")
	if err != nil {
		t.Fatalf("second registration: %v", err)
	}
	a.ObserveRemediation("x")
	b.ObserveRemediation("x")
	if v := promtest.ToFloat64(gatherCounter(t, reg)); v != 2 {
		t.Fatalf("shared counter = %v, want 2", v)
	}
	if _, err := promhealth.New(nil, ""); err == nil {
		t.Fatal("nil registerer accepted")
	}
}

// gatherCounter returns a collector that yields health_remediations_total.
func gatherCounter(t *testing.T, reg *prometheus.Registry) prometheus.Collector {
	t.Helper()
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "health_remediations_total", Help: "Auto-healing attempts per check."})
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "health_remediations_total" {
			c.Add(mf.GetMetric()[0].GetCounter().GetValue())
		}
	}
	return c
}

func TestPoolCollector(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	stats := func(n int64) func() promhealth.PoolStats {
		return func() promhealth.PoolStats {
			return promhealth.PoolStats{Acquired: 1, Idle: 2, Total: 3, Max: 4, Acquires: n, AcquireDuration: 1500 * time.Millisecond}
		}
	}
	if err := promhealth.RegisterPool(reg, "app", stats(5)); err != nil {
		t.Fatal(err)
	}
	if err := promhealth.RegisterPool(reg, "app", stats(7)); err != nil {
		t.Fatalf("second registration: %v", err)
	}
	if problems, err := promtest.GatherAndLint(reg); err != nil || len(problems) > 0 {
		t.Fatalf("lint: %v %+v", err, problems)
	}
	if n := promtest.CollectAndCount(reg, "app_db_pool_total_conns", "app_db_pool_max_conns", "app_db_pool_acquires_total"); n != 3 {
		t.Fatalf("pool series: %d", n)
	}
	expected := `
# HELP app_db_pool_acquires_total Successful acquires from the pool.
# TYPE app_db_pool_acquires_total counter
app_db_pool_acquires_total 7
# HELP app_db_pool_acquire_duration_seconds_total Total time spent acquiring connections.
# TYPE app_db_pool_acquire_duration_seconds_total counter
app_db_pool_acquire_duration_seconds_total 1.5
`
	if err := promtest.GatherAndCompare(reg, strings.NewReader(expected), "app_db_pool_acquires_total", "app_db_pool_acquire_duration_seconds_total"); err != nil {
		t.Fatalf("the second registration's stats are not read: %v", err)
	}
	if err := promhealth.RegisterPool(reg, "app", nil); err == nil {
		t.Fatal("nil stats accepted")
	}
}

func TestMetricsSkippedRunsAreNotFailures(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	m, err := promhealth.New(reg, "")
	if err != nil {
		t.Fatal(err)
	}
	r := checks.NewRunner(checks.WithHooks(m.CheckHooks()))
	defer r.Close()
	err = r.Register(
		checks.Check{Name: "database", Func: checks.FromFunc(func(context.Context) error { return errors.New("down") })},
		checks.Check{Name: "schema", DependsOn: []string{"database"}, Func: checks.FromFunc(func(context.Context) error { return nil })},
	)
	if err != nil {
		t.Fatal(err)
	}
	m.Init([]string{"database", "schema"})
	if res, err := r.Check(context.Background(), "schema"); err != nil || !res.Skipped {
		t.Fatalf("schema: %+v %v", res, err)
	}
	expected := `
# HELP health_check_failures_total Health check executions that failed (not counting runs skipped because a dependency was unhealthy).
# TYPE health_check_failures_total counter
health_check_failures_total{check="database"} 1
health_check_failures_total{check="schema"} 0
`
	if err := promtest.GatherAndCompare(reg, strings.NewReader(expected), "health_check_failures_total"); err != nil {
		t.Fatal(err)
	}
}
