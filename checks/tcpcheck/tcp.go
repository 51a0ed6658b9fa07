package tcpcheck

import (
	"context"
	"net"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/checks/internal/report"
)

// defaultSlowThreshold is Config.SlowThreshold's default.
const defaultSlowThreshold = time.Second

// Config configures New. Zero fields take the documented defaults.
type Config struct {
	// Name of the check. Default: addr's host, which then shows on the
	// detailed routes; set a name to keep the host private.
	Name string
	// SlowThreshold: a connection taking longer than this to establish
	// makes the check degraded with the message "slow response (1.2s)".
	// Default 1 s; negative (checks.Off) disables.
	SlowThreshold time.Duration
}

// New returns an Optional, LevelStandard check named cfg.Name (default addr's
// host) that opens a TCP
// connection to addr ("host:port") and closes it at once. It is healthy when
// the connection is established, degraded when that took longer than
// cfg.SlowThreshold, and unhealthy otherwise with a class as the message
// ("connection refused", "timeout", "host not found", "network
// unreachable", "connection failed"). An addr without a port is a
// *checks.ConfigError naming "tcpcheck.New addr". The dial is bounded by the context the runner passes.
//
// The only detail is "connect_ms": neither the message nor the details show
// addr, whose host may be internal.
func New(addr string, cfg Config) (checks.Check, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return checks.Check{}, &checks.ConfigError{Package: "tcpcheck", Setting: "tcpcheck.New addr", Reason: "want host:port"}
	}
	name := cfg.Name
	if name == "" {
		name = host
	}
	slow := cfg.SlowThreshold
	if slow == 0 {
		slow = defaultSlowThreshold
	}
	fn := func(ctx context.Context) checks.Report {
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
	return checks.Check{Name: name, Func: fn, Criticality: checks.Optional, Level: checks.LevelStandard}, nil
}
