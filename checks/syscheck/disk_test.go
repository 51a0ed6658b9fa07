package syscheck_test

import (
	"path/filepath"
	"runtime"
	"testing"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/checks/syscheck"
	"github.com/echofx/healthcheck/internal/testutil/checktest"
)

func TestDisk(t *testing.T) {
	switch runtime.GOOS {
	case "linux", "darwin", "freebsd", "dragonfly":
	default:
		res := checktest.Run(t, checktest.Must(syscheck.Disk(t.TempDir(), syscheck.DiskConfig{})))
		checktest.AssertResult(t, res, checks.StatusUnhealthy, "disk check not supported on this platform")
		return
	}
	dir := t.TempDir()
	tests := []struct {
		name    string
		path    string
		cfg     syscheck.DiskConfig
		want    checks.Status
		wantMsg string
	}{
		{"thresholds disabled", dir, syscheck.DiskConfig{MinFreeRatio: -1, WarnFreeRatio: -1}, checks.StatusHealthy, ""},
		// A free share is at most 1, so a threshold above it always trips.
		{"below min", dir, syscheck.DiskConfig{MinFreeRatio: 1.01}, checks.StatusUnhealthy, "disk space critical ("},
		{"below warn", dir, syscheck.DiskConfig{MinFreeRatio: -1, WarnFreeRatio: 1.01}, checks.StatusDegraded, "disk space low ("},
		{"above both", dir, syscheck.DiskConfig{MinFreeRatio: 1e-12, WarnFreeRatio: 2e-12}, checks.StatusHealthy, ""},
		{"missing path", filepath.Join(dir, "missing"), syscheck.DiskConfig{}, checks.StatusUnhealthy, "path not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := checktest.Must(syscheck.Disk(tt.path, tt.cfg))
			if c.Name != "disk" || c.Criticality != checks.Optional || c.Level != checks.LevelComprehensive {
				t.Errorf("check = %q, %v, %v; want disk, optional, comprehensive", c.Name, c.Criticality, c.Level)
			}
			res := checktest.Run(t, c)
			checktest.AssertResult(t, res, tt.want, tt.wantMsg)
			if res.Details["path"] != tt.path {
				t.Errorf("details = %v, want path %q", res.Details, tt.path)
			}
			if tt.wantMsg == "path not found" {
				return
			}
			free, ok1 := res.Details["free_bytes"].(uint64)
			total, ok2 := res.Details["total_bytes"].(uint64)
			ratio, ok3 := res.Details["free_ratio"].(float64)
			if !ok1 || !ok2 || !ok3 || total == 0 || free > total || ratio < 0 || ratio > 1 {
				t.Errorf("details = %v, want free_bytes <= total_bytes and free_ratio in [0, 1]", res.Details)
			}
		})
	}
}

func TestDiskDefaults(t *testing.T) {
	c := checktest.Must(syscheck.Disk("", syscheck.DiskConfig{Name: "root-disk"}))
	if c.Name != "root-disk" {
		t.Errorf("name = %q", c.Name)
	}
	res := checktest.Run(t, c)
	if res.Details["path"] != "/" {
		t.Errorf("details = %v, want path /", res.Details)
	}
	ratio, _ := res.Details["free_ratio"].(float64)
	want := checks.StatusHealthy
	switch {
	case ratio < 0.05:
		want = checks.StatusUnhealthy
	case ratio < 0.10:
		want = checks.StatusDegraded
	}
	if res.Status != want {
		t.Errorf("status = %v with free_ratio %v, want %v", res.Status, ratio, want)
	}
}
