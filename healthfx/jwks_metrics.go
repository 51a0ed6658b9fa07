package healthfx

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// jwksCollector exports the JWKS refresher's statistics:
//
//	<ns>_health_jwks_keys_age_seconds          seconds since the last successful fetch (since start until one succeeds)
//	<ns>_health_jwks_last_success_timestamp_seconds  Unix time of the last successful fetch, 0 before the first
//	<ns>_health_jwks_last_failure_timestamp_seconds{reason}  Unix time of the last failed fetch and its class
//	                                           (down, bad status, invalid JSON, too big, timeout); 0 and "" before the first
//	<ns>_health_jwks_consecutive_failures      failed fetches since the last successful one
type jwksCollector struct {
	keys                         *jwksKeys
	age, success, failure, fails *prometheus.Desc
}

// registerJWKSMetrics registers keys' statistics with reg under
// namespace.
func registerJWKSMetrics(reg prometheus.Registerer, namespace string, keys *jwksKeys) error {
	name := func(n string) string { return prometheus.BuildFQName(namespace, "health", n) }
	return reg.Register(&jwksCollector{
		keys: keys,
		age: prometheus.NewDesc(name("jwks_keys_age_seconds"),
			"Seconds since the JWKS was last fetched successfully (since start until it is).", nil, nil),
		success: prometheus.NewDesc(name("jwks_last_success_timestamp_seconds"),
			"Unix time of the last successful JWKS fetch, 0 before the first.", nil, nil),
		failure: prometheus.NewDesc(name("jwks_last_failure_timestamp_seconds"),
			"Unix time of the last failed JWKS fetch, 0 before the first; reason is its class: down, bad status, invalid JSON, too big or timeout.",
			[]string{"reason"}, nil),
		fails: prometheus.NewDesc(name("jwks_consecutive_failures"),
			"JWKS fetches failed in a row since the last successful one.", nil, nil),
	})
}

// Describe implements prometheus.Collector.
func (c *jwksCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.age
	ch <- c.success
	ch <- c.failure
	ch <- c.fails
}

// Collect implements prometheus.Collector.
func (c *jwksCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.keys.stats()
	now := c.keys.clock.Now()
	since := s.lastSuccess
	if since.IsZero() {
		since = s.started
	}
	age := 0.0
	if !since.IsZero() {
		age = now.Sub(since).Seconds()
	}
	ch <- prometheus.MustNewConstMetric(c.age, prometheus.GaugeValue, age)
	ch <- prometheus.MustNewConstMetric(c.success, prometheus.GaugeValue, jwksUnix(s.lastSuccess))
	ch <- prometheus.MustNewConstMetric(c.failure, prometheus.GaugeValue, jwksUnix(s.lastFailure), s.lastReason)
	ch <- prometheus.MustNewConstMetric(c.fails, prometheus.GaugeValue, float64(s.failures))
}

// jwksUnix is t as Unix seconds, 0 for the zero time.
func jwksUnix(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixNano()) / 1e9
}
