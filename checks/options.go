package checks

import "time"

// Option configures a Runner.
type Option interface{ apply(*config) }

type config struct {
	clock       Clock
	historySize int
	hooks       []Hooks
	probeBudget time.Duration

	// trends (trends.go); zero values mean the defaults
	trendShort, trendLong time.Duration
	trendTransitions      int
	trendsOff             bool
}

// DefaultProbeBudget is the longest a probe read (Runner.Latest) waits
// for a Required check that has no usable result. It stays well under
// Kubernetes' default probe timeoutSeconds (1 s), so that a probe answers
// (503 or 500 with "not checked yet") rather than times out while a
// dependency hangs at startup.
const DefaultProbeBudget = 500 * time.Millisecond

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithClock sets the runner's clock (default SystemClock). Result times,
// TTLs and staleness follow it; check timeouts are always real time. It is
// for tests and simulations that drive time with a fake clock (this
// module's tests use internal/testutil's); a service keeps the default.
func WithClock(c Clock) Option {
	return optionFunc(func(cfg *config) {
		if c != nil {
			cfg.clock = c
		}
	})
}

// WithHistorySize sets how many recent results are kept per check for
// History and Availability (default DefaultHistorySize = 20; values below 1
// are ignored; values above MaxHistorySize = 10,000 are clamped to it).
// Memory follows the results held, not the size: a check's history grows
// as its results arrive, up to the size, each result held costing about
// 150 bytes plus its message (see MaxHistorySize).
func WithHistorySize(n int) Option {
	return optionFunc(func(cfg *config) {
		if n >= 1 {
			cfg.historySize = min(n, MaxHistorySize)
		}
	})
}

// WithProbeBudget sets how long a probe read (Runner.Latest) may wait
// for a Required check that has no usable result (default
// DefaultProbeBudget = 500 ms). Keep it under the probes' timeoutSeconds.
// Zero or a negative value makes probe reads never wait: they start the
// execution in the background and answer at once. The detailed read
// (Runner.Latest) is not bounded by it.
func WithProbeBudget(d time.Duration) Option {
	return optionFunc(func(cfg *config) { cfg.probeBudget = max(d, 0) })
}

// WithHooks adds event hooks at construction; see Runner.AddHooks.
func WithHooks(h Hooks) Option {
	return optionFunc(func(cfg *config) { cfg.hooks = append(cfg.hooks, h) })
}

// Hooks receive the runner's events. Nil fields are skipped. Hooks run
// synchronously on the goroutine that executed the check, after the result
// is recorded and outside any lock; they must be quick and must not block.
// For one check, events arrive in order. A panicking hook is recovered.
type Hooks struct {
	// OnResult receives every execution's result exactly once.
	OnResult func(Result)
	// OnTransition receives every change of a check's reported status
	// exactly once (including the first, from StatusUnknown).
	OnTransition func(Transition)
	// OnCoalesced is called, with the check's name, for each caller that
	// shared another caller's execution instead of starting its own.
	OnCoalesced func(check string)
}
