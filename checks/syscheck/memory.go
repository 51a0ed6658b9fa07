package syscheck

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/checks/internal/report"
)

// Defaults of the memory check.
const (
	// defaultMemoryWarnRatio is MemoryConfig.WarnRatio's default.
	defaultMemoryWarnRatio = 0.8
	// defaultMemoryMaxRatio is MemoryConfig.MaxRatio's default.
	defaultMemoryMaxRatio = 0.95
	// defaultCgroupDir is where the cgroup file system is mounted.
	defaultCgroupDir = "/sys/fs/cgroup"
)

// MemoryConfig configures Memory. Zero fields take the documented defaults.
type MemoryConfig struct {
	// Name of the check. Default "memory".
	Name string
	// Limit is the memory, in bytes, the process may use. Zero or
	// negative means the default: the Go memory limit (GOMEMLIMIT or
	// debug.SetMemoryLimit) when one is set, else the cgroup's memory
	// limit (v2 memory.max or v1 memory.limit_in_bytes, of the process's
	// own cgroup or else of the mount's root), else none.
	Limit int64
	// WarnRatio: used/limit at or above this makes the check degraded.
	// Default 0.8; negative (checks.Off) disables.
	WarnRatio float64
	// MaxRatio: used/limit at or above this makes the check unhealthy.
	// Default 0.95; negative (checks.Off) disables.
	MaxRatio float64
	// CgroupDir is where the cgroup file system is mounted. Default
	// /sys/fs/cgroup; tests point it at a directory of their own.
	CgroupDir string
}

// Memory returns an Optional, LevelComprehensive check (named cfg.Name,
// default "memory") of the memory the Go runtime holds from the OS, read
// from runtime/metrics (no stop-the-world, unlike runtime.ReadMemStats):
// /memory/classes/total:bytes less /memory/classes/heap/released:bytes.
//
// The limit is looked up on every run (see MemoryConfig.Limit). Without a
// limit the check is healthy and only reports "used_bytes". With one it is
// unhealthy at or above cfg.MaxRatio ("memory usage critical (96% of
// limit)"), degraded at or above cfg.WarnRatio ("memory usage high (85% of
// limit)"), healthy otherwise. Details: "used_bytes", "limit_bytes",
// "ratio" and "limit_source" ("config", "GOMEMLIMIT" or "cgroup").
//
// The runtime's figure excludes memory outside the Go heap and stacks
// (cgo allocations, the page cache a cgroup also counts), so it
// underestimates what a cgroup's OOM killer sees.
func Memory(cfg MemoryConfig) (checks.Check, error) {
	name := cfg.Name
	if name == "" {
		name = "memory"
	}
	warn := cfg.WarnRatio
	if warn == 0 {
		warn = defaultMemoryWarnRatio
	}
	maxRatio := cfg.MaxRatio
	if maxRatio == 0 {
		maxRatio = defaultMemoryMaxRatio
	}
	cgroupDir := cfg.CgroupDir
	if cgroupDir == "" {
		cgroupDir = defaultCgroupDir
	}
	fn := func(context.Context) checks.Report {
		used, err := runtimeMemoryInUse()
		if err != nil {
			return report.Fail("memory metrics unavailable", err, nil)
		}
		details := map[string]any{"used_bytes": used}
		limit, source := cfg.Limit, "config"
		if limit <= 0 {
			limit, source = memoryLimit(cgroupDir)
		}
		if limit <= 0 {
			return checks.Report{Status: checks.StatusHealthy, Details: details}
		}
		ratio := float64(used) / float64(limit)
		details["limit_bytes"] = uint64(limit)
		details["ratio"] = ratio
		details["limit_source"] = source
		switch {
		case maxRatio > 0 && ratio >= maxRatio:
			return checks.Report{Status: checks.StatusUnhealthy, Message: fmt.Sprintf("memory usage critical (%.0f%% of limit)", ratio*100), Details: details}
		case warn > 0 && ratio >= warn:
			return checks.Report{Status: checks.StatusDegraded, Message: fmt.Sprintf("memory usage high (%.0f%% of limit)", ratio*100), Details: details}
		}
		return checks.Report{Status: checks.StatusHealthy, Details: details}
	}
	return checks.Check{Name: name, Func: fn, Criticality: checks.Optional, Level: checks.LevelComprehensive}, nil
}

// runtimeMemoryInUse is the memory mapped by the Go runtime less the heap
// memory it returned to the OS.
func runtimeMemoryInUse() (uint64, error) {
	samples := []metrics.Sample{
		{Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/released:bytes"},
	}
	metrics.Read(samples)
	for _, s := range samples {
		if s.Value.Kind() != metrics.KindUint64 {
			return 0, fmt.Errorf("runtime metric %s unsupported", s.Name)
		}
	}
	total, released := samples[0].Value.Uint64(), samples[1].Value.Uint64()
	if released > total {
		return 0, nil
	}
	return total - released, nil
}

// memoryLimit returns the Go memory limit if set, else the cgroup limit
// under dir, else 0.
func memoryLimit(dir string) (int64, string) {
	if l := debug.SetMemoryLimit(-1); l > 0 && l != math.MaxInt64 {
		return l, "GOMEMLIMIT"
	}
	if l := cgroupMemoryLimit(dir); l > 0 {
		return l, "cgroup"
	}
	return 0, ""
}

// cgroupMemoryLimit returns the first limit found among: the v2
// memory.max of the process's own cgroup, then of dir itself (the root of
// a container's cgroup namespace), then the v1 memory.limit_in_bytes of the
// process's memory cgroup, then of dir/memory. "max", an unlimited v1 value
// (a huge page-rounded number) or no file at all give 0.
func cgroupMemoryLimit(dir string) int64 {
	v2, v1 := ownCgroupPaths()
	var candidates []string
	if v2 != "" && v2 != "/" {
		candidates = append(candidates, filepath.Join(dir, v2, "memory.max"))
	}
	candidates = append(candidates, filepath.Join(dir, "memory.max"))
	if v1 != "" && v1 != "/" {
		candidates = append(candidates, filepath.Join(dir, "memory", v1, "memory.limit_in_bytes"))
	}
	candidates = append(candidates, filepath.Join(dir, "memory", "memory.limit_in_bytes"))
	for _, p := range candidates {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		s := string(bytes.TrimSpace(b))
		if s == "max" {
			continue
		}
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil || v <= 0 || v >= 1<<62 {
			continue
		}
		return v
	}
	return 0
}

// ownCgroupPaths returns the process's cgroup v2 path ("0::/path" in
// /proc/self/cgroup) and its v1 memory cgroup path ("4:memory:/path");
// "" for each one not found.
func ownCgroupPaths() (v2, v1 string) {
	f, err := os.Open("/proc/self/cgroup")
	if err != nil {
		return "", ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), ":", 3)
		if len(parts) != 3 || strings.Contains(parts[2], "..") {
			continue
		}
		switch {
		case parts[0] == "0" && parts[1] == "":
			v2 = parts[2]
		case slices.Contains(strings.Split(parts[1], ","), "memory"):
			v1 = parts[2]
		}
	}
	return v2, v1
}
