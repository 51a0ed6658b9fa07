package grpchealth

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthgrpc "google.golang.org/grpc/health/grpc_health_v1"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/lifecycle"
)

// Server implements grpc.health.v1.Health (healthgrpc.HealthServer) over a
// *checks.Runner; see the package documentation for its semantics. Build it
// with New and register it with Register. It is safe for concurrent use.
type Server struct {
	healthgrpc.UnimplementedHealthServer

	runner    *checks.Runner
	level     checks.Level
	readiness Readiness
	groups    []checks.Group // WithGroups (groups.go)

	shutdown atomic.Bool // the "" service reads NOT_SERVING for good

	mu       sync.Mutex
	watchers map[*watcher]struct{}
	closed   chan struct{} // closed by Close: Watch streams end
}

type watcher struct{ wake chan struct{} }

// New returns a Server answering from runner and subscribes it to the
// runner's transitions (runner hooks cannot be removed: the Server lives as
// long as the runner; Close stops its streams). Options default as
// documented on each. A nil runner gives a *checks.ConfigError, a level outside
// checks.LevelBasic..checks.LevelComprehensive a *checks.ConfigError
// (errors.Is(err, checks.ErrInvalidConfig)).
func New(runner *checks.Runner, opts ...Option) (*Server, error) {
	if runner == nil {
		return nil, &checks.ConfigError{Package: "grpchealth", Setting: "New runner", Reason: "nil *checks.Runner"}
	}
	cfg := config{level: checks.LevelStandard}
	for _, o := range opts {
		if o != nil {
			o.apply(&cfg)
		}
	}
	if cfg.level > checks.LevelComprehensive {
		return nil, &checks.ConfigError{Package: "grpchealth", Setting: fmt.Sprintf("WithLevel(%d)", uint8(cfg.level)), Reason: "want checks.LevelBasic to checks.LevelComprehensive"}
	}
	if err := validateGroups(runner, cfg.groups); err != nil {
		return nil, err
	}
	s := &Server{
		runner:    runner,
		level:     cfg.level,
		readiness: cfg.readiness,
		groups:    cfg.groups,
		watchers:  make(map[*watcher]struct{}),
		closed:    make(chan struct{}),
	}
	runner.AddHooks(checks.Hooks{OnTransition: func(checks.Transition) { s.Update() }})
	if hs, ok := cfg.readiness.(interface{ AddHooks(lifecycle.Hooks) }); ok {
		// A *lifecycle.Lifecycle tells readiness changes (gate passed,
		// drain began) as they happen: no Update call needed.
		hs.AddHooks(lifecycle.Hooks{OnReadiness: func(bool, string) { s.Update() }})
	}
	return s, nil
}

// Register registers the Server as grpc.health.v1.Health on r, typically the
// application's *grpc.Server, before it serves.
func (s *Server) Register(r grpc.ServiceRegistrar) { healthgrpc.RegisterHealthServer(r, s) }

// Check implements grpc.health.v1.Health/Check: the service's status from
// the runner's cache (Runner.Latest: no wait while a usable result
// exists), NOT_FOUND for a name that is neither "", a check nor a group
// (WithGroups).
func (s *Server) Check(ctx context.Context, req *healthpb.HealthCheckRequest) (*healthpb.HealthCheckResponse, error) {
	st, ok := s.status(ctx, req.GetService(), true)
	if !ok {
		return nil, status.Error(codes.NotFound, "unknown service")
	}
	return &healthpb.HealthCheckResponse{Status: st}, nil
}

// List implements grpc.health.v1.Health/List: "", every registered
// check, read from one snapshot, and every group.
func (s *Server) List(ctx context.Context, _ *healthpb.HealthListRequest) (*healthpb.HealthListResponse, error) {
	snap := s.runner.Latest(ctx, checks.LevelComprehensive)
	out := make(map[string]*healthpb.HealthCheckResponse, len(snap.Results)+1)
	out[""] = &healthpb.HealthCheckResponse{Status: s.overall(snap)}
	for _, r := range snap.Results {
		out[r.Name] = &healthpb.HealthCheckResponse{Status: checkStatus(r.Status)}
	}
	for _, g := range s.groups {
		out[g.Name] = &healthpb.HealthCheckResponse{Status: groupStatusOf(snap, g)}
	}
	return &healthpb.HealthListResponse{Statuses: out}, nil
}

