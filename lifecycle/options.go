package lifecycle

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"time"

	"github.com/echofx/healthcheck/checks"
)

// Defaults of the options below.
//
// The startup defaults wait for a slow dependency up to a minute without
// holding the application's start: Lifecycle.Start returns after the
// gate's first attempt (at most StartFirstAttemptWait), and the gate goes
// on in the background, well past fx's 15 s start timeout. Failing
// attempts are retried after waits drawn with full jitter below caps of
// 1 s, 2 s, 4 s, then 8 s, until DefaultStartupMaxWait (60 s, beyond the
// 1 + 2 + 4 + 8 + 16 = 31 s of a classic five-retry schedule). The 8 s
// cap bounds how long a dependency that came up goes unnoticed: at most
// the cap plus one attempt, so a database that comes up after 20 s is
// seen within 10 s. A permanent failure (checks.Permanent: a database that
// does not exist, a wrong password) ends the gate at once.
//
// The shutdown default fits fx's 15 s stop timeout (fx.DefaultTimeout):
// 5 s of drain leave 10 s to the cleanups (HTTP server shutdown, pool
// close, flushing telemetry).
const (
	// DefaultStartupMaxAttempts is how many attempts the gate makes before
	// giving up: 0, bounded by the maximum wait only.
	DefaultStartupMaxAttempts = 0
	// DefaultStartupInitialBackoff caps the wait after the first failed
	// attempt.
	DefaultStartupInitialBackoff = time.Second
	// DefaultStartupMultiplier grows the cap from one attempt to the next.
	DefaultStartupMultiplier = 2.0
	// DefaultStartupMaxBackoff is the largest cap of one wait. It bounds
	// how long a dependency that came up goes unnoticed.
	DefaultStartupMaxBackoff = 8 * time.Second
	// DefaultStartupMaxWait bounds the whole gate, attempts and waits
	// included.
	DefaultStartupMaxWait = time.Minute
	// StartFirstAttemptWait is the longest Lifecycle.Start waits for the
	// gate's first attempt before it returns and leaves the gate to run
	// in the background. It keeps Start well inside fx's 15 s start
	// timeout even when a check hangs up to a long Timeout.
	StartFirstAttemptWait = 2 * time.Second
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
	maxAttempts    int
	initialBackoff time.Duration
	multiplier     float64
	maxBackoff     time.Duration
	maxWait        time.Duration
	clock          checks.Clock
	rand           func() float64
	logger         *slog.Logger
	drainDelay     time.Duration
	hooks          *hookSet
	remBackoff     time.Duration
	remMaxBackoff  time.Duration
	onGateFailure  func(error)
	// errs holds the options' validation errors (*checks.ConfigError).
	errs []error
}

// newConfig applies opts over the defaults; runner may be nil (the clock
// then defaults to the system clock). Invalid values are kept in errs.
func newConfig(runner *checks.Runner, opts []Option) config {
	cfg := config{
		maxAttempts:    DefaultStartupMaxAttempts,
		initialBackoff: DefaultStartupInitialBackoff,
		multiplier:     DefaultStartupMultiplier,
		maxBackoff:     DefaultStartupMaxBackoff,
		maxWait:        DefaultStartupMaxWait,
		rand:           rand.Float64,
		drainDelay:     DefaultDrainDelay,
		remBackoff:     DefaultRemediationBackoff,
		remMaxBackoff:  DefaultRemediationMaxBackoff,
		hooks:          &hookSet{},
	}
	for _, o := range opts {
		if o != nil {
			o.apply(&cfg)
		}
	}
	if cfg.maxBackoff < cfg.initialBackoff {
		cfg.invalid("WithStartupMaxBackoff", cfg.maxBackoff, "less than the initial backoff "+cfg.initialBackoff.String())
	}
	if cfg.remMaxBackoff < cfg.remBackoff {
		cfg.invalid("WithRemediationMaxBackoff", cfg.remMaxBackoff, "less than the remediation backoff "+cfg.remBackoff.String())
	}
	if cfg.clock == nil {
		cfg.clock = checks.SystemClock()
		if runner != nil {
			cfg.clock = runner.Clock()
		}
	}
	if cfg.logger == nil {
		cfg.logger = slog.Default()
	}
	return cfg
}

func (c *config) invalid(option string, value any, reason string) {
	c.errs = append(c.errs, &checks.ConfigError{Package: "lifecycle", Setting: option, Value: fmt.Sprint(value), Reason: reason})
}

// err returns the options' validation errors joined, or nil.
func (c *config) err() error { return errors.Join(c.errs...) }

