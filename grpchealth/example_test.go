package grpchealth_test

import (
	"context"
	"fmt"
	"net"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthgrpc "google.golang.org/grpc/health/grpc_health_v1"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/grpchealth"
)

// Serve grpc.health.v1 on the application's own gRPC server, from the same
// runner as the HTTP routes.
func Example() {
	runner := checks.NewRunner()
	defer runner.Close()
	_ = runner.Register(checks.Check{
		Name: "database",
		Func: checks.FromFunc(func(context.Context) error { return nil }),
	})

	health, err := grpchealth.New(runner, grpchealth.WithLevel(checks.LevelStandard)) // WithReadiness(lc) in a real app
	if err != nil {
		panic(err)
	}
	gs := grpc.NewServer()
	health.Register(gs)
	lis, _ := net.Listen("tcp", "127.0.0.1:0")
	go func() { _ = gs.Serve(lis) }()
	defer gs.Stop()
	defer health.Close() // end Watch streams before stopping the server

	conn, _ := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	defer conn.Close()
	client := healthgrpc.NewHealthClient(conn)
	for _, service := range []string{"", "database"} {
		resp, err := client.Check(context.Background(), &healthpb.HealthCheckRequest{Service: service})
		fmt.Printf("%q: %v %v\n", service, resp.GetStatus(), err)
	}
	_, err = client.Check(context.Background(), &healthpb.HealthCheckRequest{Service: "billing"})
	fmt.Println(err)
	// Output:
	// "": SERVING <nil>
	// "database": SERVING <nil>
	// rpc error: code = NotFound desc = unknown service
}
