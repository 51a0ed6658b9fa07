package promhealth

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/echofx/healthcheck/checks"
)

// newMaintenanceGauge is <ns>_health_maintenance, registered (or reused)
// on reg at 0.
func newMaintenanceGauge(reg prometheus.Registerer, namespace string) (*prometheus.GaugeVec, error) {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: namespace, Name: "health_maintenance",
		Help: "1 while this replica is in a maintenance window (out of rotation on purpose), else 0."}, nil)
	if err := registerOrReuse(reg, &g); err != nil {
		return nil, err
	}
	g.WithLabelValues().Set(0)
	return g, nil
}

// ObserveMaintenance sets <ns>_health_maintenance to 1 while w is active,
// else 0 (lifecycle.Hooks.OnMaintenance; healthfx wires it).
func (m *Metrics) ObserveMaintenance(w checks.Maintenance) {
	v := 0.0
	if w.Active {
		v = 1
	}
	m.maintenance.WithLabelValues().Set(v)
}
