package redishealth

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/echofx/healthcheck/checks"
)

// DefaultSlowThreshold is Config.SlowThreshold's default, that of
// redischeck.New.
const DefaultSlowThreshold = 500 * time.Millisecond

// DefaultName is Config.Name's default.
const DefaultName = "redis"

// Config configures Check. Zero fields take the documented defaults.
type Config struct {
	// Name of the check. Default DefaultName ("redis").
	Name string
	// SlowThreshold: a PING slower than this makes the check degraded
	// with the message "slow response (612ms)". Default
	// DefaultSlowThreshold (500 ms); negative disables.
	SlowThreshold time.Duration
	// Required makes the check checks.Required: the startup gate (and so
	// the ready hooks) waits for it, and it fails the public route and
	// /ready when unhealthy. Default false: Optional, it only degrades.
	Required bool
	// Startup makes the startup gate (and so the ready hooks) wait for
	// the check while it stays Optional afterwards (checks.Check.Startup),
	// for a dependency a ready hook needs, such as a cache warm-up.
	// Default false.
	Startup bool
}

// Check returns a LevelStandard check, Optional unless cfg.Required (named cfg.Name, default
// "redis") that sends PING through client, the application's own client,
// with the context the runner passes (the check's Timeout). go-redis
// honours that deadline on the socket only when the client's
// Options.ContextTimeoutEnabled is true; otherwise its own ReadTimeout
// (3 s by default) bounds the PING, the runner reports "timeout" at the
// check's Timeout all the same, and the late PING ends in the background,
// holding a pooled connection meanwhile. Enable ContextTimeoutEnabled, or
// keep ReadTimeout near the check's Timeout. Set cfg.Required
// when the service cannot work without Redis.
//
// Details, read from client.PoolStats() after the probe: "hits", "misses",
// "timeouts" (pool wait timeouts), "total_conns", "idle_conns",
// "stale_conns", plus "response_ms".
//
// Outcomes:
//
//   - healthy when PING answers PONG;
//   - degraded when it took longer than cfg.SlowThreshold ("slow response
//     (612ms)");
//   - unhealthy otherwise: "authentication failed" (a wrong password or
//     user, NOAUTH, WRONGPASS), "permission denied" (an ACL without PING),
//     "loading" (the server is loading its data set), "pool timeout"
//     (every connection busy for PoolTimeout), "client closed", "unexpected
//     reply (<CODE>)" for another server error (its first word only), or a
//     transport class ("connection refused", "timeout", "host not found",
//     ... or "connection failed").
//
// Messages and details never carry the address, the user name or the
// password; the go-redis error stays reachable as Report.Err. A nil client
// is a *checks.ConfigError. New has the shape of every integration of
// this library (package checks' integrations: New(target, Config)).
func New(client redis.UniversalClient, cfg Config) (checks.Check, error) {
	if client == nil {
		return checks.Check{}, &checks.ConfigError{Package: "redishealth", Setting: "redishealth.New client",
			Reason: "a nil redis.UniversalClient"}
	}
	name := cfg.Name
	if name == "" {
		name = DefaultName
	}
	slow := cfg.SlowThreshold
	if slow == 0 {
		slow = DefaultSlowThreshold
	}
	fn := func(ctx context.Context) checks.Report {
		start := time.Now()
		reply, err := client.Ping(ctx).Result()
		elapsed := time.Since(start)
		details := poolDetails(client.PoolStats())
		details["response_ms"] = float64(elapsed.Microseconds()) / 1000
		if ctx.Err() != nil && err == nil {
			// The client ignores context deadlines unless its
			// ContextTimeoutEnabled is set: a late PONG is still a timeout.
			err = ctx.Err()
		}
		if err == nil && reply != "PONG" {
			err = errors.New("redis: unexpected reply to PING")
			return checks.Report{Status: checks.StatusUnhealthy, Message: "unexpected reply", Err: err, Details: details}
		}
		if err != nil {
			return checks.Report{Status: checks.StatusUnhealthy, Message: message(ctx, err), Err: err, Details: details}
		}
		if slow > 0 && elapsed > slow {
			return checks.Report{Status: checks.StatusDegraded, Message: slowMessage(elapsed), Details: details}
		}
		return checks.Report{Status: checks.StatusHealthy, Details: details}
	}
	crit := checks.Optional
	if cfg.Required {
		crit = checks.Required
	}
	return checks.Check{Name: name, Func: fn, Criticality: crit, Startup: cfg.Startup, Level: checks.LevelStandard}, nil
}

// poolDetails are the pool statistics shown in the details.
func poolDetails(s *redis.PoolStats) map[string]any {
	if s == nil {
		return map[string]any{}
	}
	return map[string]any{
		"hits":        s.Hits,
		"misses":      s.Misses,
		"timeouts":    s.Timeouts,
		"total_conns": s.TotalConns,
		"idle_conns":  s.IdleConns,
		"stale_conns": s.StaleConns,
	}
}

// message is the public text of a failed PING.
func message(ctx context.Context, err error) string {
	switch {
	case redis.IsAuthError(err):
		return "authentication failed"
	case redis.IsPermissionError(err):
		return "permission denied"
	case redis.IsLoadingError(err):
		return "loading"
	case errors.Is(err, redis.ErrPoolTimeout):
		return "pool timeout"
	case errors.Is(err, redis.ErrClosed):
		return "client closed"
	}
	var rerr redis.Error
	if errors.As(err, &rerr) {
		if code := serverCode(rerr.Error()); code != "" {
			return "unexpected reply (" + code + ")"
		}
		// go-redis also marks some client-side errors as redis.Error;
		// fall through to the transport classes.
	}
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return "timeout"
		}
		return "canceled"
	}
	if class := checks.ErrorClass(err); class != "" {
		return class
	}
	return "connection failed"
}

// serverCode is the error code of a server error reply ("LOADING Redis is
// loading..." gives "LOADING"), or "" when text does not start with one.
func serverCode(text string) string {
	code, _, _ := strings.Cut(text, " ")
	if code == "" || len(code) > 32 {
		return ""
	}
	for _, c := range code {
		if (c < 'A' || c > 'Z') && c != '_' {
			return ""
		}
	}
	return code
}

// slowMessage is the degraded message of a probe that took d, as the
// checks package writes it (its helper is unexported): "slow response (1.2s)" or "slow response
// (612ms)".
func slowMessage(d time.Duration) string {
	if d >= time.Second {
		d = d.Round(100 * time.Millisecond)
	} else {
		d = d.Round(time.Millisecond)
	}
	return "slow response (" + d.String() + ")"
}
