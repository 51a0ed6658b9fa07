package otelhealth

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/echofx/healthcheck/checks"
)

// ScopeName is the instrumentation scope of the meter the instruments are
// created on.
const ScopeName = "github.com/echofx/healthcheck/otelhealth"

// AttrCheck is the attribute key naming the check on every measurement.
const AttrCheck = "health.check.name"

// Instrument names.
const (
	NameDuration    = "health.check.duration"
	NameStatus      = "health.check.status"
	NameRuns        = "health.check.runs"
	NameFailures    = "health.check.failures"
	NameTransitions = "health.check.transitions"
)

// DefaultBuckets are the duration histogram's bucket boundaries in seconds,
// those of the Prometheus metrics.
var DefaultBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// errNilMeterProvider is New's and Instrument's error when given no
// MeterProvider. Pass one explicitly (e.g. the SDK's
// sdkmetric.NewMeterProvider); the global one is never used.
var errNilMeterProvider = &checks.ConfigError{Package: "otelhealth", Setting: "MeterProvider",
	Reason: "nil metric.MeterProvider (the global one is never used: pass one)"}

// Option configures Metrics.
type Option interface{ apply(*config) }

type config struct{ buckets []float64 }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithBuckets sets the duration histogram's bucket boundaries, in seconds,
// ascending. Default DefaultBuckets. An empty list is ignored.
func WithBuckets(b ...float64) Option {
	return optionFunc(func(c *config) {
		if len(b) > 0 {
			c.buckets = b
		}
	})
}

// Metrics records check results on OpenTelemetry instruments. Build it with
// New (then subscribe CheckHooks) or Instrument. It is safe for concurrent
// use.
type Metrics struct {
	duration    metric.Float64Histogram
	status      metric.Float64Gauge
	runs        metric.Int64Counter
	failures    metric.Int64Counter
	transitions metric.Int64Counter

	attrs sync.Map // check name -> metric.MeasurementOption
}

// New creates the instruments on mp's meter ScopeName. It fails with
// a *checks.ConfigError for a nil mp, or with the provider's error for an
// instrument it refuses (e.g. unsorted buckets).
func New(mp metric.MeterProvider, opts ...Option) (*Metrics, error) {
	if mp == nil {
		return nil, errNilMeterProvider
	}
	cfg := config{buckets: DefaultBuckets}
	for _, o := range opts {
		if o != nil {
			o.apply(&cfg)
		}
	}
	meter := mp.Meter(ScopeName)
	m := &Metrics{}
	var errs []error
	add := func(err error) { errs = append(errs, err) }
	var err error
	m.duration, err = meter.Float64Histogram(NameDuration,
		metric.WithUnit("s"), metric.WithDescription("Duration of health check executions."),
		metric.WithExplicitBucketBoundaries(cfg.buckets...))
	add(err)
	m.status, err = meter.Float64Gauge(NameStatus,
		metric.WithDescription("Reported status of a health check: 1 healthy, 0.5 degraded, 0 unhealthy."))
	add(err)
	m.runs, err = meter.Int64Counter(NameRuns,
		metric.WithUnit("{run}"), metric.WithDescription("Health check executions."))
	add(err)
	m.failures, err = meter.Int64Counter(NameFailures,
		metric.WithUnit("{failure}"), metric.WithDescription("Health check executions that failed (not counting runs skipped because a dependency was unhealthy)."))
	add(err)
	m.transitions, err = meter.Int64Counter(NameTransitions,
		metric.WithUnit("{transition}"), metric.WithDescription("Changes of a health check's reported status."))
	add(err)
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("otelhealth: create instruments: %w", err)
	}
	return m, nil
}

// Instrument creates Metrics on mp (see New), starts the counters of the
// checks registered so far at zero (Init) and subscribes to runner's
// results. Runner hooks cannot be removed: the subscription lasts as long
// as the runner.
func Instrument(runner *checks.Runner, mp metric.MeterProvider, opts ...Option) (*Metrics, error) {
	if runner == nil {
		return nil, errors.New("otelhealth: nil *checks.Runner")
	}
	m, err := New(mp, opts...)
	if err != nil {
		return nil, err
	}
	cs := runner.Checks()
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.Name
	}
	m.Init(names)
	runner.AddHooks(m.CheckHooks())
	return m, nil
}

// Init adds zero to each check's counters, so that a rate sees a check's
// first events. The status gauge stays absent until the first result:
// absent means unknown, not unhealthy.
func (m *Metrics) Init(names []string) {
	ctx := contextBackground
	for _, n := range names {
		a := m.attr(n)
		m.runs.Add(ctx, 0, a)
		m.failures.Add(ctx, 0, a)
		m.transitions.Add(ctx, 0, a)
	}
}

// CheckHooks returns the runner hooks that record the results: subscribe
// them with runner.AddHooks or checks.WithHooks.
func (m *Metrics) CheckHooks() checks.Hooks {
	return checks.Hooks{
		OnResult: func(r checks.Result) {
			ctx := contextBackground
			a := m.attr(r.Name)
			m.duration.Record(ctx, r.Duration.Seconds(), a)
			m.status.Record(ctx, r.Status.Value(), a)
			m.runs.Add(ctx, 1, a)
			if !r.Observed.OK() && !r.Skipped {
				// A run skipped because a dependency is unhealthy is the
				// dependency's failure, counted there.
				m.failures.Add(ctx, 1, a)
			}
		},
		OnTransition: func(t checks.Transition) {
			if t.From != checks.StatusUnknown {
				m.transitions.Add(contextBackground, 1, m.attr(t.Check))
			}
		},
	}
}

// attr is the measurement option carrying the check's attribute, built once
// per check.
func (m *Metrics) attr(name string) metric.MeasurementOption {
	if a, ok := m.attrs.Load(name); ok {
		return a.(metric.MeasurementOption)
	}
	a, _ := m.attrs.LoadOrStore(name, metric.WithAttributeSet(attribute.NewSet(attribute.String(AttrCheck, name))))
	return a.(metric.MeasurementOption)
}

// contextBackground is the context measurements are recorded with: hooks
// have none, and the SDK uses it only for exemplars.
var contextBackground = context.Background()
