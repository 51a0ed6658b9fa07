package syscheck

import (
	"context"
	"fmt"
	"runtime"

	"github.com/echofx/healthcheck/checks"
)

// Defaults of the goroutines check.
const (
	// defaultGoroutinesWarn is GoroutinesConfig.Warn's default.
	defaultGoroutinesWarn = 10000
	// defaultGoroutinesMax is GoroutinesConfig.Max's default.
	defaultGoroutinesMax = 50000
)

// GoroutinesConfig configures Goroutines. Zero fields take the documented
// defaults.
type GoroutinesConfig struct {
	// Name of the check. Default "goroutines".
	Name string
	// Warn: more goroutines than this make the check degraded. Default
	// 10000; negative (checks.Off) disables.
	Warn int
	// Max: more goroutines than this make the check unhealthy. Default
	// 50000; negative (checks.Off) disables.
	Max int
}

// Goroutines returns an Optional, LevelComprehensive check (named cfg.Name,
// default "goroutines") of runtime.NumGoroutine, a cheap leak detector:
// unhealthy above cfg.Max ("too many goroutines (60000)"), degraded above
// cfg.Warn ("many goroutines (12000)"), healthy otherwise. Details:
// "count".
func Goroutines(cfg GoroutinesConfig) (checks.Check, error) {
	name := cfg.Name
	if name == "" {
		name = "goroutines"
	}
	warn := cfg.Warn
	if warn == 0 {
		warn = defaultGoroutinesWarn
	}
	maxN := cfg.Max
	if maxN == 0 {
		maxN = defaultGoroutinesMax
	}
	fn := func(context.Context) checks.Report {
		n := runtime.NumGoroutine()
		details := map[string]any{"count": n}
		switch {
		case maxN > 0 && n > maxN:
			return checks.Report{Status: checks.StatusUnhealthy, Message: fmt.Sprintf("too many goroutines (%d)", n), Details: details}
		case warn > 0 && n > warn:
			return checks.Report{Status: checks.StatusDegraded, Message: fmt.Sprintf("many goroutines (%d)", n), Details: details}
		}
		return checks.Report{Status: checks.StatusHealthy, Details: details}
	}
	return checks.Check{Name: name, Func: fn, Criticality: checks.Optional, Level: checks.LevelComprehensive}, nil
}
