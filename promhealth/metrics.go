package promhealth

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/echofx/healthcheck/checks"
)

// Metrics holds the collectors of a runner's results (see the package
// doc for the series). Feed it with CheckHooks on the runner, and with
// ObserveStartupAttempt and ObserveRemediation from the lifecycle's hooks.
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
	maintenance *prometheus.GaugeVec // maintenance.go
}

// New creates the collectors, their names prefixed by namespace ("" for
// none), and registers them on reg, which must not be nil. Collectors
// already registered on reg under the same names are reused; any other
// registration error is returned.
func New(reg prometheus.Registerer, namespace string) (*Metrics, error) {
	if reg == nil {
		return nil, errors.New("promhealth: New: nil Registerer")
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
	var err error
	if m.maintenance, err = newMaintenanceGauge(reg, namespace); err != nil {
		return nil, err
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
			return fmt.Errorf("promhealth: register metrics: %w", err)
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
		return fmt.Errorf("promhealth: register metrics: %w", err)
	}
	return nil
}

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

// CheckHooks returns the runner hooks that feed the metrics (pass them to
// checks.WithHooks or Runner.AddHooks).
func (m *Metrics) CheckHooks() checks.Hooks {
	return checks.Hooks{
		OnResult: func(r checks.Result) {
			m.duration.WithLabelValues(r.Name).Observe(r.Duration.Seconds())
			m.status.WithLabelValues(r.Name).Set(r.Status.Value())
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

// ObserveStartupAttempt counts one startup gate attempt of a check, and a
// failure when !ok (lifecycle.Hooks.OnStartupAttempt).
func (m *Metrics) ObserveStartupAttempt(check string, ok bool) {
	m.startup.WithLabelValues(check).Inc()
	if !ok {
		m.startupFail.WithLabelValues(check).Inc()
	}
}

// ObserveRemediation counts one auto-healing attempt of a check
// (lifecycle.Hooks.OnRemediation).
func (m *Metrics) ObserveRemediation(check string) { m.remediation.WithLabelValues(check).Inc() }
