package syscheck

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/checks/internal/report"
)

// Defaults of the CPU check.
const (
	// defaultCPUWarnLoad is CPUConfig.WarnLoad's default.
	defaultCPUWarnLoad = 1.5
	// defaultCPUMaxLoad is CPUConfig.MaxLoad's default.
	defaultCPUMaxLoad = 4
	// defaultCPUWarnPressure is CPUConfig.WarnPressure's default.
	defaultCPUWarnPressure = 50
	// defaultCPUMaxPressure is CPUConfig.MaxPressure's default.
	defaultCPUMaxPressure = 90
	// defaultLoadavgPath is CPUConfig.LoadavgPath's default.
	defaultLoadavgPath = "/proc/loadavg"
	// defaultCPUPressurePath is CPUConfig.PressurePath's default.
	defaultCPUPressurePath = "/sys/fs/cgroup/cpu.pressure"
	// cpuPressureFallback is read when defaultCPUPressurePath is absent
	// (cgroup v1, or the root cgroup of older kernels).
	cpuPressureFallback = "/proc/pressure/cpu"
)

// CPUConfig configures CPU. Zero fields take the documented defaults.
type CPUConfig struct {
	// Name of the check. Default "cpu".
	Name string
	// WarnLoad: a 1-minute load average per CPU above this makes the
	// check degraded. Default 1.5; negative (checks.Off) disables.
	WarnLoad float64
	// MaxLoad: a 1-minute load average per CPU above this makes the check
	// unhealthy. Default 4; negative (checks.Off) disables.
	MaxLoad float64
	// UsePressure judges CPU pressure (PSI, the "some avg10" share of
	// time in which some task waited for a CPU, in percent) instead of
	// the load average. It reflects the process's cgroup, unlike the
	// host-wide load average, so it suits containers.
	UsePressure bool
	// WarnPressure: with UsePressure, some avg10 above this (percent)
	// makes the check degraded. Default 50;
	// negative (checks.Off) disables.
	WarnPressure float64
	// MaxPressure: with UsePressure, some avg10 above this (percent)
	// makes the check unhealthy. Default 90;
	// negative (checks.Off) disables.
	MaxPressure float64
	// LoadavgPath is the file holding the load averages. Default
	// /proc/loadavg.
	LoadavgPath string
	// PressurePath is the PSI file read with UsePressure. Default
	// /sys/fs/cgroup/cpu.pressure, falling back to /proc/pressure/cpu when
	// that is absent.
	PressurePath string
}

// CPU returns an Optional, LevelComprehensive check (named cfg.Name,
// default "cpu") of CPU saturation.
//
// By default it reads the 1-minute load average and divides it by
// runtime.NumCPU(): unhealthy above cfg.MaxLoad ("cpu overloaded (4.20 per
// CPU)"), degraded above cfg.WarnLoad ("high cpu load (1.80 per CPU)"),
// healthy otherwise; details "load1", "cpus", "load_per_cpu". Where the
// file is missing or unreadable (not Linux) it is unhealthy with "cpu load
// unavailable".
//
// With cfg.UsePressure it reads the PSI "some avg10" instead: unhealthy
// above cfg.MaxPressure ("cpu pressure critical (95.0%)"), degraded above
// cfg.WarnPressure ("cpu pressure high (62.5%)"); detail "pressure_avg10";
// "cpu pressure unavailable" when it cannot be read.
func CPU(cfg CPUConfig) (checks.Check, error) {
	name := cfg.Name
	if name == "" {
		name = "cpu"
	}
	def := func(v, d float64) float64 {
		if v == 0 {
			return d
		}
		return v
	}
	warnLoad := def(cfg.WarnLoad, defaultCPUWarnLoad)
	maxLoad := def(cfg.MaxLoad, defaultCPUMaxLoad)
	warnPressure := def(cfg.WarnPressure, defaultCPUWarnPressure)
	maxPressure := def(cfg.MaxPressure, defaultCPUMaxPressure)
	loadPath := cfg.LoadavgPath
	if loadPath == "" {
		loadPath = defaultLoadavgPath
	}
	pressurePath, pressureFallback := cfg.PressurePath, ""
	if pressurePath == "" {
		pressurePath, pressureFallback = defaultCPUPressurePath, cpuPressureFallback
	}

	judge := func(v, warn, maxV float64, details map[string]any, high, critical string) checks.Report {
		switch {
		case maxV > 0 && v > maxV:
			return checks.Report{Status: checks.StatusUnhealthy, Message: critical, Details: details}
		case warn > 0 && v > warn:
			return checks.Report{Status: checks.StatusDegraded, Message: high, Details: details}
		}
		return checks.Report{Status: checks.StatusHealthy, Details: details}
	}

	fn := func(context.Context) checks.Report {
		if cfg.UsePressure {
			avg10, err := readCPUPressure(pressurePath)
			if errors.Is(err, fs.ErrNotExist) && pressureFallback != "" {
				avg10, err = readCPUPressure(pressureFallback)
			}
			if err != nil {
				return report.Fail("cpu pressure unavailable", err, nil)
			}
			return judge(avg10, warnPressure, maxPressure, map[string]any{"pressure_avg10": avg10},
				fmt.Sprintf("cpu pressure high (%.1f%%)", avg10),
				fmt.Sprintf("cpu pressure critical (%.1f%%)", avg10))
		}
		load1, err := readLoad1(loadPath)
		if err != nil {
			return report.Fail("cpu load unavailable", err, nil)
		}
		cpus := runtime.NumCPU()
		perCPU := load1 / float64(cpus)
		details := map[string]any{"load1": load1, "cpus": cpus, "load_per_cpu": perCPU}
		return judge(perCPU, warnLoad, maxLoad, details,
			fmt.Sprintf("high cpu load (%.2f per CPU)", perCPU),
			fmt.Sprintf("cpu overloaded (%.2f per CPU)", perCPU))
	}
	return checks.Check{Name: name, Func: fn, Criticality: checks.Optional, Level: checks.LevelComprehensive}, nil
}

// readLoad1 parses the first field of a /proc/loadavg file
// ("0.42 0.30 0.25 1/123 4567").
func readLoad1(path string) (float64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	fields := strings.Fields(string(b))
	if len(fields) == 0 {
		return 0, errors.New("empty load average")
	}
	v, err := strconv.ParseFloat(fields[0], 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("bad load average %q", fields[0])
	}
	return v, nil
}

// readCPUPressure parses "some avg10=1.23 avg60=... total=..." from a PSI
// file.
func readCPUPressure(path string) (float64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		fields := strings.Fields(line)
		if len(fields) == 0 || fields[0] != "some" {
			continue
		}
		for _, f := range fields[1:] {
			if v, ok := strings.CutPrefix(f, "avg10="); ok {
				p, err := strconv.ParseFloat(v, 64)
				if err != nil || p < 0 {
					return 0, fmt.Errorf("bad pressure %q", v)
				}
				return p, nil
			}
		}
	}
	return 0, errors.New("no \"some avg10\" in pressure file")
}
