package grpchealth_test

import (
	"errors"
	"strings"
	"testing"

	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/grpchealth"
)

// TestGroups: a group is a service for Check, Watch and List, its status
// the aggregate of its checks (an optional failure only degrades).
func TestGroups(t *testing.T) {
	f := newFixture(t)
	f.disk.set(checks.StatusUnhealthy)
	f.cache.set(checks.StatusUnhealthy)
	f.runner.Run(ctxT(t))
	srv, err := grpchealth.New(f.runner, grpchealth.WithGroups(
		checks.Group{Name: "core", Checks: []string{"db", "disk"}},
		checks.Group{Name: "caching", Checks: []string{"db", "cache"}},
	))
	if err != nil {
		t.Fatal(err)
	}
	client := serve(t, srv.Register)
	for service, want := range map[string]healthpb.HealthCheckResponse_ServingStatus{"core": notServing, "caching": serving} {
		resp, err := client.Check(ctxT(t), &healthpb.HealthCheckRequest{Service: service})
		if err != nil || resp.GetStatus() != want {
			t.Errorf("Check(%q) = %v, %v; want %v", service, resp.GetStatus(), err, want)
		}
	}
	list, err := client.List(ctxT(t), &healthpb.HealthListRequest{})
	if err != nil || list.GetStatuses()["core"].GetStatus() != notServing || list.GetStatuses()["caching"].GetStatus() != serving {
		t.Errorf("List = %v, %v", list, err)
	}
	stream, err := client.Watch(ctxT(t), &healthpb.HealthCheckRequest{Service: "core"})
	if err != nil {
		t.Fatal(err)
	}
	if st := next(t, stream); st != notServing {
		t.Fatalf("Watch(core) = %v", st)
	}
	f.disk.set(checks.StatusHealthy)
	f.runner.Run(ctxT(t)) // a transition: the stream is woken
	if st := next(t, stream); st != serving {
		t.Fatalf("Watch(core) after disk recovered = %v", st)
	}
}

// TestGroupUnknownCheck: New refuses a group naming an unregistered check.
func TestGroupUnknownCheck(t *testing.T) {
	f := newFixture(t)
	_, err := grpchealth.New(f.runner, grpchealth.WithGroups(checks.Group{Name: "core", Checks: []string{"db", "migrations"}}))
	if !errors.Is(err, checks.ErrInvalidConfig) || !strings.Contains(err.Error(), `"core"`) || !strings.Contains(err.Error(), `"migrations"`) {
		t.Fatalf("err = %v", err)
	}
}
