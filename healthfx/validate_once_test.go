package healthfx_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/fx"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/healthfx"
)

// LoadConfig and New (through Module) accept and refuse the same
// configurations, naming the same setting: they share one validation,
// which builds the consumers' options.
func TestLoadConfigAndNewAgree(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.pem")
	tests := []struct {
		name    string
		env     []string
		setting string // "" when accepted
	}{
		{"defaults", nil, ""},
		{"detailed with a secret", []string{"HEALTH_CHECK_DETAILED", "true", "HEALTH_JWT_SECRET", secret}, ""},
		{"metrics path", []string{"HEALTH_METRICS_PATH", "/metrics"}, ""},
		{"degraded 207", []string{"HEALTH_DEGRADED_STATUS", "207"}, ""},
		{"failure status", []string{"HEALTH_FAILURE_STATUS", "418"}, "HEALTH_FAILURE_STATUS"},
		{"degraded without a body", []string{"HEALTH_DEGRADED_STATUS", "204"}, "HEALTH_DEGRADED_STATUS"},
		{"metrics on a health route", []string{"HEALTH_METRICS_PATH", "/healthcheck/ready"}, "HEALTH_METRICS_PATH"},
		{"unknown algorithm", []string{"HEALTH_JWT_ALGORITHMS", "none"}, "HEALTH_JWT_ALGORITHMS"},
		{"detailed without a key", []string{"HEALTH_CHECK_DETAILED", "true"}, "HEALTH_JWT_SECRET"},
		{"unreadable key file", []string{"HEALTH_CHECK_DETAILED", "true", "HEALTH_JWT_PUBLIC_KEY_FILE", missing}, "HEALTH_JWT_PUBLIC_KEY_FILE"},
		{"secret too short for HS512", []string{"HEALTH_CHECK_DETAILED", "true", "HEALTH_JWT_SECRET", secret, "HEALTH_JWT_ALGORITHMS", "HS512"}, "HEALTH_JWT_SECRET"},
	}
	setting := func(err error) string {
		var ce *checks.ConfigError
		if errors.As(err, &ce) {
			return ce.Setting
		}
		if err != nil {
			return "not a ConfigError: " + err.Error()
		}
		return ""
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			quietEnv(t)
			for i := 0; i+1 < len(tt.env); i += 2 {
				t.Setenv(tt.env[i], tt.env[i+1])
			}
			_, loadErr := healthfx.LoadConfig(os.LookupEnv)
			app := fx.New(fx.NopLogger, fx.Provide(echo.New),
				fx.Supply(fx.Annotate(prometheus.NewRegistry(), fx.As(new(prometheus.Registerer)))), healthfx.Module)
			newErr := app.Err()
			if got := setting(loadErr); got != tt.setting {
				t.Errorf("LoadConfig: %v, want setting %q", loadErr, tt.setting)
			}
			if got := setting(newErr); got != tt.setting {
				t.Errorf("New: %v, want setting %q", newErr, tt.setting)
			}
		})
	}
}
