// Package report holds the helpers with which the integration packages
// under checks build their reports: an unhealthy report whose cause is
// never shown, the "slow response" message, durations in details, and the
// classes of dial errors. It imports nothing heavier than net, so that a
// check such as sqlcheck does not make its users compile net/http.
package report

import (
	"context"
	"time"

	"github.com/echofx/healthcheck/checks"
)

// Fail is an unhealthy report whose public message is msg and whose cause
// is err, kept reachable but never shown.
func Fail(msg string, err error, details map[string]any) checks.Report {
	return checks.Report{Status: checks.StatusUnhealthy, Message: msg, Details: details, Err: checks.NewSafeError(msg, err)}
}

// DurationMS is d in milliseconds with microsecond precision, for details.
func DurationMS(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}

// SlowMessage is the degraded message of a probe that took d:
// "slow response (1.2s)" or "slow response (612ms)".
func SlowMessage(d time.Duration) string {
	if d >= time.Second {
		d = d.Round(100 * time.Millisecond)
	} else {
		d = d.Round(time.Millisecond)
	}
	return "slow response (" + d.String() + ")"
}

// NetError classifies a dial or I/O error without repeating it (a
// *net.OpError's text holds the address).
func NetError(ctx context.Context, err error) string {
	if ctx.Err() != nil {
		return checks.ErrorClass(ctx.Err())
	}
	if c := checks.ErrorClass(err); c != "" {
		return c
	}
	return "connection failed"
}
