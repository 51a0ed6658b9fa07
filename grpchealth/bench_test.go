package grpchealth_test

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc"
	healthgrpc "google.golang.org/grpc/health/grpc_health_v1"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/grpchealth"
)

// constant answers SERVING without looking at anything: the baseline.
type constant struct {
	healthgrpc.UnimplementedHealthServer
}

func (constant) Check(context.Context, *healthpb.HealthCheckRequest) (*healthpb.HealthCheckResponse, error) {
	return &healthpb.HealthCheckResponse{Status: healthpb.HealthCheckResponse_SERVING}, nil
}

// benchServer is a Server over two healthy checks whose results stay fresh
// for the whole benchmark, and a ready readiness.
func benchServer(b *testing.B) *grpchealth.Server {
	runner := checks.NewRunner()
	b.Cleanup(runner.Close)
	ok := func(context.Context) checks.Report { return checks.Report{} }
	if err := runner.Register(
		checks.Check{Name: "database", Func: ok, TTL: time.Hour, Interval: time.Hour},
		checks.Check{Name: "redis", Func: ok, Criticality: checks.Optional, Level: checks.LevelStandard, TTL: time.Hour, Interval: time.Hour},
	); err != nil {
		b.Fatal(err)
	}
	runner.Run(context.Background())
	rd := &readiness{}
	rd.ready.Store(true)
	srv, err := grpchealth.New(runner, grpchealth.WithReadiness(rd))
	if err != nil {
		b.Fatal(err)
	}
	return srv
}

// BenchmarkCheck compares a Check of the "" service answered from the
// runner's cache (two checks, a readiness) with a handler returning a
// constant, each on its own grpc.Server over a loopback TCP connection.
//
//	go test -run '^$' -bench BenchmarkCheck -benchmem -count 5 ./grpchealth
func BenchmarkCheck(b *testing.B) {
	srv := benchServer(b)
	cases := []struct {
		name     string
		register func(grpc.ServiceRegistrar)
	}{
		{"constant", func(r grpc.ServiceRegistrar) { healthgrpc.RegisterHealthServer(r, constant{}) }},
		{"cached", srv.Register},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			client := serve(b, c.register)
			ctx := context.Background()
			req := &healthpb.HealthCheckRequest{}
			if _, err := client.Check(ctx, req); err != nil { // connect
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				resp, err := client.Check(ctx, req)
				if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
					b.Fatalf("Check = %v, %v", resp.GetStatus(), err)
				}
			}
		})
	}
}

// BenchmarkCheckHandler is BenchmarkCheck without the network: the handler
// methods called in process, to show the cost the RPC hides.
//
//	go test -run '^$' -bench BenchmarkCheckHandler -benchmem ./grpchealth
func BenchmarkCheckHandler(b *testing.B) {
	srv := benchServer(b)
	ctx := context.Background()
	for _, c := range []struct {
		name string
		h    healthgrpc.HealthServer
	}{{"constant", constant{}}, {"cached", srv}} {
		b.Run(c.name, func(b *testing.B) {
			req := &healthpb.HealthCheckRequest{}
			b.ReportAllocs()
			for b.Loop() {
				if resp, err := c.h.Check(ctx, req); err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
					b.Fatalf("Check = %v, %v", resp.GetStatus(), err)
				}
			}
		})
	}
}
