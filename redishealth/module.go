package redishealth

import (
	"github.com/redis/go-redis/v9"
	"go.uber.org/fx"

	"github.com/echofx/healthcheck/checks"
)

// Module contributes New's check, with the default Config, to healthfx's checks
// when the application provides a go-redis client: a redis.UniversalClient,
// else a *redis.Client, a *redis.ClusterClient or a *redis.Ring (the first
// present, in that order). Without any it contributes nothing. Add it to
// fx.New beside healthfx.Module. The check is Optional: the startup gate,
// and so healthfx's ready hooks, do not wait for it; use ModuleWithConfig
// with Config.Required or Config.Startup for a service that needs Redis
// before it is ready.
var Module = ModuleWithConfig(Config{})

// ModuleWithConfig is Module with cfg for the check (e.g. Required, so that
// the startup gate waits for Redis, another Name, or a SlowThreshold).
func ModuleWithConfig(cfg Config) fx.Option {
	return fx.Module("redishealth", fx.Provide(func(p clients) (contributed, error) {
		if c := p.pick(); c != nil {
			check, err := New(c, cfg)
			return contributed{Checks: []checks.Check{check}}, err
		}
		return contributed{}, nil
	}))
}

// clients are the go-redis clients an application may provide.
type clients struct {
	fx.In

	Universal redis.UniversalClient `optional:"true"`
	Client    *redis.Client         `optional:"true"`
	Cluster   *redis.ClusterClient  `optional:"true"`
	Ring      *redis.Ring           `optional:"true"`
}

func (p clients) pick() redis.UniversalClient {
	switch {
	case p.Universal != nil:
		return p.Universal
	case p.Client != nil:
		return p.Client
	case p.Cluster != nil:
		return p.Cluster
	case p.Ring != nil:
		return p.Ring
	}
	return nil
}

// contributed puts zero or one check into healthfx's value group of
// contributed checks, "health.checks" (the group of healthfx.AsCheck and
// healthfx.SupplyCheck); flatten lets a constructor contribute none.
type contributed struct {
	fx.Out

	Checks []checks.Check `group:"health.checks,flatten"`
}
