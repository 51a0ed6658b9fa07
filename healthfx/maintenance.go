package healthfx

import (
	"context"
	"time"

	"github.com/echofx/healthcheck/alerting"
	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/lifecycle"
	"github.com/echofx/healthcheck/promhealth"
)

// maintenanceSilenceWait bounds the Alertmanager requests of one change of
// the maintenance window.
const maintenanceSilenceWait = 5 * time.Second

// wireMaintenance makes the metric (promhealth's <ns>_health_maintenance)
// and the alerts (alerting.Dispatcher.Maintenance: held, and a silence
// for this instance in each Alertmanager) follow the lifecycle's
// maintenance window. The route is httphealth's, on with the detailed
// route. metrics and alerts may be nil.
func wireMaintenance(lc *lifecycle.Lifecycle, metrics *promhealth.Metrics, alerts *alerting.Dispatcher) {
	if metrics == nil && alerts == nil {
		return
	}
	lc.AddHooks(lifecycle.Hooks{OnMaintenance: func(m checks.Maintenance) {
		if metrics != nil {
			metrics.ObserveMaintenance(m)
		}
		if alerts != nil {
			ctx, cancel := context.WithTimeout(context.Background(), maintenanceSilenceWait)
			defer cancel()
			_ = alerts.Maintenance(ctx, m) // logged by the dispatcher
		}
	}})
}
