package otelhealth_test

import (
	"context"
	"fmt"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/otelhealth"
)

// Record the results of a runner on the application's MeterProvider (here
// the SDK's, read by a ManualReader; in production with an exporter).
func ExampleInstrument() {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(context.Background())

	runner := checks.NewRunner()
	defer runner.Close()
	_ = runner.Register(checks.Check{Name: "database", Func: checks.FromFunc(func(context.Context) error { return nil })})
	if _, err := otelhealth.Instrument(runner, mp); err != nil {
		panic(err)
	}
	runner.Run(context.Background())

	var rm metricdata.ResourceMetrics
	_ = reader.Collect(context.Background(), &rm)
	for _, m := range rm.ScopeMetrics[0].Metrics {
		switch d := m.Data.(type) {
		case metricdata.Sum[int64]:
			fmt.Printf("%s{database} = %d %s\n", m.Name, d.DataPoints[0].Value, m.Unit)
		case metricdata.Gauge[float64]:
			fmt.Printf("%s{database} = %g\n", m.Name, d.DataPoints[0].Value)
		case metricdata.Histogram[float64]:
			fmt.Printf("%s{database}: %d observation(s) in %s\n", m.Name, d.DataPoints[0].Count, m.Unit)
		}
	}
	// Output:
	// health.check.duration{database}: 1 observation(s) in s
	// health.check.status{database} = 1
	// health.check.runs{database} = 1 {run}
	// health.check.failures{database} = 0 {failure}
	// health.check.transitions{database} = 0 {transition}
}
