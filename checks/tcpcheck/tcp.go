package tcpcheck

import (
	"context"
	"net"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/checks/internal/report"
)

// DefaultSlowThreshold is Config.SlowThreshold's default.
const DefaultSlowThreshold = time.Second

// Config configures TCP. Zero fields take the documented defaults.
type Config struct {
	// SlowThreshold: a connection taking longer than this to establish
	// makes the check degraded with the message "slow response (1.2s)".
	// Default DefaultSlowThreshold (1 s); negative disables.
	SlowThreshold time.Duration
}

// New returns an Optional, LevelStandard check named name that opens a TCP
// connection to addr ("host:port") and closes it at once. It is healthy when
// the connection is established, degraded when that took longer than
// cfg.SlowThreshold, and unhealthy otherwise with a class as the message
// ("connection refused", "timeout", "host not found", "network
// unreachable", "connection failed"); an addr without a port reads
// "invalid address". The dial is bounded by the context the runner passes.
//
// The only detail is "connect_ms": neither the message nor the details show
// addr, whose host may be internal.
func New(name, addr string, cfg Config) checks.Check {
	_, _, addrErr := net.SplitHostPort(addr)
	slow := cfg.SlowThreshold
	if slow == 0 {
		slow = DefaultSlowThreshold
	}
	fn := func(ctx context.Context) checks.Report {
		if addrErr != nil {
			return report.Fail("invalid address", addrErr, nil)
		}
		var d net.Dialer
		start := time.Now()
		conn, err := d.DialContext(ctx, "tcp", addr)
		elapsed := time.Since(start)
		details := map[string]any{"connect_ms": report.DurationMS(elapsed)}
		if err != nil {
			return report.Fail(report.NetError(ctx, err), err, details)
		}
		_ = conn.Close()
		if slow > 0 && elapsed > slow {
			return checks.Report{Status: checks.StatusDegraded, Message: report.SlowMessage(elapsed), Details: details}
		}
		return checks.Report{Status: checks.StatusHealthy, Details: details}
	}
	return checks.Check{Name: name, Func: fn, Criticality: checks.Optional, Level: checks.LevelStandard}
}
