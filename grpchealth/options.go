package grpchealth

import "github.com/echofx/healthcheck/checks"

// Readiness is the lifecycle state the service-wide status honours:
// *lifecycle.Lifecycle satisfies it. ready false (starting, draining,
// stopped) makes the "" service NOT_SERVING whatever the checks say.
type Readiness interface {
	Readiness() (ready bool, reason string)
}

// Option configures a Server.
type Option interface{ apply(*config) }

type config struct {
	level     checks.Level
	readiness Readiness
	groups    []checks.Group // WithGroups (groups.go)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithLevel sets the level whose checks make the "" service's status.
// Default checks.LevelStandard (healthfx's HEALTH_CHECK_LEVEL default).
func WithLevel(l checks.Level) Option {
	return optionFunc(func(c *config) { c.level = l })
}

// WithReadiness makes the "" service NOT_SERVING while r is not ready.
// Default: none (always ready, the checks alone decide). A nil r is
// ignored.
func WithReadiness(r Readiness) Option {
	return optionFunc(func(c *config) {
		if r != nil {
			c.readiness = r
		}
	})
}