// ValidateOptions reports the errors New, Start and Gate would report for
// opts: every invalid value as a *checks.ConfigError naming its option (joined
// with errors.Join), or nil. Use it to fail early, at construction.
func ValidateOptions(opts ...Option) error {
	cfg := newConfig(nil, opts)
	return cfg.err()
}

// WithStartupMaxAttempts sets how many attempts the gate makes before
// giving up (default DefaultStartupMaxAttempts = 0: bounded by the maximum
// wait only). Negative values are invalid.
func WithStartupMaxAttempts(n int) Option {
	return optionFunc(func(c *config) {
		if n < 0 {
			c.invalid("WithStartupMaxAttempts", n, "negative")
			return
		}
		c.maxAttempts = n
	})
}

// WithStartupInitialBackoff sets the cap of the wait after the first
// failed attempt (default DefaultStartupInitialBackoff = 1 s). Values of
// zero or less are invalid.
func WithStartupInitialBackoff(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d <= 0 {
			c.invalid("WithStartupInitialBackoff", d, "not positive")
			return
		}
		c.initialBackoff = d
	})
}

// WithStartupMaxBackoff sets the largest cap of one wait between attempts
// (default DefaultStartupMaxBackoff = 8 s). It bounds how long a
// dependency that came up goes unnoticed. Values of zero or less, or less
// than the initial backoff, are invalid.
func WithStartupMaxBackoff(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d <= 0 {
			c.invalid("WithStartupMaxBackoff", d, "not positive")
			return
		}
		c.maxBackoff = d
	})
}

// WithStartupMultiplier sets the factor by which the cap grows after each
// failed attempt (default DefaultStartupMultiplier = 2). Values below 1
// (and NaN or infinity) are invalid.
func WithStartupMultiplier(m float64) Option {
	return optionFunc(func(c *config) {
		if !(m >= 1) || math.IsInf(m, 1) {
			c.invalid("WithStartupMultiplier", m, "below 1 or not finite")
			return
		}
		c.multiplier = m
	})
}

// WithStartupMaxWait bounds the whole gate, attempts and waits included,
// measured on the clock (default DefaultStartupMaxWait = 60 s). The gate
// uses all of it: a wait that would end past it is cut short so that a
// final attempt starts a slot before its end (the longest Timeout of the
// failing checks, at most a tenth of the budget), and an attempt still
// running at its end is cut there; the gate gives up only after that final
// attempt, so between 90 % and 100 % of the budget. Values of zero or less
// are invalid.
func WithStartupMaxWait(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d <= 0 {
			c.invalid("WithStartupMaxWait", d, "not positive")
			return
		}
		c.maxWait = d
	})
}

// WithOnGateFailure sets the function Lifecycle called when the startup
// gate, running in the background after Start returned, gives up: its
// budget is spent or a check failed permanently. It receives the
// *StartupError (already logged at error) and runs on the gate's
// goroutine; it is not called when Stop canceled the gate, nor when Start
// itself returns the error. healthfx wires it to
// fx.Shutdowner.Shutdown(fx.ExitCode(1)). Default: none (the service then
// stays live and not ready, with reason "startup failed"). Nil is ignored.
func WithOnGateFailure(f func(error)) Option {
	return optionFunc(func(c *config) {
		if f != nil {
			c.onGateFailure = f
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
// disables the delay; negative values are invalid.
func WithDrainDelay(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d < 0 {
			c.invalid("WithDrainDelay", d, "negative")
			return
		}
		c.drainDelay = d
	})
}

// WithHooks adds event hooks (for metrics). Several may be added; each is
// called in the order added.
func WithHooks(h Hooks) Option {
	return optionFunc(func(c *config) { c.hooks.add(h) })
}

// WithRemediationBackoff sets the least time between the end of a
// remediation and the start of the next one for the same check (default
// DefaultRemediationBackoff = 1 s), doubling after each remediation up to
// the maximum, and reset when the check passes again. Values of zero or
// less are invalid.
func WithRemediationBackoff(initial time.Duration) Option {
	return optionFunc(func(c *config) {
		if initial <= 0 {
			c.invalid("WithRemediationBackoff", initial, "not positive")
			return
		}
		c.remBackoff = initial
	})
}

// WithRemediationMaxBackoff caps the remediation backoff (default
// DefaultRemediationMaxBackoff = 5 min). Values of zero or less, or less
// than the remediation backoff, are invalid.
func WithRemediationMaxBackoff(max time.Duration) Option {
	return optionFunc(func(c *config) {
		if max <= 0 {
			c.invalid("WithRemediationMaxBackoff", max, "not positive")
			return
		}
		c.remMaxBackoff = max
	})
}
