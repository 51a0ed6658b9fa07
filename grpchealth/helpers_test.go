package grpchealth_test

import (
	"context"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthgrpc "google.golang.org/grpc/health/grpc_health_v1"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/echofx/healthcheck/checks"
)

// serve registers h on a new grpc.Server listening on a loopback port and
// returns a health client connected to it over TCP. Both end with the test.
func serve(t testing.TB, register func(grpc.ServiceRegistrar)) healthgrpc.HealthClient {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gs := grpc.NewServer()
	register(gs)
	done := make(chan struct{})
	go func() { defer close(done); _ = gs.Serve(lis) }()
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = conn.Close()
		gs.Stop()
		<-done
	})
	return healthgrpc.NewHealthClient(conn)
}

// switchable is a check whose outcome the test sets.
type switchable struct{ status atomic.Uint32 }

func newSwitchable(st checks.Status) *switchable {
	s := &switchable{}
	s.set(st)
	return s
}

func (s *switchable) set(st checks.Status) { s.status.Store(uint32(st)) }

func (s *switchable) fn(context.Context) checks.Report {
	return checks.Report{Status: checks.Status(s.status.Load()), Message: "switched"}
}

// readiness is a Readiness the test sets.
type readiness struct{ ready atomic.Bool }

func (r *readiness) Readiness() (bool, string) {
	if r.ready.Load() {
		return true, ""
	}
	return false, "draining"
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// next reads the next status of a Watch stream, failing the test after 15 s.
func next(t *testing.T, stream healthgrpc.Health_WatchClient) healthpb.HealthCheckResponse_ServingStatus {
	t.Helper()
	type res struct {
		st  healthpb.HealthCheckResponse_ServingStatus
		err error
	}
	ch := make(chan res, 1)
	go func() {
		r, err := stream.Recv()
		ch <- res{r.GetStatus(), err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			t.Fatalf("Watch: Recv: %v", r.err)
		}
		return r.st
	case <-time.After(15 * time.Second):
		t.Fatal("Watch: no status within 15s")
		return 0
	}
}
