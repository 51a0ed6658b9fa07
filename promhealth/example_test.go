package promhealth_test

import (
	"context"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/promhealth"
)

// Export a runner's results on the application's registry, without fx.
func ExampleNew() {
	reg := prometheus.NewRegistry()
	m, err := promhealth.New(reg, "messenger")
	if err != nil {
		panic(err)
	}
	runner := checks.NewRunner(checks.WithHooks(m.CheckHooks()))
	defer runner.Close()
	_ = runner.Register(checks.Check{Name: "database", Func: checks.FromFunc(func(context.Context) error { return nil })})
	m.Init([]string{"database"})
	runner.Run(context.Background())

	mfs, _ := reg.Gather()
	for _, mf := range mfs {
		switch mf.GetName() {
		case "messenger_health_check_status":
			fmt.Printf("%s{check=%q} %g\n", mf.GetName(), mf.GetMetric()[0].GetLabel()[0].GetValue(), mf.GetMetric()[0].GetGauge().GetValue())
		case "messenger_health_check_runs_total":
			fmt.Printf("%s{check=%q} %g\n", mf.GetName(), mf.GetMetric()[0].GetLabel()[0].GetValue(), mf.GetMetric()[0].GetCounter().GetValue())
		}
	}
	// Output:
	// messenger_health_check_runs_total{check="database"} 1
	// messenger_health_check_status{check="database"} 1
}

// Export a pool's statistics through a function (here fixed values; with
// pgx, read them from pool.Stat()).
func ExampleRegisterPool() {
	reg := prometheus.NewRegistry()
	err := promhealth.RegisterPool(reg, "messenger", func() promhealth.PoolStats {
		return promhealth.PoolStats{Acquired: 2, Idle: 3, Total: 5, Max: 10}
	})
	if err != nil {
		panic(err)
	}
	mfs, _ := reg.Gather()
	for _, mf := range mfs {
		if mf.GetMetric()[0].GetGauge() != nil && mf.GetType().String() == "GAUGE" {
			fmt.Println(mf.GetName(), mf.GetMetric()[0].GetGauge().GetValue())
		}
	}
	// Output:
	// messenger_db_pool_acquired_conns 2
	// messenger_db_pool_idle_conns 3
	// messenger_db_pool_max_conns 10
	// messenger_db_pool_total_conns 5
}
