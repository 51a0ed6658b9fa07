package syscheck_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/checks/syscheck"
	"github.com/echofx/healthcheck/internal/testutil/checktest"
)

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCPULoad(t *testing.T) {
	cpus := float64(runtime.NumCPU())
	loadavg := func(perCPU float64) string {
		return writeTemp(t, "loadavg", fmt.Sprintf("%.2f 0.50 0.25 2/345 6789\n", perCPU*cpus))
	}
	tests := []struct {
		name    string
		cfg     syscheck.CPUConfig
		want    checks.Status
		wantMsg string
	}{
		{"idle", syscheck.CPUConfig{LoadavgPath: loadavg(0.2)}, checks.StatusHealthy, ""},
		{"high", syscheck.CPUConfig{LoadavgPath: loadavg(2)}, checks.StatusDegraded, "high cpu load (2.00 per CPU)"},
		{"overloaded", syscheck.CPUConfig{LoadavgPath: loadavg(5)}, checks.StatusUnhealthy, "cpu overloaded (5.00 per CPU)"},
		{"custom thresholds", syscheck.CPUConfig{LoadavgPath: loadavg(0.6), WarnLoad: 0.5, MaxLoad: 0.7}, checks.StatusDegraded, "high cpu load"},
		{"disabled", syscheck.CPUConfig{LoadavgPath: loadavg(10), WarnLoad: -1, MaxLoad: -1}, checks.StatusHealthy, ""},
		{"missing file", syscheck.CPUConfig{LoadavgPath: filepath.Join(t.TempDir(), "none")}, checks.StatusUnhealthy, "cpu load unavailable"},
		{"garbage", syscheck.CPUConfig{LoadavgPath: writeTemp(t, "loadavg", "n/a\n")}, checks.StatusUnhealthy, "cpu load unavailable"},
		{"empty", syscheck.CPUConfig{LoadavgPath: writeTemp(t, "loadavg", "")}, checks.StatusUnhealthy, "cpu load unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := checktest.Must(syscheck.CPU(tt.cfg))
			if c.Name != "cpu" || c.Criticality != checks.Optional || c.Level != checks.LevelComprehensive {
				t.Errorf("check = %q, %v, %v; want cpu, optional, comprehensive", c.Name, c.Criticality, c.Level)
			}
			res := checktest.Run(t, c)
			checktest.AssertResult(t, res, tt.want, tt.wantMsg)
			if res.Message == "cpu load unavailable" {
				return
			}
			if res.Details["cpus"] != runtime.NumCPU() {
				t.Errorf("details = %v, want cpus %d", res.Details, runtime.NumCPU())
			}
			if _, ok := res.Details["load_per_cpu"].(float64); !ok {
				t.Errorf("details = %v, want load_per_cpu", res.Details)
			}
		})
	}
}

func TestCPUPressure(t *testing.T) {
	psi := func(avg10 string) string {
		return writeTemp(t, "cpu.pressure",
			"some avg10="+avg10+" avg60=1.00 avg300=0.50 total=123456\nfull avg10=99.00 avg60=0.00 avg300=0.00 total=0\n")
	}
	tests := []struct {
		name    string
		cfg     syscheck.CPUConfig
		want    checks.Status
		wantMsg string
	}{
		{"calm", syscheck.CPUConfig{PressurePath: psi("1.25")}, checks.StatusHealthy, ""},
		{"high", syscheck.CPUConfig{PressurePath: psi("62.50")}, checks.StatusDegraded, "cpu pressure high (62.5%)"},
		{"critical", syscheck.CPUConfig{PressurePath: psi("95.00")}, checks.StatusUnhealthy, "cpu pressure critical (95.0%)"},
		{"custom", syscheck.CPUConfig{PressurePath: psi("20.00"), WarnPressure: 10, MaxPressure: 30}, checks.StatusDegraded, "cpu pressure high"},
		{"missing file", syscheck.CPUConfig{PressurePath: filepath.Join(t.TempDir(), "none")}, checks.StatusUnhealthy, "cpu pressure unavailable"},
		{"no some line", syscheck.CPUConfig{PressurePath: writeTemp(t, "p", "full avg10=1.00\n")}, checks.StatusUnhealthy, "cpu pressure unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.UsePressure = true
			// The load average must not matter.
			tt.cfg.LoadavgPath = writeTemp(t, "loadavg", "1000 1000 1000 1/1 1\n")
			res := checktest.Run(t, checktest.Must(syscheck.CPU(tt.cfg)))
			checktest.AssertResult(t, res, tt.want, tt.wantMsg)
			if tt.want == checks.StatusHealthy {
				if v, ok := res.Details["pressure_avg10"].(float64); !ok || v != 1.25 {
					t.Errorf("details = %v, want pressure_avg10 1.25", res.Details)
				}
			}
		})
	}
}
