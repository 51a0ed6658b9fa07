package lifecycle

import (
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/echofx/healthcheck/checks"
)

// Defaults of the options below.
//
// The startup defaults fit fx's 15 s start timeout (fx.DefaultTimeout): the
// waits between the 5 attempts are capped at 500 ms, 1 s, 2 s and 4 s
// (7.5 s in all, about half that on average with full jitter), so a
// database that refuses connections is waited for some 4 to 8 s; an
// attempt may take up to a check's Timeout (5 s by default), so 5 hanging
// attempts could take 32 s: the overall DefaultStartupMaxWait of 12 s
// bounds that and leaves 3 s of the 15 s to the application's other start
// hooks. The gate also stops before
// the deadline of its context, so a shorter start timeout still gets a
// *StartupError rather than fx's own timeout.
//
// The shutdown default fits fx's 15 s stop timeout (fx.DefaultTimeout):
// 5 s of drain leave 10 s to the cleanups (HTTP server shutdown, pool
// close, flushing telemetry).
const (
	// DefaultStartupMaxAttempts is how many times the gate runs a failing
	// check before giving up.
	DefaultStartupMaxAttempts = 5
	// DefaultStartupInitialInterval caps the wait after the first failed
	// attempt.
	DefaultStartupInitialInterval = 500 * time.Millisecond
	// DefaultStartupMultiplier grows the cap from one attempt to the next.
	DefaultStartupMultiplier = 2.0
	// DefaultStartupMaxInterval is the largest cap of one wait.
	DefaultStartupMaxInterval = 4 * time.Second
	// DefaultStartupMaxWait bounds the whole gate, attempts and waits
	// included.
	DefaultStartupMaxWait = 12 * time.Second
	// DefaultDrainDelay is how long Stop keeps serving while reporting not
	// ready. It must cover the readiness probe's periodSeconds x
	// failureThreshold (the time the kubelet needs to see the failure) plus
	// a second or so for the endpoints to update, so that the load balancer
	// has stopped sending traffic before the server shuts down. 5 s suits a
	// probe of periodSeconds 2 and failureThreshold 2. Kubernetes' own probe
	// defaults (10 s x 3) would need over 30 s: more than fx's 15 s stop
	// timeout, which must hold the drain delay plus every cleanup; raise
	// fx.StopTimeout (and terminationGracePeriodSeconds) with the delay.
	DefaultDrainDelay = 5 * time.Second
	// DefaultRemediationBackoff is the least time between the end of one
	// remediation of a check and the start of the next; it doubles after
	// each remediation that did not bring the check back.
	DefaultRemediationBackoff = time.Second
	// DefaultRemediationMaxBackoff caps the remediation backoff.
	DefaultRemediationMaxBackoff = 5 * time.Minute
	// DefaultPeriodicJitter is the largest share of a check's Interval by
	// which the periodic runner shortens a wait, to spread the checks.
	DefaultPeriodicJitter = 0.1
)

// Option configures a Lifecycle and the startup gate.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	maxAttempts     int
	initialInterval time.Duration
	multiplier      float64
	maxInterval     time.Duration
	maxWait         time.Duration
	clock           checks.Clock
	rand            func() float64
	logger          *slog.Logger
	drainDelay      time.Duration
	hooks           []Hooks
	remBackoff      time.Duration
	remMaxBackoff   time.Duration
}

func newConfig(runner *checks.Runner, opts []Option) config {
	cfg := config{
		maxAttempts:     DefaultStartupMaxAttempts,
		initialInterval: DefaultStartupInitialInterval,
		multiplier:      DefaultStartupMultiplier,
		maxInterval:     DefaultStartupMaxInterval,
		maxWait:         DefaultStartupMaxWait,
		rand:            rand.Float64,
		drainDelay:      DefaultDrainDelay,
		remBackoff:      DefaultRemediationBackoff,
		remMaxBackoff:   DefaultRemediationMaxBackoff,
	}
	for _, o := range opts {
		if o != nil {
			o.apply(&cfg)
		}
	}
	if cfg.clock == nil {
		cfg.clock = runner.Clock()
	}
	if cfg.logger == nil {
		cfg.logger = slog.Default()
	}
	return cfg
}

