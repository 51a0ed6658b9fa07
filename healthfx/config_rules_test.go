package healthfx_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/healthfx"
)

// TestRouteAndLimitRules: a setting that would shadow a route, mount the
// routes somewhere not meant, or pass a limit is refused by LoadConfig
// with a *ConfigError naming the variable and stating the rule.
func TestRouteAndLimitRules(t *testing.T) {
	tests := []struct {
		name     string
		env      []string
		variable string // "" when accepted
		rule     string // in Expected
	}{
		{"metrics on a per-check route", []string{"HEALTH_METRICS_PATH", "/healthcheck/detailed/database"}, "HEALTH_METRICS_PATH", "outside HEALTH_PATH_PREFIX"},
		{"metrics under ready", []string{"HEALTH_METRICS_PATH", "/healthcheck/ready/x"}, "HEALTH_METRICS_PATH", "outside HEALTH_PATH_PREFIX"},
		{"metrics on a future route", []string{"HEALTH_METRICS_PATH", "/healthcheck/group/db"}, "HEALTH_METRICS_PATH", "outside HEALTH_PATH_PREFIX"},
		{"metrics on the prefix", []string{"HEALTH_METRICS_PATH", "/healthcheck/"}, "HEALTH_METRICS_PATH", "outside HEALTH_PATH_PREFIX"},
		{"metrics at the root", []string{"HEALTH_METRICS_PATH", "/"}, "HEALTH_METRICS_PATH", "a path of its own"},
		{"metrics blank", []string{"HEALTH_METRICS_PATH", " "}, "HEALTH_METRICS_PATH", "blank"},
		{"prefix blank", []string{"HEALTH_PATH_PREFIX", " "}, "HEALTH_PATH_PREFIX", "blank"},
		{"root routes, metrics on detailed", []string{"HEALTH_PATH_PREFIX", "", "HEALTH_METRICS_PATH", "/detailed/db"}, "HEALTH_METRICS_PATH", "must not start with /detailed"},
		{"root routes, metrics on status", []string{"HEALTH_PATH_PREFIX", "/", "HEALTH_METRICS_PATH", "/status"}, "HEALTH_METRICS_PATH", "must not start with /status"},
		{"duration over 24h", []string{"HEALTH_CHECK_TIMEOUT", "25h"}, "HEALTH_CHECK_TIMEOUT", "must not exceed 24h"},
		{"seconds over 24h", []string{"HEALTH_DRAIN_DELAY", "90000"}, "HEALTH_DRAIN_DELAY", "must not exceed 24h"},
		{"history over the bound", []string{"HEALTH_HISTORY_SIZE", "10001"}, "HEALTH_HISTORY_SIZE", "1 to 10000"},

		{"metrics beside the prefix", []string{"HEALTH_METRICS_PATH", "/metrics"}, "", ""},
		{"metrics sharing a name start", []string{"HEALTH_METRICS_PATH", "/healthcheckmetrics"}, "", ""},
		{"root routes, metrics", []string{"HEALTH_PATH_PREFIX", "", "HEALTH_METRICS_PATH", "/metrics"}, "", ""},
		{"prefix trimmed", []string{"HEALTH_PATH_PREFIX", " /ops/health "}, "", ""},
		{"24h", []string{"HEALTH_CHECK_TIMEOUT", "24h", "HEALTH_CHECK_INTERVAL", "24h"}, "", ""},
		{"history at the bound", []string{"HEALTH_HISTORY_SIZE", "10000"}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := healthfx.LoadConfig(env(tt.env...))
			if tt.variable == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var ce *checks.ConfigError
			if !errors.As(err, &ce) || ce.Setting != tt.variable || !strings.Contains(ce.Reason, tt.rule) {
				t.Fatalf("err = %v, want a *ConfigError naming %s and saying %q", err, tt.variable, tt.rule)
			}
		})
	}
}
