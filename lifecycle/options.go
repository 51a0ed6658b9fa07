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
	// DefaultStartupInitialBackoff caps the wait after the first failed
	// attempt (StartupConfig.InitialBackoff); healthfx's
	// HEALTH_STARTUP_INITIAL_BACKOFF defaults to it.
	DefaultStartupInitialBackoff = time.Second
	// DefaultStartupMaxBackoff is the largest cap of one wait
	// (StartupConfig.MaxBackoff). It bounds how long a dependency that came
	// up goes unnoticed; healthfx's HEALTH_STARTUP_MAX_BACKOFF defaults to
	// it.
	DefaultStartupMaxBackoff = 8 * time.Second
	// DefaultStartupMaxWait bounds the whole gate, attempts and waits
	// included (StartupConfig.MaxWait); healthfx's HEALTH_STARTUP_MAX_WAIT
	// defaults to it.
	DefaultStartupMaxWait = time.Minute
	// StartFirstAttemptWait is the longest Lifecycle.Start waits for the
	// gate's first attempt before it returns and leaves the gate to run
	// in the background. It keeps Start well inside fx's 15 s start
	// timeout even when a check hangs up to a long Timeout (the example
	// module's deployment test checks that bound).
	StartFirstAttemptWait = 2 * time.Second
	// DefaultDrainDelay is how long Stop keeps serving while reporting not
	// ready (WithDrainDelay). It must cover the readiness probe's
	// periodSeconds x failureThreshold (the time the kubelet needs to see
	// the failure) plus a second or so for the endpoints to update, so
	// that the load balancer has stopped sending traffic before the server
	// shuts down. 5 s suits a probe of periodSeconds 2 and
	// failureThreshold 2. Kubernetes' own probe defaults (10 s x 3) would
	// need over 30 s: more than fx's 15 s stop timeout, which must hold the
	// drain delay plus every cleanup; raise fx.StopTimeout (and
	// terminationGracePeriodSeconds) with the delay. healthfx's
	// HEALTH_DRAIN_DELAY defaults to it.
	DefaultDrainDelay = 5 * time.Second
)

// Defaults without a user outside this package: their values are stated
// in the docs of StartupConfig, WithRemediationBackoff and the periodic
// runner.
const (
	// defaultStartupMultiplier grows the cap from one attempt to the next.
	defaultStartupMultiplier = 2.0
	// defaultRemediationBackoff is the least time between the end of one
	// remediation of a check and the start of the next; it doubles after
	// each remediation that did not bring the check back.
	defaultRemediationBackoff = time.Second
	// defaultRemediationMaxBackoff caps the remediation backoff.
	defaultRemediationMaxBackoff = 5 * time.Minute
	// periodicJitter is the largest share of a check's Interval by which
	// the periodic runner shortens a wait, to spread the checks.
	periodicJitter = 0.1
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
	// readyHookTimeout bounds each ready hook; 0: what is left of maxWait.
	readyHookTimeout time.Duration
	clock            checks.Clock
	rand             func() float64
	logger           *slog.Logger
	drainDelay       time.Duration
	hooks            *hookSet
	remBackoff       time.Duration
	remMaxBackoff    time.Duration
	onGateFailure    func(error)
	// errs holds the options' validation errors (*checks.ConfigError).
	errs []error
}

