// Package syscheck checks the resources of the process and its machine,
// needing nothing from the application: Disk (free space of a path,
// Unix only), Memory (the Go runtime's memory against the cgroup limit),
// Goroutines (a goroutine-leak detector) and CPU (load and pressure from
// /proc, Linux only).
package syscheck
