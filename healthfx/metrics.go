package healthfx

import (
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/echofx/healthcheck/checks"
)

// Metrics exports check results to Prometheus. Every series carries the
// label `check` and nothing else (never error text, so cardinality is the
// number of checks). Values are set when results arrive, from the runner's
// hooks; a scrape never runs a check.
//
// With namespace "messenger" (the example's), the series are:
//
//	messenger_health_check_duration_seconds{check}         histogram of execution time
//	messenger_health_check_status{check}                   1 healthy, 0.5 degraded, 0 unhealthy or unknown
//	messenger_health_check_runs_total{check}               executions
//	messenger_health_check_failures_total{check}           executions that failed (not runs skipped for an unhealthy dependency)
//	messenger_health_check_transitions_total{check}        changes of reported status (flapping)
//	messenger_health_check_last_success_timestamp_seconds{check}
//	messenger_health_check_coalesced_total{check}          callers that shared another caller's execution
//	messenger_health_startup_attempts_total{check}         startup gate attempts
//	messenger_health_startup_failures_total{check}         startup gate attempts that failed
//	messenger_health_remediations_total{check}             auto-healing attempts
//
// An empty namespace drops the prefix (health_check_status, ...).
type Metrics struct {
	duration    *prometheus.HistogramVec
	status      *prometheus.GaugeVec
	runs        *prometheus.CounterVec
	failures    *prometheus.CounterVec
	transitions *prometheus.CounterVec
	lastSuccess *prometheus.GaugeVec
	coalesced   *prometheus.CounterVec
	startup     *prometheus.CounterVec
	startupFail *prometheus.CounterVec
	remediation *prometheus.CounterVec
}

