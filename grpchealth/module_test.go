package grpchealth_test

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthgrpc "google.golang.org/grpc/health/grpc_health_v1"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/grpchealth"
	"github.com/echofx/healthcheck/healthfx"
)

// One option wires gRPC health into an fx app whose own gRPC server is
// served and stopped from a root fx.Invoke (so its GracefulStop hook runs
// before any hook of the modules): a Watch stream of "" reads SERVING,
// then NOT_SERVING at the drain, then ends, and the stop completes.
func TestModule(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var gs *grpc.Server
	app := fxtest.New(t,
		fx.NopLogger,
		fx.Supply(slog.New(slog.DiscardHandler)),
		fx.Provide(func() *grpc.Server { return grpc.NewServer() }),
		fx.Provide(func() healthfx.Router { return healthfx.OnServeMux(http.NewServeMux()) }),
		healthfx.Module,
		healthfx.SupplyCheck(checks.Check{Name: "db", Func: func(context.Context) checks.Report { return checks.Report{Status: checks.StatusHealthy} }}),
		fx.Decorate(func(c *healthfx.Config) *healthfx.Config {
			c.DrainDelay = 50 * time.Millisecond
			c.Groups = []checks.Group{{Name: "core", Checks: []string{"db"}}} // as HEALTH_GROUPS=core=db
			return c
		}),
		grpchealth.Module,
		fx.Invoke(func(lc fx.Lifecycle, s *grpc.Server) {
			gs = s
			done := make(chan struct{})
			lc.Append(fx.Hook{
				OnStart: func(context.Context) error {
					go func() { defer close(done); _ = s.Serve(lis) }()
					return nil
				},
				OnStop: func(context.Context) error { s.GracefulStop(); <-done; return nil },
			})
		}),
	)
	app.RequireStart()
	if len(gs.GetServiceInfo()) == 0 {
		t.Fatal("no service registered on the app's *grpc.Server")
	}
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx := ctxT(t)
	client := healthgrpc.NewHealthClient(conn)
	if resp, err := client.Check(ctx, &healthpb.HealthCheckRequest{Service: "core"}); err != nil || resp.GetStatus() != serving {
		t.Fatalf("Check of the group core = %v, %v; want SERVING", resp.GetStatus(), err)
	}
	stream, err := client.Watch(ctx, &healthpb.HealthCheckRequest{})
	if err != nil {
		t.Fatal(err)
	}
	// The gate passed at its first attempt, within RequireStart.
	if st := next(t, stream); st != serving {
		t.Fatalf("first status = %v, want SERVING", st)
	}
	stopped := make(chan error, 1)
	go func() { stopped <- app.Stop(ctx) }()
	if st := next(t, stream); st != notServing {
		t.Fatalf("status at the drain = %v, want NOT_SERVING", st)
	}
	if _, err := stream.Recv(); status.Code(err) != codes.Unavailable {
		t.Fatalf("Recv after the drain = %v, want Unavailable", err)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("Stop = %v (GracefulStop waited on the health stream?)", err)
	}
}
