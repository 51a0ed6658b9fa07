package grpchealth_test

import (
	"context"
	"github.com/echofx/healthcheck/internal/testutil/checktest"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/checks/pgcheck"
	"github.com/echofx/healthcheck/grpchealth"
	"github.com/echofx/healthcheck/internal/testutil"
	"github.com/echofx/healthcheck/lifecycle"
)

// A real PostgreSQL behind the "database" check, kept fresh by the
// lifecycle's periodic runner: Watch streams its stop and restart, pushed by
// the runner's transitions, and the drain at once.
func TestWatchSeesDatabaseStop(t *testing.T) {
	pg := testutil.StartPostgres(t)
	ctx := ctxT(t)
	pool, err := pgxpool.New(ctx, pg.DSN()+"&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()

	runner := checks.NewRunner()
	defer runner.Close()
	c := checktest.Must(pgcheck.New(pool, pgcheck.Config{}))
	c.Interval, c.TTL, c.Timeout = 100*time.Millisecond, 50*time.Millisecond, 2*time.Second
	if err := runner.Register(c); err != nil {
		t.Fatal(err)
	}
	lc, err := lifecycle.New(runner, lifecycle.WithDrainDelay(time.Hour), lifecycle.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := grpchealth.New(runner, grpchealth.WithReadiness(lc))
	if err != nil {
		t.Fatal(err)
	}
	client := serve(t, srv.Register)

	all, err := client.Watch(ctx, &healthpb.HealthCheckRequest{})
	if err != nil {
		t.Fatal(err)
	}
	db, err := client.Watch(ctx, &healthpb.HealthCheckRequest{Service: "database"})
	if err != nil {
		t.Fatal(err)
	}
	if got := next(t, all); got != notServing {
		t.Errorf("before start: overall = %v, want NOT_SERVING", got)
	}
	if err := lc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if got := next(t, all); got != serving {
		t.Fatalf("started: overall = %v, want SERVING", got)
	}
	for got := next(t, db); got != serving; got = next(t, db) {
		if got != unknown {
			t.Fatalf("database = %v, want UNKNOWN then SERVING", got)
		}
	}

	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	if got := next(t, all); got != notServing {
		t.Errorf("database stopped: overall = %v, want NOT_SERVING", got)
	}
	if got := next(t, db); got != notServing {
		t.Errorf("database stopped: database = %v, want NOT_SERVING", got)
	}
	if err := pg.Start(); err != nil {
		t.Fatal(err)
	}
	if got := next(t, all); got != serving {
		t.Errorf("database restarted: overall = %v, want SERVING", got)
	}
	if got := next(t, db); got != serving {
		t.Errorf("database restarted: database = %v, want SERVING", got)
	}

	// Drain: readiness turns false when Stop begins; Check and Watch see
	// it at once (the lifecycle's OnReadiness hook).
	draining := make(chan struct{}, 1)
	lc.AddHooks(lifecycle.Hooks{OnReadiness: func(ready bool, _ string) {
		if !ready {
			select {
			case draining <- struct{}{}:
			default:
			}
		}
	}})
	stopCtx, cancelStop := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- lc.Stop(stopCtx) }()
	select {
	case <-draining:
	case <-time.After(10 * time.Second):
		t.Error("readiness still true 10s after Stop began")
	}
	resp, err := client.Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil || resp.GetStatus() != notServing {
		t.Errorf("draining: Check = %v, %v; want NOT_SERVING", resp.GetStatus(), err)
	}
	if got := next(t, all); got != notServing {
		t.Errorf("draining: overall = %v, want NOT_SERVING", got)
	}
	cancelStop() // cut the hour-long drain short
	<-stopped
}
