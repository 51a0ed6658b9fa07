package checks

import (
	"context"
	"fmt"
	"time"
)

// Defaults applied by Runner.Register to a Check's zero fields.
const (
	// DefaultTimeout bounds one execution of a check.
	DefaultTimeout = 5 * time.Second
	// DefaultInterval is how often the periodic runner (package lifecycle)
	// runs a check. A minute is common; 15 s keeps the picture
	// within one Prometheus scrape window and costs a dependency four
	// trivial queries a minute.
	DefaultInterval = 15 * time.Second
	// DefaultTTL is how long a result is served from the cache before a
	// read starts a refresh.
	DefaultTTL = time.Second
	// DefaultHistorySize is how many recent results a runner keeps per check.
	DefaultHistorySize = 20
	// MaxHistorySize is the largest history size: WithHistorySize clamps
	// larger values to it. A history grows as results arrive, and each
	// result it holds costs about 150 bytes plus its message (at most 200
	// bytes; its Details are not kept), so a full history of this size
	// holds at most about 3.5 MB per check (1.5 MB with short messages).
	MaxHistorySize = 10000
)

// Func probes one dependency. It must honour ctx (whose deadline is the
// check's Timeout); the runner abandons a Func that does not, and reports a
// timeout. A panic inside a Func is recovered and reported as unhealthy.
type Func func(ctx context.Context) Report

// Report is what a Func returns.
type Report struct {
	// Status is the outcome. The zero value (StatusUnknown) means
	// StatusHealthy when Err is nil and StatusUnhealthy otherwise.
	Status Status
	// Message is a short text safe to show to anyone: it must carry no DSN,
	// password, token, user name or host. When empty and Err is set, the
	// runner uses SafeMessage(Err).
	Message string
	// Details are small observed values (pool sizes, status code, free
	// bytes) shown by the detailed endpoint. The map must not be modified
	// after the Func returns.
	Details map[string]any
	// Err is the cause. It is never shown as is: see SafeMessage.
	Err error
	// Permanent marks a failure that waiting will not cure (see
	// Permanent); an Err marked with Permanent sets it too. It is ignored
	// when the report is not a failure.
	Permanent bool
}

// Check describes one dependency to watch. Zero fields take the documented
// defaults when registered with a Runner.
type Check struct {
	// Name identifies the check in results, routes and metric labels.
	// Required; unique within a runner.
	Name string
	// Func runs the probe. Required.
	Func Func
	// Criticality: Required (the zero value) makes the service unhealthy
	// when this check is; Optional only degrades it.
	Criticality Criticality
	// Level is the narrowest report level the check belongs to (zero:
	// LevelBasic, i.e. every level).
	Level Level
	// Timeout bounds one execution. Default DefaultTimeout.
	Timeout time.Duration
	// Interval is the period of the lifecycle package's periodic runner.
	// Default DefaultInterval.
	Interval time.Duration
	// TTL is how long a result is fresh: reads within it are served from
	// the cache without any work; a read after it starts one background
	// refresh and is still answered from the cache. Default DefaultTTL.
	TTL time.Duration
	// MaxStaleness is the age past which a cached result is not trusted:
	// a read waits (at most Timeout) for a fresh result and, failing that,
	// reports the check unhealthy with the message "stale". Default
	// max(TTL, Interval) + Timeout, which a result never reaches while the
	// periodic runner or regular reads keep it fresh and the check honours
	// its timeout.
	MaxStaleness time.Duration
	// DependsOn names checks that must not be unhealthy for this one to
	// run. When one is, this check is reported unhealthy with the message
	// "dependency <name> unhealthy" (or "dependency <name>: <error>" when
	// its result could not be had) and its Func is not called.
	DependsOn []string
	// Startup makes the lifecycle startup gate wait for this check even when
	// it is Optional. Required checks are always waited for.
	Startup bool
	// FailureThreshold is how many consecutive failed executions turn a
	// healthy or degraded check unhealthy (flap damping). Default 1.
	FailureThreshold int
	// SuccessThreshold is how many consecutive passing executions turn an
	// unhealthy check healthy again. Default 1.
	SuccessThreshold int
	// Remediate, when set, is run by the lifecycle package after
	// RemediateAfter consecutive failures (e.g. reset a pool), rate limited
	// with backoff. Nil means no remediation.
	Remediate func(ctx context.Context) error
	// RemediateAfter is the number of consecutive failures before Remediate
	// runs. Default 3.
	RemediateAfter int
	// downstream marks a check of another service's health (set by
	// package checks/downstream through internal/checkview). A service
	// answering a request made by a downstream check reports the aggregate
	// without its own downstream checks, so that cycles settle; see the
	// package documentation.
	downstream bool
}

// ValidateName reports whether name can name a check: non-empty printable
// ASCII without spaces, '/', '"' or '\\' (it appears in routes, JSON keys
// and metric labels). The error says what is wrong with the name.
func ValidateName(name string) error {
	if name == "" {
		return fmt.Errorf("%w: empty name", errInvalidCheck)
	}
	for _, r := range name {
		if r < 0x21 || r > 0x7e || r == '/' || r == '"' || r == '\\' {
			return fmt.Errorf("%w: name %q must be printable ASCII without spaces, '/', '\"' or '\\'", errInvalidCheck, name)
		}
	}
	return nil
}

// withDefaults returns c with zero fields filled in, or a registration
// error wrapping errInvalidCheck.
func (c Check) withDefaults() (Check, error) {
	bad := func(detail string) (Check, error) {
		return c, registrationError(c.Name, errInvalidCheck, detail)
	}
	switch {
	case c.Name == "":
		return bad("empty name")
	case c.Func == nil:
		return bad("nil Func")
	case c.Timeout < 0, c.Interval < 0, c.TTL < 0, c.MaxStaleness < 0:
		return bad("negative duration")
	case c.FailureThreshold < 0, c.SuccessThreshold < 0, c.RemediateAfter < 0:
		return bad("negative threshold")
	case c.Level > LevelComprehensive:
		return bad(fmt.Sprintf("unknown level %d", c.Level))
	case c.Criticality > Optional:
		return bad(fmt.Sprintf("unknown criticality %d", c.Criticality))
	}
	if err := ValidateName(c.Name); err != nil {
		return bad(err.Error())
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Interval == 0 {
		c.Interval = DefaultInterval
	}
	if c.TTL == 0 {
		c.TTL = DefaultTTL
	}
	if c.MaxStaleness == 0 {
		c.MaxStaleness = max(c.TTL, c.Interval) + c.Timeout
	}
	if c.MaxStaleness < c.TTL {
		return bad("MaxStaleness shorter than TTL")
	}
	if c.FailureThreshold == 0 {
		c.FailureThreshold = 1
	}
	if c.SuccessThreshold == 0 {
		c.SuccessThreshold = 1
	}
	if c.RemediateAfter == 0 {
		c.RemediateAfter = 3
	}
	c.DependsOn = append([]string(nil), c.DependsOn...)
	return c, nil
}
