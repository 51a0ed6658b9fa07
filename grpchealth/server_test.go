package grpchealth_test

import (
	"errors"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/grpchealth"
)

const (
	serving    = healthpb.HealthCheckResponse_SERVING
	notServing = healthpb.HealthCheckResponse_NOT_SERVING
	unknown    = healthpb.HealthCheckResponse_UNKNOWN
	svcUnknown = healthpb.HealthCheckResponse_SERVICE_UNKNOWN
)

// fixture: a required basic "db", an optional standard "cache", a required
// comprehensive "disk", each switchable.
type fixture struct {
	runner          *checks.Runner
	db, cache, disk *switchable
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{
		runner: checks.NewRunner(),
		db:     newSwitchable(checks.StatusHealthy),
		cache:  newSwitchable(checks.StatusHealthy),
		disk:   newSwitchable(checks.StatusHealthy),
	}
	t.Cleanup(f.runner.Close)
	// TTL 1ns: every read refreshes in the background; Run makes results current.
	err := f.runner.Register(
		checks.Check{Name: "db", Func: f.db.fn, TTL: time.Nanosecond},
		checks.Check{Name: "cache", Func: f.cache.fn, Criticality: checks.Optional, Level: checks.LevelStandard, TTL: time.Nanosecond},
		checks.Check{Name: "disk", Func: f.disk.fn, Level: checks.LevelComprehensive, TTL: time.Nanosecond},
	)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestNewErrors(t *testing.T) {
	if _, err := grpchealth.New(nil); !errors.Is(err, checks.ErrInvalidConfig) {
		t.Errorf("New(nil) = %v, want a *checks.ConfigError", err)
	}
	r := checks.NewRunner()
	defer r.Close()
	if _, err := grpchealth.New(r, grpchealth.WithLevel(checks.Level(7))); !errors.Is(err, checks.ErrInvalidConfig) {
		t.Errorf("New(WithLevel(7)) = %v, want a *checks.ConfigError", err)
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name            string
		level           checks.Level
		db, cache, disk checks.Status
		service         string
		want            healthpb.HealthCheckResponse_ServingStatus
	}{
		{"all healthy", checks.LevelStandard, checks.StatusHealthy, checks.StatusHealthy, checks.StatusHealthy, "", serving},
		{"required unhealthy", checks.LevelStandard, checks.StatusUnhealthy, checks.StatusHealthy, checks.StatusHealthy, "", notServing},
		{"degraded serves", checks.LevelStandard, checks.StatusDegraded, checks.StatusHealthy, checks.StatusHealthy, "", serving},
		{"optional unhealthy serves", checks.LevelStandard, checks.StatusHealthy, checks.StatusUnhealthy, checks.StatusHealthy, "", serving},
		{"check outside the level ignored", checks.LevelStandard, checks.StatusHealthy, checks.StatusHealthy, checks.StatusUnhealthy, "", serving},
		{"check inside the level counts", checks.LevelComprehensive, checks.StatusHealthy, checks.StatusHealthy, checks.StatusUnhealthy, "", notServing},
		{"check service unhealthy", checks.LevelStandard, checks.StatusHealthy, checks.StatusUnhealthy, checks.StatusHealthy, "cache", notServing},
		{"check service healthy", checks.LevelStandard, checks.StatusHealthy, checks.StatusUnhealthy, checks.StatusHealthy, "db", serving},
		{"check service degraded", checks.LevelBasic, checks.StatusDegraded, checks.StatusHealthy, checks.StatusHealthy, "db", serving},
		{"check service outside the level", checks.LevelBasic, checks.StatusHealthy, checks.StatusHealthy, checks.StatusUnhealthy, "disk", notServing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.db.set(tt.db)
			f.cache.set(tt.cache)
			f.disk.set(tt.disk)
			f.runner.Run(ctxT(t))
			srv, err := grpchealth.New(f.runner, grpchealth.WithLevel(tt.level))
			if err != nil {
				t.Fatal(err)
			}
			client := serve(t, srv.Register)
			resp, err := client.Check(ctxT(t), &healthpb.HealthCheckRequest{Service: tt.service})
			if err != nil {
				t.Fatal(err)
			}
			if resp.GetStatus() != tt.want {
				t.Errorf("Check(%q) = %v, want %v", tt.service, resp.GetStatus(), tt.want)
			}
		})
	}
}

