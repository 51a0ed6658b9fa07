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
