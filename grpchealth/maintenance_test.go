package grpchealth_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/echofx/healthcheck/grpchealth"
	"github.com/echofx/healthcheck/lifecycle"
)

// TestMaintenanceNotServing: a *lifecycle.Lifecycle in maintenance makes
// the "" service NOT_SERVING for Check and, at once, for Watch; the end
// of the window makes it SERVING again. The check services are unchanged.
func TestMaintenanceNotServing(t *testing.T) {
	f := newFixture(t)
	ctx := ctxT(t)
	f.runner.Run(ctx)
	lc, err := lifecycle.New(f.runner, lifecycle.WithDrainDelay(0), lifecycle.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	if err := lc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = lc.Stop(context.Background()) })
	srv, _ := grpchealth.New(f.runner, grpchealth.WithReadiness(lc))
	client := serve(t, srv.Register)
	check := func(service string) healthpb.HealthCheckResponse_ServingStatus {
		t.Helper()
		resp, err := client.Check(ctx, &healthpb.HealthCheckRequest{Service: service})
		if err != nil {
			t.Fatal(err)
		}
		return resp.GetStatus()
	}
	all, _ := client.Watch(ctx, &healthpb.HealthCheckRequest{})
	if got := next(t, all); got != serving {
		t.Fatalf("running: Watch = %v", got)
	}
	if _, err := lc.EnterMaintenance("kernel upgrade", "alice", time.Hour); err != nil {
		t.Fatal(err)
	}
	if got := next(t, all); got != notServing { // through the OnReadiness hook, no Update
		t.Errorf("maintenance: Watch = %v, want NOT_SERVING", got)
	}
	if got := check(""); got != notServing {
		t.Errorf("maintenance: Check = %v, want NOT_SERVING", got)
	}
	if got := check("db"); got != serving {
		t.Errorf("maintenance: db = %v, want SERVING", got)
	}
	lc.EndMaintenance("alice")
	if got := next(t, all); got != serving {
		t.Errorf("after: Watch = %v, want SERVING", got)
	}
	if got := check(""); got != serving {
		t.Errorf("after: Check = %v, want SERVING", got)
	}
}
