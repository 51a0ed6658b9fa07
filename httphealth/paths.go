package httphealth

import (
	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/internal/httpx"
)

// checkMetricsPath applies the rule of httpx.MetricsPathRule (the metrics
// route lies outside the prefix and, at the root, off every health route's
// segment): nil or a *checks.ConfigError for "WithMetrics" whose Reason
// states the rule. healthfx checks the same rule when it loads its
// configuration.
func checkMetricsPath(prefix, path string) error {
	if rule := httpx.MetricsPathRule(prefix, path); rule != "" {
		return configErr("WithMetrics", checks.ErrInvalidConfig, rule)
	}
	return nil
}