// NewMetrics creates the collectors and registers them on reg. Registering
// into a registry that already holds them (an fx app built twice in one
// process) reuses the existing collectors. Any other registration error is
// returned.
func NewMetrics(reg prometheus.Registerer, namespace string) (*Metrics, error) {
	if reg == nil {
		return nil, errors.New("healthfx: NewMetrics: nil Registerer")
	}
	labels := []string{"check"}
	counter := func(name, help string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: name, Help: help}, labels)
	}
	gauge := func(name, help string) *prometheus.GaugeVec {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: namespace, Name: name, Help: help}, labels)
	}
	m := &Metrics{
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "health_check_duration_seconds",
			Help:    "Duration of health check executions.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, labels),
		status:      gauge("health_check_status", "Reported status of a health check: 1 healthy, 0.5 degraded, 0 unhealthy or unknown."),
		runs:        counter("health_check_runs_total", "Health check executions."),
		failures:    counter("health_check_failures_total", "Health check executions that failed (not counting runs skipped because a dependency was unhealthy)."),
		transitions: counter("health_check_transitions_total", "Changes of a health check's reported status."),
		lastSuccess: gauge("health_check_last_success_timestamp_seconds", "Unix time of a health check's last passing execution."),
		coalesced:   counter("health_check_coalesced_total", "Callers that shared another caller's health check execution."),
		startup:     counter("health_startup_attempts_total", "Startup gate attempts per check."),
		startupFail: counter("health_startup_failures_total", "Startup gate attempts per check that failed."),
		remediation: counter("health_remediations_total", "Auto-healing attempts per check."),
	}
	for _, p := range []any{&m.duration, &m.status, &m.runs, &m.failures, &m.transitions, &m.lastSuccess, &m.coalesced, &m.startup, &m.startupFail, &m.remediation} {
		if err := registerOrReuse(reg, p); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// registerOrReuse registers *p, or points *p at the collector already
// registered under the same descriptors.
func registerOrReuse(reg prometheus.Registerer, p any) error {
	var c prometheus.Collector
	switch v := p.(type) {
	case **prometheus.HistogramVec:
		c = *v
	case **prometheus.GaugeVec:
		c = *v
	case **prometheus.CounterVec:
		c = *v
	}
	err := reg.Register(c)
	var are prometheus.AlreadyRegisteredError
	if !errors.As(err, &are) {
		if err != nil {
			return fmt.Errorf("healthfx: register metrics: %w", err)
		}
		return nil
	}
	ok := false
	switch v := p.(type) {
	case **prometheus.HistogramVec:
		*v, ok = are.ExistingCollector.(*prometheus.HistogramVec)
	case **prometheus.GaugeVec:
		*v, ok = are.ExistingCollector.(*prometheus.GaugeVec)
	case **prometheus.CounterVec:
		*v, ok = are.ExistingCollector.(*prometheus.CounterVec)
	}
	if !ok {
		return fmt.Errorf("healthfx: register metrics: %w", err)
	}
	return nil
}

// StatusValue is the gauge value of a status: 1 healthy, 0.5 degraded, 0
// unhealthy or unknown (checks.Status.Value).
func StatusValue(s checks.Status) float64 { return s.Value() }

// Init creates the counters of each check at zero, so that increase() and
// rate() see a check's first events. The status gauge is left absent until
// the first result: absent means unknown, not unhealthy.
func (m *Metrics) Init(names []string) {
	for _, n := range names {
		m.runs.WithLabelValues(n)
		m.startup.WithLabelValues(n)
		m.startupFail.WithLabelValues(n)
		m.remediation.WithLabelValues(n)
		m.failures.WithLabelValues(n)
		m.transitions.WithLabelValues(n)
		m.coalesced.WithLabelValues(n)
		m.duration.WithLabelValues(n)
	}
}

// CheckHooks returns the runner hooks that feed the metrics.
func (m *Metrics) CheckHooks() checks.Hooks {
	return checks.Hooks{
		OnResult: func(r checks.Result) {
			m.duration.WithLabelValues(r.Name).Observe(r.Duration.Seconds())
			m.status.WithLabelValues(r.Name).Set(StatusValue(r.Status))
			m.runs.WithLabelValues(r.Name).Inc()
			if !r.Observed.OK() && !r.Skipped {
				// A run skipped because a dependency is unhealthy is the
				// dependency's failure, counted there.
				m.failures.WithLabelValues(r.Name).Inc()
			}
			if !r.LastSuccess.IsZero() {
				m.lastSuccess.WithLabelValues(r.Name).Set(float64(r.LastSuccess.UnixNano()) / 1e9)
			}
		},
		OnTransition: func(t checks.Transition) {
			if t.From != checks.StatusUnknown {
				m.transitions.WithLabelValues(t.Check).Inc()
			}
		},
		OnCoalesced: func(name string) { m.coalesced.WithLabelValues(name).Inc() },
	}
}

// ObserveStartupAttempt counts one startup gate attempt of a check.
func (m *Metrics) ObserveStartupAttempt(check string, ok bool) {
	m.startup.WithLabelValues(check).Inc()
	if !ok {
		m.startupFail.WithLabelValues(check).Inc()
	}
}

// ObserveRemediation counts one auto-healing attempt of a check.
func (m *Metrics) ObserveRemediation(check string) { m.remediation.WithLabelValues(check).Inc() }

// PoolCollector exports a pgxpool.Pool's own statistics, read at scrape
// time from pool.Stat() (no query, no connection):
//
//	<ns>_db_pool_acquired_conns, _idle_conns, _total_conns, _max_conns   gauges
//	<ns>_db_pool_acquires_total, _empty_acquires_total,
//	_canceled_acquires_total                                             counters
//	<ns>_db_pool_acquire_duration_seconds_total                          counter
type PoolCollector struct {
	pool                                 atomic.Pointer[pgxpool.Pool]
	acquired, idle, total, maxc          *prometheus.Desc
	acquires, empty, canceled, acquireNs *prometheus.Desc
}

// RegisterPoolCollector registers a PoolCollector for pool on reg. When one
// is already registered (an fx app built twice), it is pointed at pool.
func RegisterPoolCollector(reg prometheus.Registerer, namespace string, pool *pgxpool.Pool) error {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(namespace, "db_pool", name), help, nil, nil)
	}
	c := &PoolCollector{
		acquired:  d("acquired_conns", "Connections currently acquired from the pool."),
		idle:      d("idle_conns", "Idle connections in the pool."),
		total:     d("total_conns", "Connections in the pool."),
		maxc:      d("max_conns", "Maximum size of the pool."),
		acquires:  d("acquires_total", "Successful acquires from the pool."),
		empty:     d("empty_acquires_total", "Acquires that waited because the pool was empty."),
		canceled:  d("canceled_acquires_total", "Acquires canceled by their context."),
		acquireNs: d("acquire_duration_seconds_total", "Total time spent acquiring connections."),
	}
	c.pool.Store(pool)
	err := reg.Register(c)
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(*PoolCollector); ok {
			existing.pool.Store(pool)
			return nil
		}
	}
	if err != nil {
		return fmt.Errorf("healthfx: register pool metrics: %w", err)
	}
	return nil
}

// Describe implements prometheus.Collector.
func (c *PoolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.acquired, c.idle, c.total, c.maxc, c.acquires, c.empty, c.canceled, c.acquireNs} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *PoolCollector) Collect(ch chan<- prometheus.Metric) {
	p := c.pool.Load()
	if p == nil {
		return
	}
	s := p.Stat()
	g := func(d *prometheus.Desc, v float64) { ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v) }
	k := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
	}
	g(c.acquired, float64(s.AcquiredConns()))
	g(c.idle, float64(s.IdleConns()))
	g(c.total, float64(s.TotalConns()))
	g(c.maxc, float64(s.MaxConns()))
	k(c.acquires, float64(s.AcquireCount()))
	k(c.empty, float64(s.EmptyAcquireCount()))
	k(c.canceled, float64(s.CanceledAcquireCount()))
	k(c.acquireNs, s.AcquireDuration().Seconds())
}
