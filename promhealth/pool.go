package promhealth

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// PoolStats is a connection pool's statistics at one instant, as
// pgxpool.Stat (or sql.DBStats) gives them; healthfx fills it from a
// *pgxpool.Pool.
type PoolStats struct {
	// Acquired, Idle, Total and Max are connection counts: in use, idle,
	// both, and the pool's bound.
	Acquired, Idle, Total, Max int64
	// Acquires, EmptyAcquires and CanceledAcquires count acquires since
	// the pool opened: all that succeeded, those that waited for an empty
	// pool, those canceled by their context.
	Acquires, EmptyAcquires, CanceledAcquires int64
	// AcquireDuration is the total time spent acquiring.
	AcquireDuration time.Duration
}

// poolCollector exports the PoolStats that stats returns at scrape time.
type poolCollector struct {
	stats                                atomic.Pointer[func() PoolStats]
	acquired, idle, total, maxc          *prometheus.Desc
	acquires, empty, canceled, acquireNs *prometheus.Desc
}

// RegisterPool registers on reg a collector of a pool's statistics, read
// from stats at scrape time (no query, no connection), prefixed by
// namespace:
//
//	<ns>_db_pool_acquired_conns, _idle_conns, _total_conns, _max_conns   gauges
//	<ns>_db_pool_acquires_total, _empty_acquires_total,
//	_canceled_acquires_total                                             counters
//	<ns>_db_pool_acquire_duration_seconds_total                          counter
//
// When one is already registered on reg (an fx app built twice), it reads
// stats from then on.
func RegisterPool(reg prometheus.Registerer, namespace string, stats func() PoolStats) error {
	if reg == nil || stats == nil {
		return errors.New("promhealth: RegisterPool: nil Registerer or stats")
	}
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(namespace, "db_pool", name), help, nil, nil)
	}
	c := &poolCollector{
		acquired:  d("acquired_conns", "Connections currently acquired from the pool."),
		idle:      d("idle_conns", "Idle connections in the pool."),
		total:     d("total_conns", "Connections in the pool."),
		maxc:      d("max_conns", "Maximum size of the pool."),
		acquires:  d("acquires_total", "Successful acquires from the pool."),
		empty:     d("empty_acquires_total", "Acquires that waited because the pool was empty."),
		canceled:  d("canceled_acquires_total", "Acquires canceled by their context."),
		acquireNs: d("acquire_duration_seconds_total", "Total time spent acquiring connections."),
	}
	c.stats.Store(&stats)
	err := reg.Register(c)
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(*poolCollector); ok {
			existing.stats.Store(&stats)
			return nil
		}
	}
	if err != nil {
		return fmt.Errorf("promhealth: register pool metrics: %w", err)
	}
	return nil
}

// Describe implements prometheus.Collector.
func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.acquired, c.idle, c.total, c.maxc, c.acquires, c.empty, c.canceled, c.acquireNs} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := (*c.stats.Load())()
	g := func(d *prometheus.Desc, v float64) { ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v) }
	k := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
	}
	g(c.acquired, float64(s.Acquired))
	g(c.idle, float64(s.Idle))
	g(c.total, float64(s.Total))
	g(c.maxc, float64(s.Max))
	k(c.acquires, float64(s.Acquires))
	k(c.empty, float64(s.EmptyAcquires))
	k(c.canceled, float64(s.CanceledAcquires))
	k(c.acquireNs, s.AcquireDuration.Seconds())
}
