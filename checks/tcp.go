package checks

import (
	"context"
	"net"
	"time"
)

// DefaultTCPSlowThreshold is TCPConfig.SlowThreshold's default.
const DefaultTCPSlowThreshold = time.Second

// TCPConfig configures TCP. Zero fields take the documented defaults.
type TCPConfig struct {
	// SlowThreshold: a connection taking longer than this to establish
	// makes the check degraded with the message "slow response (1.2s)".
	// Default DefaultTCPSlowThreshold (1 s); negative disables.
	SlowThreshold time.Duration
}

// TCP returns an Optional, LevelStandard check named name that opens a TCP
// connection to addr ("host:port") and closes it at once. It is healthy when
// the connection is established, degraded when that took longer than
// cfg.SlowThreshold, and unhealthy otherwise with a class as the message
// ("connection refused", "timeout", "host not found", "network
// unreachable", "connection failed"); an addr without a port reads
// "invalid address". The dial is bounded by the context the runner passes.
//
// The only detail is "connect_ms": neither the message nor the details show
// addr, whose host may be internal.
func TCP(name, addr string, cfg TCPConfig) Check {
	_, _, addrErr := net.SplitHostPort(addr)
	slow := cfg.SlowThreshold
	if slow == 0 {
		slow = DefaultTCPSlowThreshold
	}
	fn := func(ctx context.Context) Report {
		if addrErr != nil {
			return failReport("invalid address", addrErr, nil)
		}
		var d net.Dialer
		start := time.Now()
		conn, err := d.DialContext(ctx, "tcp", addr)
		elapsed := time.Since(start)
		details := map[string]any{"connect_ms": durationMS(elapsed)}
		if err != nil {
			return failReport(netErrorMessage(ctx, err), err, details)
		}
		_ = conn.Close()
		if slow > 0 && elapsed > slow {
			return Report{Status: StatusDegraded, Message: slowMessage(elapsed), Details: details}
		}
		return Report{Status: StatusHealthy, Details: details}
	}
	return Check{Name: name, Func: fn, Criticality: Optional, Level: LevelStandard}
}

// netErrorMessage classifies a dial or I/O error without repeating it (a
// *net.OpError's text holds the address).
func netErrorMessage(ctx context.Context, err error) string {
	if ctx.Err() != nil {
		return ErrorClass(ctx.Err())
	}
	if c := ErrorClass(err); c != "" {
		return c
	}
	return "connection failed"
}
