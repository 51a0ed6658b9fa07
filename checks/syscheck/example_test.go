package syscheck_test

import (
	"context"
	"fmt"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/checks/syscheck"
)

// A goroutine-leak detector: degraded above 100000 goroutines, unhealthy
// above 500000.
func ExampleGoroutines() {
	runner := checks.NewRunner()
	defer runner.Close()
	c, err := syscheck.Goroutines(syscheck.GoroutinesConfig{Warn: 100000, Max: 500000})
	if err != nil {
		panic(err)
	}
	if err := runner.Register(c); err != nil {
		panic(err)
	}
	res, err := runner.Check(context.Background(), "goroutines")
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Status)
	// Output: healthy
}

// The free space of the file system holding /; checks.Off turns the
// unhealthy threshold off, so a full disk only degrades.
func ExampleDisk() {
	c, err := syscheck.Disk("/", syscheck.DiskConfig{MinFreeRatio: checks.Off})
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Name)
	// Output: disk
}

// The memory the Go runtime holds, against a limit of 1 TiB (by default the
// limit is GOMEMLIMIT's or the cgroup's).
func ExampleMemory() {
	runner := checks.NewRunner()
	defer runner.Close()
	c, err := syscheck.Memory(syscheck.MemoryConfig{Limit: 1 << 40})
	if err != nil {
		panic(err)
	}
	if err := runner.Register(c); err != nil {
		panic(err)
	}
	res, err := runner.Check(context.Background(), "memory")
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Status, res.Details["limit_source"])
	// Output: healthy config
}

// CPU pressure (PSI) rather than the load average, which suits a container:
// degraded above 70 %, never unhealthy.
func ExampleCPU() {
	c, err := syscheck.CPU(syscheck.CPUConfig{UsePressure: true, WarnPressure: 70, MaxPressure: checks.Off})
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Name, c.Criticality)
	// Output: cpu optional
}