// Watch implements grpc.health.v1.Health/Watch: it sends the service's
// current status (SERVICE_UNKNOWN for an unknown name, which may become
// known when such a check is registered and first runs), then every change,
// woken by the runner's transitions and by Update. A slow reader gets the
// latest status, not every intermediate one. The stream ends when the
// client goes away or Close is called (codes.Unavailable).
func (s *Server) Watch(req *healthpb.HealthCheckRequest, stream healthgrpc.Health_WatchServer) error {
	w := &watcher{wake: make(chan struct{}, 1)}
	s.mu.Lock()
	select {
	case <-s.closed:
		s.mu.Unlock()
		return errClosed
	default:
	}
	s.watchers[w] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.watchers, w)
		s.mu.Unlock()
	}()

	ctx := stream.Context()
	service := req.GetService()
	last := healthpb.HealthCheckResponse_ServingStatus(-1)
	for {
		st, ok := s.status(ctx, service, false)
		if !ok {
			st = healthpb.HealthCheckResponse_SERVICE_UNKNOWN
		}
		if st != last {
			if err := stream.Send(&healthpb.HealthCheckResponse{Status: st}); err != nil {
				return err
			}
			last = st
		}
		select {
		case <-w.wake:
		case <-ctx.Done():
			return status.FromContextError(ctx.Err()).Err()
		case <-s.closed:
			// Tell the end before it comes: the "" service reads
			// NOT_SERVING now (Close set shutdown before closing).
			if st, ok := s.status(ctx, service, false); ok && st != last {
				if err := stream.Send(&healthpb.HealthCheckResponse{Status: st}); err != nil {
					return err
				}
			}
			return errClosed
		}
	}
}

var errClosed = status.Error(codes.Unavailable, "health service closed")

// Update re-evaluates every watched service and sends the changes to the
// Watch streams. The runner's transitions call it, and so do a
// *lifecycle.Lifecycle's readiness changes; call it yourself when another
// Readiness changes. It never blocks.
func (s *Server) Update() {
	s.mu.Lock()
	for w := range s.watchers {
		select {
		case w.wake <- struct{}{}:
		default: // a wake-up is already pending: the stream reads the latest
		}
	}
	s.mu.Unlock()
}

// Shutdown makes the "" service NOT_SERVING for good, whatever the checks
// and the readiness say, and tells the Watch streams. Use it at the start
// of a drain when no Readiness was given. The check services keep
// reporting their checks.
func (s *Server) Shutdown() {
	s.shutdown.Store(true)
	s.Update()
}

// Close shuts down (see Shutdown) and ends every Watch stream, and any later
// one, with codes.Unavailable, so that grpc.Server.GracefulStop does not
// wait for streams that never end by themselves. A stream open at Close
// is first sent its service's status if it changed: NOT_SERVING for "",
// with or without a Readiness, so a watcher is told before the end. Check and List keep
// answering. It is idempotent.
func (s *Server) Close() {
	s.shutdown.Store(true)
	s.mu.Lock()
	select {
	case <-s.closed:
	default:
		close(s.closed)
	}
	s.mu.Unlock()
}

// status is the serving status of service, from the runner's cache when
// fresh (which may refresh stale results) or its snapshot as it is. ok is
// false for an unknown service.
func (s *Server) status(ctx context.Context, service string, fresh bool) (st healthpb.HealthCheckResponse_ServingStatus, ok bool) {
	if service == "" {
		if s.down() {
			return healthpb.HealthCheckResponse_NOT_SERVING, true
		}
		if fresh {
			return s.overall(s.runner.Latest(ctx, s.level)), true
		}
		return s.overall(s.runner.Snapshot()), true
	}
	if g, isGroup := s.group(service); isGroup {
		return s.groupStatus(ctx, g, fresh), true
	}
	c, found := s.runner.Lookup(service)
	if !found {
		return healthpb.HealthCheckResponse_SERVICE_UNKNOWN, false
	}
	var snap *checks.Snapshot
	if fresh {
		snap = s.runner.Latest(ctx, c.Level)
	} else {
		snap = s.runner.Snapshot()
	}
	r, _ := snap.Result(service)
	return checkStatus(r.Status), true
}

// down reports whether the "" service is NOT_SERVING whatever the checks.
func (s *Server) down() bool {
	if s.shutdown.Load() {
		return true
	}
	if s.readiness != nil {
		if ready, _ := s.readiness.Readiness(); !ready {
			return true
		}
	}
	return false
}

// overall is the "" service's status in snap.
func (s *Server) overall(snap *checks.Snapshot) healthpb.HealthCheckResponse_ServingStatus {
	if s.down() || !snap.StatusAt(s.level).OK() {
		return healthpb.HealthCheckResponse_NOT_SERVING
	}
	return healthpb.HealthCheckResponse_SERVING
}

// checkStatus maps one check's status.
func checkStatus(st checks.Status) healthpb.HealthCheckResponse_ServingStatus {
	switch {
	case st == checks.StatusUnknown:
		return healthpb.HealthCheckResponse_UNKNOWN
	case st.OK():
		return healthpb.HealthCheckResponse_SERVING
	default:
		return healthpb.HealthCheckResponse_NOT_SERVING
	}
}