// WithStartupMaxAttempts sets how many times the gate runs a failing check
// (default DefaultStartupMaxAttempts = 5). Values below 1 are ignored.
func WithStartupMaxAttempts(n int) Option {
	return optionFunc(func(c *config) {
		if n >= 1 {
			c.maxAttempts = n
		}
	})
}

// WithStartupInitialInterval sets the cap of the wait after the first
// failed attempt (default DefaultStartupInitialInterval = 500 ms). Zero
// retries at once; negative values are ignored.
func WithStartupInitialInterval(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d >= 0 {
			c.initialInterval = d
		}
	})
}

// WithStartupMaxInterval sets the largest cap of one wait between attempts
// (default DefaultStartupMaxInterval = 4 s). Negative values are ignored.
func WithStartupMaxInterval(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d >= 0 {
			c.maxInterval = d
		}
	})
}

// WithStartupMultiplier sets the factor by which the cap grows after each
// failed attempt (default DefaultStartupMultiplier = 2). Values below 1 are
// ignored.
func WithStartupMultiplier(m float64) Option {
	return optionFunc(func(c *config) {
		if m >= 1 {
			c.multiplier = m
		}
	})
}

// WithStartupMaxWait bounds the whole gate, attempts and waits included,
// measured on the clock (default DefaultStartupMaxWait = 12 s). The gate
// never starts a wait that would end past it and cuts the last attempt at
// it. Values of zero or less are ignored.
func WithStartupMaxWait(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d > 0 {
			c.maxWait = d
		}
	})
}

// WithClock sets the clock of the waits (startup backoff, periodic
// intervals, drain delay, remediation backoff). Default: the runner's
// clock. Check timeouts and context deadlines are always real time. Nil is
// ignored.
func WithClock(clock checks.Clock) Option {
	return optionFunc(func(c *config) {
		if clock != nil {
			c.clock = clock
		}
	})
}

// WithRand sets the source of jitter, a function returning values in
// [0, 1] (default math/rand/v2.Float64). Tests pass a constant: 1 makes
// every startup wait its cap and every periodic wait 10 % short of the
// interval, 0 makes startup waits zero and periodic waits the full
// interval. Nil is ignored.
func WithRand(f func() float64) Option {
	return optionFunc(func(c *config) {
		if f != nil {
			c.rand = f
		}
	})
}

// WithLogger sets the logger (default slog.Default() at the time of New
// or Gate). Nil is ignored.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c *config) {
		if l != nil {
			c.logger = l
		}
	})
}

// WithDrainDelay sets how long Stop reports not ready while still serving,
// before it stops anything (default DefaultDrainDelay = 5 s; size it from
// the readiness probe's periodSeconds x failureThreshold, see
// DefaultDrainDelay). The delay and the cleanups together must fit the
// stop timeout (fx: 15 s); Stop's context cuts the delay short. Zero
// disables the delay; negative values are ignored.
func WithDrainDelay(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d >= 0 {
			c.drainDelay = d
		}
	})
}

// WithHooks adds event hooks (for metrics). Several may be added; each is
// called in the order added.
func WithHooks(h Hooks) Option {
	return optionFunc(func(c *config) { c.hooks = append(c.hooks, h) })
}

// WithRemediationBackoff sets the least time between the end of a
// remediation and the start of the next one for the same check (default
// DefaultRemediationBackoff = 1 s), doubling after each remediation up to
// the maximum, and reset when the check passes again. Values of zero or
// less are ignored.
func WithRemediationBackoff(initial time.Duration) Option {
	return optionFunc(func(c *config) {
		if initial > 0 {
			c.remBackoff = initial
		}
	})
}

// WithRemediationMaxBackoff caps the remediation backoff (default
// DefaultRemediationMaxBackoff = 5 min). Values of zero or less are
// ignored.
func WithRemediationMaxBackoff(max time.Duration) Option {
	return optionFunc(func(c *config) {
		if max > 0 {
			c.remMaxBackoff = max
		}
	})
}
