package grpchealth

import (
	"context"

	"go.uber.org/fx"
	"google.golang.org/grpc"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/lifecycle"
)

// Module serves the gRPC health service on the app's *grpc.Server in an fx
// app with healthfx.Module: add both to fx.New. It consumes the
// *grpc.Server, and healthfx's *checks.Runner, *lifecycle.Lifecycle,
// level (HEALTH_CHECK_LEVEL) and groups (HEALTH_GROUPS), builds the Server
// with WithLevel, WithReadiness and WithGroups, registers it on the *grpc.Server and provides it (*Server).
//
// The app provides the *grpc.Server, unstarted (Serve in an OnStart hook,
// GracefulStop in the OnStop hook, as usual), and registers no other
// grpc.health.v1.Health on it (grpc-go exits on a duplicate service).
//
// Stop: the "" service turns NOT_SERVING at once when healthfx's drain
// begins, and Close ends every Watch stream when the drain ends, before
// any stop hook of the app runs (healthfx runs the drain first), so the
// app's GracefulStop never waits on a stream that does not end by itself,
// whatever the order of its fx.Provide and fx.Invoke.
var Module = ModuleWithOptions()

// ModuleWithOptions is Module with opts applied after the ones it derives
// from healthfx, e.g. WithLevel to serve another level than
// HEALTH_CHECK_LEVEL.
func ModuleWithOptions(opts ...Option) fx.Option {
	return fx.Module("grpchealth",
		fx.Provide(func(p moduleParams) (*Server, error) { return provide(p, opts) }),
		fx.Invoke(func(*Server) {}),
	)
}

// moduleParams is what Module consumes.
type moduleParams struct {
	fx.In

	FxLifecycle fx.Lifecycle
	GRPC        *grpc.Server
	Runner      *checks.Runner
	Lifecycle   *lifecycle.Lifecycle
	Level       checks.Level   `name:"health.level"`
	Groups      []checks.Group `name:"health.groups"`
}

func provide(p moduleParams, opts []Option) (*Server, error) {
	all := []Option{WithLevel(p.Level), WithReadiness(p.Lifecycle)}
	if len(p.Groups) > 0 {
		all = append(all, WithGroups(p.Groups...))
	}
	all = append(all, opts...)
	s, err := New(p.Runner, all...)
	if err != nil {
		return nil, err
	}
	s.Register(p.GRPC)
	p.Lifecycle.AddHooks(lifecycle.Hooks{OnDrained: s.Close})
	// Without a drain (a start that failed early) the streams still end.
	p.FxLifecycle.Append(fx.StopHook(func(context.Context) { s.Close() }))
	return s, nil
}
