package otelhealth_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/otelhealth"
)

// point is one collected data point of one check.
type point struct {
	value      float64 // counter or gauge value; histogram sum
	count      uint64  // histogram count
	unit, kind string
}

// collect reads every instrument of the otelhealth scope, keyed by
// "<instrument>/<check>".
func collect(t *testing.T, reader *sdkmetric.ManualReader) map[string]point {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	out := map[string]point{}
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != otelhealth.ScopeName {
			t.Errorf("scope %q, want %q", sm.Scope.Name, otelhealth.ScopeName)
		}
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				if !d.IsMonotonic {
					t.Errorf("%s is not monotonic", m.Name)
				}
				for _, dp := range d.DataPoints {
					out[m.Name+"/"+check(t, dp.Attributes.ToSlice())] = point{value: float64(dp.Value), unit: m.Unit, kind: "counter"}
				}
			case metricdata.Gauge[float64]:
				for _, dp := range d.DataPoints {
					out[m.Name+"/"+check(t, dp.Attributes.ToSlice())] = point{value: dp.Value, unit: m.Unit, kind: "gauge"}
				}
			case metricdata.Histogram[float64]:
				for _, dp := range d.DataPoints {
					out[m.Name+"/"+check(t, dp.Attributes.ToSlice())] = point{value: dp.Sum, count: dp.Count, unit: m.Unit, kind: "histogram"}
				}
			default:
				t.Errorf("%s: unexpected data %T", m.Name, m.Data)
			}
		}
	}
	return out
}

// check returns the value of the only attribute, which must be AttrCheck.
func check(t *testing.T, kvs []attribute.KeyValue) string {
	t.Helper()
	if len(kvs) != 1 || string(kvs[0].Key) != otelhealth.AttrCheck {
		t.Errorf("attributes %v, want only %s", kvs, otelhealth.AttrCheck)
		return "?"
	}
	return kvs[0].Value.AsString()
}

// flaky is a check whose outcome the test sets.
type flaky struct{ status atomic.Uint32 }

func (f *flaky) fn(context.Context) checks.Report {
	st := checks.Status(f.status.Load())
	if st == checks.StatusUnhealthy {
		return checks.Report{Err: errors.New("dial tcp 10.0.0.5:6379: connection refused")}
	}
	return checks.Report{Status: st}
}

func newProvider() (*sdkmetric.ManualReader, *sdkmetric.MeterProvider) {
	reader := sdkmetric.NewManualReader()
	return reader, sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
}

