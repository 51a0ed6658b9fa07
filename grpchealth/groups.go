package grpchealth

import (
	"context"
	"fmt"
	"slices"

	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/echofx/healthcheck/checks"
)

// WithGroups serves each health group as a service of its own name, as
// httphealth serves it at {prefix}/group/{name} (healthfx passes
// HEALTH_GROUPS): SERVING while its checks aggregate to healthy or
// degraded (an optional check's failure only degrades), NOT_SERVING
// otherwise, whatever WithLevel says; the Readiness and Shutdown concern
// the "" service only. New refuses a group naming a check that is not
// registered, an empty group, a group named twice or like a check (see
// checks.ValidateGroups), with a *checks.ConfigError naming the group and the check. Default: none.
func WithGroups(groups ...checks.Group) Option {
	gs := make([]checks.Group, len(groups))
	for i, g := range groups {
		gs[i] = checks.Group{Name: g.Name, Checks: slices.Clone(g.Checks)}
	}
	return optionFunc(func(c *config) { c.groups = gs })
}

// validateGroups checks the groups against runner's checks.
func validateGroups(runner *checks.Runner, groups []checks.Group) error {
	if err := checks.ValidateGroups(groups, func(n string) bool { _, ok := runner.Lookup(n); return ok }); err != nil {
		return fmt.Errorf("grpchealth: WithGroups: %w", err)
	}
	return nil
}

// group returns the group named service, if any.
func (s *Server) group(service string) (checks.Group, bool) {
	for _, g := range s.groups {
		if g.Name == service {
			return g, true
		}
	}
	return checks.Group{}, false
}

// groupStatus is g's serving status, from the runner's cache when fresh
// (waiting on its required checks up to the probe budget) or its snapshot
// as it is.
func (s *Server) groupStatus(ctx context.Context, g checks.Group, fresh bool) healthpb.HealthCheckResponse_ServingStatus {
	var snap *checks.Snapshot
	if fresh {
		snap = s.runner.Latest(ctx, checks.LevelComprehensive)
	} else {
		snap = s.runner.Snapshot()
	}
	return groupStatusOf(snap, g)
}

// groupStatusOf is g's status in snap: SERVING while its checks are healthy
// or degraded.
func groupStatusOf(snap *checks.Snapshot, g checks.Group) healthpb.HealthCheckResponse_ServingStatus {
	var members []checks.Result
	for _, r := range snap.Results {
		if slices.Contains(g.Checks, r.Name) {
			members = append(members, r)
		}
	}
	if checks.Aggregate(members).OK() {
		return healthpb.HealthCheckResponse_SERVING
	}
	return healthpb.HealthCheckResponse_NOT_SERVING
}
