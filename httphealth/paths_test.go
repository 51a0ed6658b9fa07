package httphealth_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/httphealth"
)

// TestMetricsPathOutsideThePrefix: New refuses a metrics path inside the
// health prefix (where it would shadow a route, a per-check detailed route
// say, or be shadowed), and with routes at the root one on a route's
// segment, naming WithMetrics and the rule.
func TestMetricsPathOutsideThePrefix(t *testing.T) {
	runner := checks.NewRunner()
	defer runner.Close()
	tests := []struct {
		prefix, path string
		rule         string // "" when accepted
	}{
		{"/healthcheck", "/healthcheck/detailed/database", "outside the health prefix"},
		{"/healthcheck", "/healthcheck/ready/x", "outside the health prefix"},
		{"/healthcheck", "/healthcheck/group", "outside the health prefix"},
		{"/healthcheck/", "/healthcheck/x/", "outside the health prefix"},
		{"/healthcheck", "/", "a path of its own"},
		{"", "/live/x", "must not start with /live"},
		{"", "/group/db", "must not start with /group"},
		{"/healthcheck", "/metrics", ""},
		{"/healthcheck", "/healthcheck-metrics", ""},
		{"", "/metrics", ""},
		{"/ops/health", "/healthcheck/x", ""},
	}
	for _, tt := range tests {
		_, err := httphealth.New(runner, httphealth.WithPrefix(tt.prefix), httphealth.WithDetailed(httphealth.AuthenticatorFunc(func(*http.Request) error { return nil })),
			httphealth.WithMetrics(tt.path, http.NotFoundHandler()))
		if tt.rule == "" {
			if err != nil {
				t.Errorf("prefix %q, metrics %q: %v", tt.prefix, tt.path, err)
			}
			continue
		}
		var ce *checks.ConfigError
		if !errors.As(err, &ce) || !errors.Is(err, checks.ErrInvalidConfig) || ce.Setting != "WithMetrics" || !strings.Contains(ce.Reason, tt.rule) {
			t.Errorf("prefix %q, metrics %q: err = %v, want WithMetrics %q", tt.prefix, tt.path, err, tt.rule)
		}
	}
}
