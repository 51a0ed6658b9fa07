package syscheck_test

import (
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/checks/syscheck"
	"github.com/echofx/healthcheck/internal/testutil/checktest"
)

func TestMemoryExplicitLimit(t *testing.T) {
	const huge = 1 << 50
	tests := []struct {
		name    string
		cfg     syscheck.MemoryConfig
		want    checks.Status
		wantMsg string
	}{
		{"far below", syscheck.MemoryConfig{Limit: huge}, checks.StatusHealthy, ""},
		{"above warn", syscheck.MemoryConfig{Limit: huge, WarnRatio: 1e-12}, checks.StatusDegraded, "memory usage high ("},
		{"above max", syscheck.MemoryConfig{Limit: huge, WarnRatio: 1e-12, MaxRatio: 2e-12}, checks.StatusUnhealthy, "memory usage critical ("},
		{"tiny limit", syscheck.MemoryConfig{Limit: 1 << 10}, checks.StatusUnhealthy, "memory usage critical ("},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := checktest.Must(syscheck.Memory(tt.cfg))
			if c.Name != "memory" || c.Criticality != checks.Optional || c.Level != checks.LevelComprehensive {
				t.Errorf("check = %q, %v, %v; want memory, optional, comprehensive", c.Name, c.Criticality, c.Level)
			}
			res := checktest.Run(t, c)
			checktest.AssertResult(t, res, tt.want, tt.wantMsg)
			used, _ := res.Details["used_bytes"].(uint64)
			if used < 1<<20 {
				t.Errorf("details = %v, want used_bytes of at least 1 MiB", res.Details)
			}
			if res.Details["limit_bytes"] != uint64(tt.cfg.Limit) || res.Details["limit_source"] != "config" {
				t.Errorf("details = %v, want limit_bytes %d from config", res.Details, tt.cfg.Limit)
			}
			if r, _ := res.Details["ratio"].(float64); r != float64(used)/float64(tt.cfg.Limit) {
				t.Errorf("ratio = %v, want used/limit", res.Details["ratio"])
			}
		})
	}
}

func TestMemoryGoLimit(t *testing.T) {
	const limit = 1 << 45 // far above anything a test uses: no effect on the GC
	prev := debug.SetMemoryLimit(limit)
	defer debug.SetMemoryLimit(prev)
	res := checktest.Run(t, checktest.Must(syscheck.Memory(syscheck.MemoryConfig{CgroupDir: t.TempDir()})))
	checktest.AssertResult(t, res, checks.StatusHealthy, "")
	if res.Details["limit_bytes"] != uint64(limit) || res.Details["limit_source"] != "GOMEMLIMIT" {
		t.Errorf("details = %v, want limit_bytes %d from GOMEMLIMIT", res.Details, limit)
	}
}

func TestMemoryCgroupLimit(t *testing.T) {
	if l := debug.SetMemoryLimit(-1); l != math.MaxInt64 {
		t.Skipf("a Go memory limit (%d) is set; it takes precedence over cgroups", l)
	}
	write := func(t *testing.T, dir, name, content string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		files map[string]string
		limit uint64 // 0: none
	}{
		{"v2", map[string]string{"memory.max": "1073741824\n"}, 1 << 30},
		{"v2 max", map[string]string{"memory.max": "max\n"}, 0},
		{"v1", map[string]string{"memory/memory.limit_in_bytes": "2147483648\n"}, 2 << 30},
		{"v1 unlimited", map[string]string{"memory/memory.limit_in_bytes": "9223372036854771712\n"}, 0},
		{"v2 unlimited, v1 set", map[string]string{"memory.max": "max\n", "memory/memory.limit_in_bytes": "2147483648\n"}, 2 << 30},
		{"garbage", map[string]string{"memory.max": "lots\n"}, 0},
		{"none", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tt.files {
				write(t, dir, name, content)
			}
			res := checktest.Run(t, checktest.Must(syscheck.Memory(syscheck.MemoryConfig{CgroupDir: dir})))
			if tt.limit == 0 {
				checktest.AssertResult(t, res, checks.StatusHealthy, "")
				if _, ok := res.Details["limit_bytes"]; ok {
					t.Errorf("details = %v, want no limit", res.Details)
				}
				if _, ok := res.Details["used_bytes"].(uint64); !ok {
					t.Errorf("details = %v, want used_bytes", res.Details)
				}
				return
			}
			if res.Details["limit_bytes"] != tt.limit || res.Details["limit_source"] != "cgroup" {
				t.Errorf("details = %v, want limit_bytes %d from cgroup", res.Details, tt.limit)
			}
		})
	}
}
