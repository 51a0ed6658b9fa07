package syscheck

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/checks/internal/report"
)

// Defaults of the disk check.
const (
	// defaultDiskMinFreeRatio is DiskConfig.MinFreeRatio's default.
	defaultDiskMinFreeRatio = 0.05
	// defaultDiskWarnFreeRatio is DiskConfig.WarnFreeRatio's default.
	defaultDiskWarnFreeRatio = 0.10
)

// errDiskUnsupported is returned by statDisk where there is no statfs.
var errDiskUnsupported = errors.New("disk check not supported on this platform")

// DiskConfig configures Disk. Zero fields take the documented defaults.
type DiskConfig struct {
	// Name of the check. Default "disk".
	Name string
	// MinFreeRatio: a free share (available to the process over total)
	// below this makes the check unhealthy. Default
	// 0.05; negative (checks.Off) disables.
	MinFreeRatio float64
	// WarnFreeRatio: a free share below this makes the check degraded.
	// Default 0.10; negative (checks.Off) disables.
	WarnFreeRatio float64
}

// Disk returns an Optional, LevelComprehensive check (named cfg.Name,
// default "disk") of the free space of the file system holding path
// (default "/"), read with statfs(2) on each run.
//
// The free share is the space available to unprivileged users (blocks
// reserved for root count as used) over the file system's size. The check
// is unhealthy below cfg.MinFreeRatio ("disk space critical (3.2% free)"),
// degraded below cfg.WarnFreeRatio ("disk space low (8.0% free)"), healthy
// otherwise. Details: "path", "free_bytes", "total_bytes", "free_ratio".
// When path cannot be examined the check is unhealthy with "path not
// found", "permission denied" or "disk stat failed". On platforms without
// statfs (Windows, Plan 9, NetBSD, OpenBSD, Solaris...) it is always
// unhealthy with "disk check not supported on this platform".
func Disk(path string, cfg DiskConfig) (checks.Check, error) {
	name := cfg.Name
	if name == "" {
		name = "disk"
	}
	if path == "" {
		path = "/"
	}
	minFree := cfg.MinFreeRatio
	if minFree == 0 {
		minFree = defaultDiskMinFreeRatio
	}
	warnFree := cfg.WarnFreeRatio
	if warnFree == 0 {
		warnFree = defaultDiskWarnFreeRatio
	}
	fn := func(context.Context) checks.Report {
		details := map[string]any{"path": path}
		free, total, err := statDisk(path)
		switch {
		case errors.Is(err, errDiskUnsupported):
			return report.Fail(errDiskUnsupported.Error(), err, details)
		case errors.Is(err, fs.ErrNotExist):
			return report.Fail("path not found", err, details)
		case errors.Is(err, fs.ErrPermission):
			return report.Fail("permission denied", err, details)
		case err != nil:
			return report.Fail("disk stat failed", err, details)
		case total == 0:
			return checks.Report{Status: checks.StatusUnhealthy, Message: "disk size unknown", Details: details}
		}
		ratio := float64(free) / float64(total)
		details["free_bytes"] = free
		details["total_bytes"] = total
		details["free_ratio"] = ratio
		switch {
		case minFree > 0 && ratio < minFree:
			return checks.Report{Status: checks.StatusUnhealthy, Message: fmt.Sprintf("disk space critical (%.1f%% free)", ratio*100), Details: details}
		case warnFree > 0 && ratio < warnFree:
			return checks.Report{Status: checks.StatusDegraded, Message: fmt.Sprintf("disk space low (%.1f%% free)", ratio*100), Details: details}
		}
		return checks.Report{Status: checks.StatusHealthy, Details: details}
	}
	return checks.Check{Name: name, Func: fn, Criticality: checks.Optional, Level: checks.LevelComprehensive}, nil
}
