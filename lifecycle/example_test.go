package lifecycle_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/lifecycle"
)

// The startup gate retries the required checks until they pass.
func ExampleGate() {
	runner := checks.NewRunner()
	defer runner.Close()
	calls := 0
	_ = runner.Register(checks.Check{
		Name: "postgres",
		Func: checks.FromFunc(func(context.Context) error {
			calls++
			if calls < 3 { // the database comes up at the third attempt
				return errors.New("dial tcp 10.0.0.5:5432: connection refused")
			}
			return nil
		}),
	})

	err := lifecycle.Gate(context.Background(), runner,
		// waits of at most 1 ms instead of the seconds of the defaults
		lifecycle.WithStartup(lifecycle.StartupConfig{InitialBackoff: time.Millisecond, MaxBackoff: time.Millisecond}),
		lifecycle.WithLogger(slog.New(slog.DiscardHandler)),
		lifecycle.WithHooks(lifecycle.Hooks{OnStartupAttempt: func(check string, attempt int, ok bool) {
			fmt.Printf("%s attempt %d ok=%v\n", check, attempt, ok)
		}}),
	)
	fmt.Println("gate:", err)
	// Output:
	// postgres attempt 1 ok=false
	// postgres attempt 2 ok=false
	// postgres attempt 3 ok=true
	// gate: <nil>
}

// A dependency that never comes up fails the start with an error naming
// it, its attempts and its sanitized message.
func ExampleGate_failure() {
	runner := checks.NewRunner()
	defer runner.Close()
	_ = runner.Register(checks.Check{
		Name: "redis",
		Func: checks.FromFunc(func(context.Context) error {
			return errors.New("redis://app:s3cret@cache:6379 unreachable")
		}),
	})

	err := lifecycle.Gate(context.Background(), runner,
		lifecycle.WithStartup(lifecycle.StartupConfig{MaxAttempts: 2, InitialBackoff: time.Millisecond}),
		lifecycle.WithLogger(slog.New(slog.DiscardHandler)),
	)
	fmt.Println(err)
	fmt.Println(errors.Is(err, lifecycle.ErrStartupFailed))
	if se, ok := errors.AsType[*lifecycle.StartupError](err); ok {
		for _, c := range se.Checks {
			fmt.Printf("%s after %d attempts\n", c.Name, c.Attempts)
		}
	}
	// Output:
	// lifecycle: startup checks failed (attempts exhausted): redis (2 attempts): redis://***@cache:6379 unreachable
	// true
	// redis after 2 attempts
}

// Stop drains: readiness turns false at once while the service stays
// live, then after the drain delay the cleanups run in reverse order.
func ExampleLifecycle_Stop() {
	runner := checks.NewRunner()
	defer runner.Close()
	_ = runner.Register(checks.Check{Name: "postgres", Func: checks.FromFunc(func(context.Context) error { return nil })})

	lc, err := lifecycle.New(runner,
		lifecycle.WithDrainDelay(10*time.Millisecond),
		lifecycle.WithLogger(slog.New(slog.DiscardHandler)),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	report := func(step string) {
		ready, reason := lc.Readiness()
		fmt.Printf("%-18s ready=%-5v reason=%-8q live=%v\n", step, ready, reason, lc.Live())
	}
	lc.AddCleanup("postgres pool", func(context.Context) error { report("close pool"); return nil })
	lc.AddCleanup("http server", func(context.Context) error { report("shutdown http"); return nil })

	report("new")
	if err := lc.Start(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	report("started")
	fmt.Println("stop:", lc.Stop(context.Background()))
	report("stopped")
	// Output:
	// new                ready=false reason="starting" live=true
	// started            ready=true  reason=""       live=true
	// shutdown http      ready=false reason="draining" live=true
	// close pool         ready=false reason="draining" live=true
	// stop: <nil>
	// stopped            ready=false reason="stopped" live=false
}

// An application that drives maintenance itself: Readiness reads
// "maintenance" while the window lasts (Live stays true), and the window
// ends with EndMaintenance or by itself at its end.
func ExampleLifecycle_EnterMaintenance() {
	runner := checks.NewRunner()
	defer runner.Close()
	_ = runner.Register(checks.Check{Name: "postgres", Func: checks.FromFunc(func(context.Context) error { return nil })})
	lc, _ := lifecycle.New(runner, lifecycle.WithDrainDelay(0), lifecycle.WithLogger(slog.New(slog.DiscardHandler)))
	_ = lc.Start(context.Background())
	defer lc.Stop(context.Background())

	m, err := lc.EnterMaintenance("reindexing", "batch-job", 30*time.Minute)
	fmt.Println(err, m.Active, m.Until.Sub(m.Since))
	ready, reason := lc.Readiness()
	fmt.Println(ready, reason == lifecycle.ReasonMaintenance, lc.Live())
	lc.EndMaintenance("batch-job")
	fmt.Println(lc.Readiness())
	// Output:
	// <nil> true 30m0s
	// false true true
	// true
}
