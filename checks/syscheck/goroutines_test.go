package syscheck_test

import (
	"runtime"
	"testing"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/checks/syscheck"
	"github.com/echofx/healthcheck/internal/testutil/checktest"
)

func TestGoroutines(t *testing.T) {
	tests := []struct {
		name    string
		cfg     syscheck.GoroutinesConfig
		want    checks.Status
		wantMsg string
	}{
		{"defaults", syscheck.GoroutinesConfig{}, checks.StatusHealthy, ""},
		{"above warn", syscheck.GoroutinesConfig{Warn: 1}, checks.StatusDegraded, "many goroutines ("},
		{"above max", syscheck.GoroutinesConfig{Warn: 1, Max: 2}, checks.StatusUnhealthy, "too many goroutines ("},
		{"disabled", syscheck.GoroutinesConfig{Warn: -1, Max: -1}, checks.StatusHealthy, ""},
		{"high thresholds", syscheck.GoroutinesConfig{Warn: 1 << 30, Max: 1 << 31}, checks.StatusHealthy, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := checktest.Must(syscheck.Goroutines(tt.cfg))
			if c.Name != "goroutines" || c.Criticality != checks.Optional || c.Level != checks.LevelComprehensive {
				t.Errorf("check = %q, %v, %v; want goroutines, optional, comprehensive", c.Name, c.Criticality, c.Level)
			}
			res := checktest.Run(t, c)
			checktest.AssertResult(t, res, tt.want, tt.wantMsg)
			if n, ok := res.Details["count"].(int); !ok || n < 2 || n > runtime.NumGoroutine()+100 {
				t.Errorf("details = %v, want a plausible count", res.Details)
			}
		})
	}
}