func TestCheckUnknownService(t *testing.T) {
	f := newFixture(t)
	srv, _ := grpchealth.New(f.runner)
	client := serve(t, srv.Register)
	_, err := client.Check(ctxT(t), &healthpb.HealthCheckRequest{Service: "nope"})
	if status.Code(err) != codes.NotFound {
		t.Errorf("Check(nope) error = %v, want NotFound", err)
	}
}

// Before a check's first result its service reads UNKNOWN on Watch (which
// never waits), and the overall NOT_SERVING.
func TestWatchBeforeFirstResult(t *testing.T) {
	f := newFixture(t)
	srv, _ := grpchealth.New(f.runner)
	client := serve(t, srv.Register)
	ctx := ctxT(t)
	db, err := client.Watch(ctx, &healthpb.HealthCheckRequest{Service: "db"})
	if err != nil {
		t.Fatal(err)
	}
	if got := next(t, db); got != unknown {
		t.Errorf("db before first run = %v, want UNKNOWN", got)
	}
	all, err := client.Watch(ctx, &healthpb.HealthCheckRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if got := next(t, all); got != notServing {
		t.Errorf("overall before first run = %v, want NOT_SERVING", got)
	}
	f.runner.Run(ctx) // first results: transitions from unknown push updates
	if got := next(t, db); got != serving {
		t.Errorf("db after first run = %v, want SERVING", got)
	}
	if got := next(t, all); got != serving {
		t.Errorf("overall after first run = %v, want SERVING", got)
	}
}

func TestWatchTransitionsAndUnknownService(t *testing.T) {
	f := newFixture(t)
	ctx := ctxT(t)
	f.runner.Run(ctx)
	srv, _ := grpchealth.New(f.runner)
	client := serve(t, srv.Register)

	all, _ := client.Watch(ctx, &healthpb.HealthCheckRequest{})
	later, _ := client.Watch(ctx, &healthpb.HealthCheckRequest{Service: "later"})
	if got := next(t, all); got != serving {
		t.Fatalf("initial = %v", got)
	}
	if got := next(t, later); got != svcUnknown {
		t.Fatalf("unregistered = %v, want SERVICE_UNKNOWN", got)
	}
	f.db.set(checks.StatusUnhealthy)
	if _, err := f.runner.Refresh(ctx, "db"); err != nil {
		t.Fatal(err)
	}
	if got := next(t, all); got != notServing {
		t.Errorf("after db failed = %v, want NOT_SERVING", got)
	}
	// A degraded-but-OK change of another check sends nothing: the next
	// message is the recovery.
	f.cache.set(checks.StatusDegraded)
	_, _ = f.runner.Refresh(ctx, "cache")
	f.db.set(checks.StatusHealthy)
	_, _ = f.runner.Refresh(ctx, "db")
	if got := next(t, all); got != serving {
		t.Errorf("after recovery = %v, want SERVING", got)
	}
	// A check registered later becomes known on its first result.
	if err := f.runner.Register(checks.Check{Name: "later", Func: newSwitchable(checks.StatusUnhealthy).fn}); err != nil {
		t.Fatal(err)
	}
	_, _ = f.runner.Refresh(ctx, "later")
	// A wake between its registration and its first result may say
	// UNKNOWN (registered, no result yet) first.
	got := next(t, later)
	if got == unknown {
		got = next(t, later)
	}
	if got != notServing {
		t.Errorf("later after its first run = %v, want (UNKNOWN then) NOT_SERVING", got)
	}
}

func TestReadinessAndShutdown(t *testing.T) {
	f := newFixture(t)
	ctx := ctxT(t)
	f.runner.Run(ctx)
	var rd readiness // not ready: starting
	srv, _ := grpchealth.New(f.runner, grpchealth.WithReadiness(&rd))
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
	if got := check(""); got != notServing {
		t.Errorf("starting: Check = %v, want NOT_SERVING", got)
	}
	if got := next(t, all); got != notServing {
		t.Errorf("starting: Watch = %v, want NOT_SERVING", got)
	}
	if got := check("db"); got != serving {
		t.Errorf("starting: db = %v, want SERVING (checks report themselves)", got)
	}

	rd.ready.Store(true)
	if got := check(""); got != serving {
		t.Errorf("ready: Check = %v, want SERVING", got)
	}
	srv.Update()
	if got := next(t, all); got != serving {
		t.Errorf("ready: Watch = %v, want SERVING", got)
	}

	rd.ready.Store(false) // draining: Check sees it at once
	if got := check(""); got != notServing {
		t.Errorf("draining: Check = %v, want NOT_SERVING", got)
	}
	srv.Update()
	if got := next(t, all); got != notServing {
		t.Errorf("draining: Watch = %v, want NOT_SERVING", got)
	}

	rd.ready.Store(true)
	srv.Shutdown()
	if got := check(""); got != notServing {
		t.Errorf("after Shutdown: Check = %v, want NOT_SERVING", got)
	}
}

func TestList(t *testing.T) {
	f := newFixture(t)
	f.cache.set(checks.StatusUnhealthy)
	f.runner.Run(ctxT(t))
	srv, _ := grpchealth.New(f.runner)
	client := serve(t, srv.Register)
	resp, err := client.List(ctxT(t), &healthpb.HealthListRequest{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]healthpb.HealthCheckResponse_ServingStatus{"": serving, "db": serving, "cache": notServing, "disk": serving}
	got := map[string]healthpb.HealthCheckResponse_ServingStatus{}
	for k, v := range resp.GetStatuses() {
		got[k] = v.GetStatus()
	}
	if len(got) != len(want) {
		t.Errorf("List = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("List[%q] = %v, want %v", k, got[k], v)
		}
	}
}

// Close ends the Watch streams, so GracefulStop returns.
func TestCloseEndsWatch(t *testing.T) {
	f := newFixture(t)
	ctx := ctxT(t)
	f.runner.Run(ctx)
	srv, _ := grpchealth.New(f.runner)
	client := serve(t, srv.Register)
	stream, err := client.Watch(ctx, &healthpb.HealthCheckRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if st := next(t, stream); st != serving {
		t.Fatalf("first status = %v, want SERVING", st)
	}
	srv.Close()
	// Without a Readiness the stream is told NOT_SERVING before it ends
	// (issue 18.6: it went SERVING then UNAVAILABLE).
	if st := next(t, stream); st != notServing {
		t.Errorf("status after Close = %v, want NOT_SERVING", st)
	}
	if _, err := stream.Recv(); status.Code(err) != codes.Unavailable {
		t.Errorf("Recv after Close = %v, want Unavailable", err)
	}
	again, _ := client.Watch(ctx, &healthpb.HealthCheckRequest{})
	if _, err := again.Recv(); status.Code(err) != codes.Unavailable {
		t.Errorf("Watch after Close = %v, want Unavailable", err)
	}
	resp, err := client.Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil || resp.GetStatus() != notServing {
		t.Errorf("Check after Close = %v, %v; want NOT_SERVING", resp.GetStatus(), err)
	}
}

// GracefulStop returns once Close ended the streams.
func TestGracefulStopAfterClose(t *testing.T) {
	f := newFixture(t)
	ctx := ctxT(t)
	f.runner.Run(ctx)
	srv, _ := grpchealth.New(f.runner)
	var gs *grpc.Server
	client := serve(t, func(r grpc.ServiceRegistrar) { gs = r.(*grpc.Server); srv.Register(r) })
	stream, _ := client.Watch(ctx, &healthpb.HealthCheckRequest{})
	next(t, stream)
	srv.Close()
	done := make(chan struct{})
	go func() { gs.GracefulStop(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("GracefulStop did not return within 10s after Close")
	}

}