// newConfig applies opts over the defaults; runner may be nil (the clock
// then defaults to the system clock). Invalid values are kept in errs.
func newConfig(runner *checks.Runner, opts []Option) config {
	cfg := config{
		initialBackoff: DefaultStartupInitialBackoff,
		multiplier:     defaultStartupMultiplier,
		maxBackoff:     DefaultStartupMaxBackoff,
		maxWait:        DefaultStartupMaxWait,
		rand:           rand.Float64,
		drainDelay:     DefaultDrainDelay,
		remBackoff:     defaultRemediationBackoff,
		remMaxBackoff:  defaultRemediationMaxBackoff,
		hooks:          &hookSet{},
	}
	for _, o := range opts {
		if o != nil {
			o.apply(&cfg)
		}
	}
	if cfg.maxBackoff < cfg.initialBackoff {
		cfg.invalid("StartupConfig.MaxBackoff", cfg.maxBackoff, "less than the initial backoff "+cfg.initialBackoff.String())
	}
	if cfg.remMaxBackoff < cfg.remBackoff {
		cfg.invalid("WithRemediationBackoff", cfg.remMaxBackoff, "maximum less than the backoff "+cfg.remBackoff.String())
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

// StartupConfig configures the startup gate's retries (WithStartup).
// Zero fields take the defaults; negative values are invalid (New and Gate
// return a *checks.ConfigError naming the field).
//
// The defaults wait for a slow dependency up to a minute without holding
// the application's start: Lifecycle.Start returns after the gate's first
// attempt (at most StartFirstAttemptWait), and the gate goes on in the
// background, well past fx's 15 s start timeout. Failing attempts are
// retried after waits drawn with full jitter below caps of 1 s, 2 s, 4 s,
// then 8 s, until DefaultStartupMaxWait (60 s, beyond the 1 + 2 + 4 + 8 +
// 16 = 31 s of a classic five-retry schedule). The 8 s cap bounds how long
// a dependency that came up goes unnoticed: at most the cap plus one
// attempt, so a database that comes up after 20 s is seen within 10 s. A
// permanent failure (checks.Permanent: a database that does not exist, a
// wrong password) ends the gate at once.
type StartupConfig struct {
	// MaxAttempts is how many attempts the gate makes before giving up.
	// Default 0: bounded by MaxWait only.
	MaxAttempts int
	// InitialBackoff caps the wait after the first failed attempt.
	// Default DefaultStartupInitialBackoff (1 s).
	InitialBackoff time.Duration
	// Multiplier grows the cap after each failed attempt. Default 2;
	// values below 1 (and infinity) are invalid.
	Multiplier float64
	// MaxBackoff is the largest cap of one wait between attempts. It
	// bounds how long a dependency that came up goes unnoticed. Default
	// DefaultStartupMaxBackoff (8 s); less than InitialBackoff is invalid.
	MaxBackoff time.Duration
	// MaxWait bounds the whole gate, attempts and waits included, measured
	// on the clock. Default DefaultStartupMaxWait (60 s). The gate uses
	// all of it: a wait that would end past it is cut short so that a
	// final attempt starts a slot before its end (the longest Timeout of
	// the failing checks, at most a tenth of the budget), and an attempt
	// still running at its end is cut there; the gate gives up only after
	// that final attempt, so between 90 % and 100 % of the budget.
	MaxWait time.Duration
	// ReadyHookTimeout bounds each ready hook (Lifecycle.OnReady), on the
	// clock. Default 0: MaxWait, the startup budget, for each hook, however
	// long the gate took (a database that came up late must not leave a
	// migration no time). A startupProbe should cover the gate and the
	// hooks; set this lower when they must fit the budget together. A hook still
	// running at its timeout is logged at warn ("ready hook has not
	// returned after its timeout"), its ctx is canceled, and it is
	// abandoned as a failed hook: a *ReadyHookError wrapping
	// context.DeadlineExceeded. Negative values are invalid.
	ReadyHookTimeout time.Duration
}

// WithStartup sets the startup gate's retries (see StartupConfig; default
// the zero StartupConfig, all defaults). healthfx builds it from its
// HEALTH_STARTUP_* settings.
func WithStartup(sc StartupConfig) Option {
	return optionFunc(func(c *config) {
		if sc.MaxAttempts < 0 {
			c.invalid("StartupConfig.MaxAttempts", sc.MaxAttempts, "negative")
		} else {
			c.maxAttempts = sc.MaxAttempts
		}
		durations := []struct {
			name string
			v    time.Duration
			dst  *time.Duration
		}{
			{"StartupConfig.InitialBackoff", sc.InitialBackoff, &c.initialBackoff},
			{"StartupConfig.MaxBackoff", sc.MaxBackoff, &c.maxBackoff},
			{"StartupConfig.MaxWait", sc.MaxWait, &c.maxWait},
			{"StartupConfig.ReadyHookTimeout", sc.ReadyHookTimeout, &c.readyHookTimeout},
		}
		for _, d := range durations {
			switch {
			case d.v < 0:
				c.invalid(d.name, d.v, "negative")
			case d.v > 0:
				*d.dst = d.v
			}
		}
		switch m := sc.Multiplier; {
		case m == 0:
		case !(m >= 1) || math.IsInf(m, 1):
			c.invalid("StartupConfig.Multiplier", m, "below 1 or not finite")
		default:
			c.multiplier = m
		}
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

// withClock sets the clock of the waits (startup backoff, periodic
// intervals, drain delay, remediation backoff). Default: the runner's
// clock, which is how a caller sets it (checks.WithClock); tests give a
// fake clock here. Check timeouts and context deadlines are always real
// time. Nil is ignored.
func withClock(clock checks.Clock) Option {
	return optionFunc(func(c *config) {
		if clock != nil {
			c.clock = clock
		}
	})
}

// withRand sets the source of jitter, a function returning values in
// [0, 1] (default math/rand/v2.Float64). Tests pass a constant: 1 makes
// every startup wait its cap and every periodic wait 10 % short of the
// interval, 0 makes startup waits zero and periodic waits the full
// interval. Nil is ignored.
func withRand(f func() float64) Option {
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
// remediation and the start of the next one for the same check (initial,
// default 1 s), doubling after each remediation up to max (default 5 min),
// and reset when the check passes again. Zero takes the default; negative
// values, or a max below initial, are invalid. It is here for checks with
// a Remediate function whose fix is slow or costly (no user in this
// module: healthfx keeps the defaults).
func WithRemediationBackoff(initial, max time.Duration) Option {
	return optionFunc(func(c *config) {
		switch {
		case initial < 0:
			c.invalid("WithRemediationBackoff", initial, "negative")
		case initial > 0:
			c.remBackoff = initial
		}
		switch {
		case max < 0:
			c.invalid("WithRemediationBackoff", max, "negative maximum")
		case max > 0:
			c.remMaxBackoff = max
		}
	})
}