func TestInstrumentRecordsResults(t *testing.T) {
	// A global provider with its own reader must see nothing.
	globalReader, globalMP := newProvider()
	prev := otel.GetMeterProvider()
	otel.SetMeterProvider(globalMP)
	t.Cleanup(func() { otel.SetMeterProvider(prev) })

	reader, mp := newProvider()
	defer mp.Shutdown(context.Background())
	runner := checks.NewRunner()
	defer runner.Close()
	db, cache := &flaky{}, &flaky{}
	db.status.Store(uint32(checks.StatusHealthy))
	cache.status.Store(uint32(checks.StatusHealthy))
	if err := runner.Register(
		checks.Check{Name: "db", Func: db.fn},
		checks.Check{Name: "cache", Func: cache.fn, Criticality: checks.Optional},
		checks.Check{Name: "api", Func: (&flaky{}).fn, DependsOn: []string{"cache"}},
	); err != nil {
		t.Fatal(err)
	}
	if _, err := otelhealth.Instrument(runner, mp); err != nil {
		t.Fatal(err)
	}

	got := collect(t, reader)
	for _, name := range []string{"db", "cache", "api"} {
		for _, inst := range []string{otelhealth.NameRuns, otelhealth.NameFailures, otelhealth.NameTransitions} {
			if p, ok := got[inst+"/"+name]; !ok || p.value != 0 {
				t.Errorf("before any run: %s/%s = %+v, %v; want 0", inst, name, p, ok)
			}
		}
		if _, ok := got[otelhealth.NameStatus+"/"+name]; ok {
			t.Errorf("before any run: status of %s present; want absent (unknown)", name)
		}
	}

	ctx := context.Background()
	runner.Run(ctx) // all healthy
	cache.status.Store(uint32(checks.StatusUnhealthy))
	db.status.Store(uint32(checks.StatusDegraded))
	for _, n := range []string{"db", "cache", "api"} { // api is skipped: its dependency failed
		if _, err := runner.Refresh(ctx, n); err != nil {
			t.Fatal(err)
		}
	}

	got = collect(t, reader)
	want := map[string]point{
		otelhealth.NameRuns + "/db":           {value: 2, unit: "{run}", kind: "counter"},
		otelhealth.NameRuns + "/cache":        {value: 2, unit: "{run}", kind: "counter"},
		otelhealth.NameRuns + "/api":          {value: 2, unit: "{run}", kind: "counter"},
		otelhealth.NameFailures + "/db":       {value: 0, unit: "{failure}", kind: "counter"},
		otelhealth.NameFailures + "/cache":    {value: 1, unit: "{failure}", kind: "counter"},
		otelhealth.NameFailures + "/api":      {value: 0, unit: "{failure}", kind: "counter"},
		otelhealth.NameTransitions + "/db":    {value: 1, unit: "{transition}", kind: "counter"},
		otelhealth.NameTransitions + "/cache": {value: 1, unit: "{transition}", kind: "counter"},
		otelhealth.NameTransitions + "/api":   {value: 1, unit: "{transition}", kind: "counter"},
		otelhealth.NameStatus + "/db":         {value: 0.5, kind: "gauge"},
		otelhealth.NameStatus + "/cache":      {value: 0, kind: "gauge"},
		otelhealth.NameStatus + "/api":        {value: 0, kind: "gauge"},
	}
	for k, w := range want {
		if g := got[k]; g != w {
			t.Errorf("%s = %+v, want %+v", k, g, w)
		}
	}
	for _, name := range []string{"db", "cache", "api"} {
		h := got[otelhealth.NameDuration+"/"+name]
		if h.kind != "histogram" || h.unit != "s" || h.count != 2 || h.value < 0 || h.value > 5 {
			t.Errorf("duration/%s = %+v, want a histogram in s with 2 observations", name, h)
		}
	}
	if len(got) != len(want)+3 {
		t.Errorf("collected %d series, want %d: %v", len(got), len(want)+3, got)
	}

	var rm metricdata.ResourceMetrics
	if err := globalReader.Collect(ctx, &rm); err != nil {
		t.Fatal(err)
	}
	if len(rm.ScopeMetrics) != 0 {
		t.Errorf("the global MeterProvider received %v", rm.ScopeMetrics)
	}
}

func TestBuckets(t *testing.T) {
	reader, mp := newProvider()
	defer mp.Shutdown(context.Background())
	m, err := otelhealth.New(mp, otelhealth.WithBuckets(0.5, 2))
	if err != nil {
		t.Fatal(err)
	}
	hooks := m.CheckHooks()
	hooks.OnResult(checks.Result{Name: "db", Status: checks.StatusHealthy, Observed: checks.StatusHealthy, Duration: time.Second})
	var rm metricdata.ResourceMetrics
	_ = reader.Collect(context.Background(), &rm)
	for _, sm := range rm.ScopeMetrics {
		for _, mt := range sm.Metrics {
			if h, ok := mt.Data.(metricdata.Histogram[float64]); ok {
				dp := h.DataPoints[0]
				if len(dp.Bounds) != 2 || dp.BucketCounts[1] != 1 {
					t.Errorf("bounds %v counts %v, want [0.5 2] with 1s in the second bucket", dp.Bounds, dp.BucketCounts)
				}
				return
			}
		}
	}
	t.Error("no histogram collected")
}

func TestErrors(t *testing.T) {
	if _, err := otelhealth.New(nil); !errors.Is(err, checks.ErrInvalidConfig) {
		t.Errorf("New(nil) = %v, want a *checks.ConfigError", err)
	}
	runner := checks.NewRunner()
	defer runner.Close()
	if _, err := otelhealth.Instrument(runner, nil); !errors.Is(err, checks.ErrInvalidConfig) {
		t.Errorf("Instrument(runner, nil) = %v, want a *checks.ConfigError", err)
	}
	if _, err := otelhealth.Instrument(nil, sdkmetric.NewMeterProvider()); err == nil {
		t.Error("Instrument(nil runner) = nil error")
	}
}
