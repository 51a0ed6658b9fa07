package alerting_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/echofx/healthcheck/alerting"
	"github.com/echofx/healthcheck/checks"
)

// Push a check's outage and recovery to a publisher of your own, without
// fx. The built-in sinks (alerting.Alertmanager, alerting.Webhook) plug in
// the same way.
func Example() {
	runner := checks.NewRunner()
	defer runner.Close()
	var down atomic.Bool
	_ = runner.Register(checks.Check{Name: "database", Func: checks.FromFunc(func(context.Context) error {
		if down.Load() {
			return checks.NewSafeError("connection refused", errors.New("dial tcp 10.0.0.7:5432: connection refused"))
		}
		return nil
	})})

	print := alerting.PublisherFunc(func(_ context.Context, e alerting.Event) error {
		fmt.Printf("%s %s severity=%s firing=%v message=%q\n", e.Kind, e.Check, e.Severity, e.Firing, e.Message)
		return nil
	})
	d, err := alerting.New(runner,
		alerting.WithService("orders"),
		alerting.WithSink(alerting.Sink{Name: "stdout", Publisher: print}))
	if err != nil {
		panic(err)
	}
	d.Start()

	ctx := context.Background()
	_, _ = runner.Refresh(ctx, "database") // healthy: no event
	down.Store(true)
	_, _ = runner.Refresh(ctx, "database") // unhealthy: fires at once
	down.Store(false)
	_, _ = runner.Refresh(ctx, "database") // recovered

	stopCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_ = d.Stop(stopCtx) // delivers what is queued
	fmt.Println(d.Stats()[0].Sent, "sent")
	// Output:
	// unhealthy database severity=critical firing=true message="connection refused"
	// recovered database severity=critical firing=false message=""
	// 2 sent
}

// A replica that stops resolves the alerts it has firing, so that nothing
// it fired outlives it; a publisher can tell that resolution from a
// recovery by its Kind and Reason, and route a flapping check apart.
func ExampleDispatcher_Stop() {
	runner := checks.NewRunner()
	defer runner.Close()
	_ = runner.Register(checks.Check{Name: "database", Func: checks.FromFunc(func(context.Context) error {
		return checks.NewSafeError("connection refused", errors.New("dial tcp 10.0.0.7:5432: connection refused"))
	})})
	print := alerting.PublisherFunc(func(_ context.Context, e alerting.Event) error {
		switch {
		case e.Kind == alerting.KindFlapping || e.Alert == alerting.AlertFlapping:
			fmt.Println("to chat, not the pager:", e.Summary())
		case e.Kind == alerting.KindResolved && e.Reason == alerting.ReasonStopped:
			fmt.Printf("%s %s %s firing=%v: %s\n", e.Kind, e.Check, e.Alert, e.Firing, e.Reason)
		default:
			fmt.Printf("%s %s %s firing=%v\n", e.Kind, e.Check, e.Alert, e.Firing)
		}
		return nil
	})
	d, err := alerting.New(runner, alerting.WithService("orders"), alerting.WithInstance("orders-7d9f"),
		alerting.WithSink(alerting.Sink{Name: "stdout", Publisher: print}))
	if err != nil {
		panic(err)
	}
	d.Start()
	_, _ = runner.Refresh(context.Background(), "database") // unhealthy: fires

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = d.Stop(ctx) // graceful stop: resolves what this replica fired
	// Output:
	// unhealthy database CheckUnhealthy firing=true
	// resolved database CheckUnhealthy firing=false: instance stopped
}
