package checks_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/echofx/healthcheck/checks"
)

func ExampleRunner() {
	r := checks.NewRunner()
	defer r.Close()
	err := r.Register(
		checks.Check{Name: "database", Func: checks.FromFunc(func(context.Context) error {
			return checks.NewSafeError(`database "orders" does not exist`, errors.New("raw driver error"))
		})},
		checks.Check{Name: "cache", Criticality: checks.Optional, Func: checks.FromFunc(func(context.Context) error { return nil })},
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	snap := r.Run(context.Background())
	fmt.Println(snap.Status())
	fmt.Println(snap.MessageAt(checks.LevelComprehensive))
	for _, res := range snap.Results {
		fmt.Println(res.Name, res.Criticality, res.Status)
	}
	// Output:
	// unhealthy
	// database "orders" does not exist
	// cache optional healthy
	// database required unhealthy
}

func ExampleRunner_Latest() {
	r := checks.NewRunner()
	defer r.Close()
	_ = r.Register(checks.Check{Name: "queue", Func: func(context.Context) checks.Report {
		return checks.Report{Status: checks.StatusDegraded, Message: "backlog growing", Details: map[string]any{"depth": 1200}}
	}})
	// The first read waits for a result; later reads are served from the cache.
	snap := r.Latest(context.Background(), checks.LevelComprehensive)
	res, _ := snap.Result("queue")
	fmt.Println(snap.Status(), res.Message, res.Details["depth"])
	// Output: degraded backlog growing 1200
}
