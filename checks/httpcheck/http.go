package httpcheck

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/checks/internal/checkutil"
	"github.com/echofx/healthcheck/checks/internal/report"
)

// Defaults of the HTTP check.
const (
	// DefaultSlowThreshold is Config.SlowThreshold's default.
	DefaultSlowThreshold = time.Second
	// httpDrainLimit bounds how much of a response body is read (and
	// discarded) so the connection can close cleanly.
	httpDrainLimit = 64 << 10
)

// Config configures HTTP. Zero fields take the documented defaults.
type Config struct {
	// Client sends the request. Default: a client of the check's own with
	// keep-alives disabled (no idle connection, hence no goroutine, outlives
	// a probe), proxies taken from the environment, a 10 s TLS handshake
	// bound, and at most 3 redirects followed (the 4th redirect response is
	// judged as is, i.e. unhealthy). Whatever the client, each request is
	// bounded by the context the runner passes (the check's Timeout).
	Client *http.Client
	// Header is added to every request, e.g. an Authorization header for
	// the probed API. Header values never appear in results. The default
	// client follows at most 3 redirects and none to another host, so the
	// header never leaves the configured host (a redirect elsewhere reads
	// as its own status, e.g. "HTTP 302").
	Header http.Header
	// SlowThreshold: a successful response slower than this (headers
	// received) makes the check degraded with the message
	// "slow response (2.5s)". Default DefaultSlowThreshold (1 s);
	// negative disables.
	SlowThreshold time.Duration
}

// New returns an Optional, LevelStandard check named name that sends a GET
// to rawURL (an external API, a sidecar) and reports:
//
//   - healthy on a 2xx response;
//   - degraded on a 2xx response slower than cfg.SlowThreshold, with the
//     message "slow response (2.5s)";
//   - unhealthy on any other status, with the message "HTTP 503", or on a
//     transport failure, with a class ("timeout", "connection refused",
//     "connection reset", "host not found", "TLS certificate invalid",
//     "request failed", ...).
//
// Details are "url" (the URL without user info, query or fragment, which
// may carry credentials), "status_code" when a response arrived, and
// "response_ms". Messages never carry the URL, its host or its credentials;
// user info in rawURL is sent as basic authentication.
//
// At most 64 KiB of the body is read, and discarded, before the body is
// closed.
//
// New returns an error, and a zero Check, when name is empty or rawURL does
// not parse as an absolute http or https URL with a host; the error does
// not repeat the URL.
func New(name, rawURL string, cfg Config) (checks.Check, error) {
	if name == "" {
		return checks.Check{}, errors.New("checks: HTTP check: empty name")
	}
	u, err := url.Parse(rawURL)
	switch {
	case err != nil:
		// url.Error repeats the URL, credentials included: say less.
		return checks.Check{}, fmt.Errorf("checks: HTTP check %q: invalid URL", name)
	case u.Scheme != "http" && u.Scheme != "https":
		return checks.Check{}, fmt.Errorf("checks: HTTP check %q: URL scheme must be http or https", name)
	case u.Host == "":
		return checks.Check{}, fmt.Errorf("checks: HTTP check %q: URL has no host", name)
	}
	client := cfg.Client
	if client == nil {
		client = checkutil.NewHTTPClient()
	}
	slow := cfg.SlowThreshold
	if slow == 0 {
		slow = DefaultSlowThreshold
	}
	shown := checkutil.PublicURL(u)
	target := u.String()
	header := cfg.Header.Clone()

	fn := func(ctx context.Context) checks.Report {
		details := map[string]any{"url": shown}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
		if err != nil { // unreachable: the URL parsed above
			return report.Fail("invalid URL", err, details)
		}
		for k, v := range header {
			req.Header[k] = v
		}
		start := time.Now()
		resp, err := client.Do(req)
		elapsed := time.Since(start)
		details["response_ms"] = report.DurationMS(elapsed)
		if err != nil {
			return report.Fail(checkutil.HTTPErrorMessage(ctx, err), err, details)
		}
		_, _ = io.CopyN(io.Discard, resp.Body, httpDrainLimit)
		_ = resp.Body.Close()
		details["status_code"] = resp.StatusCode
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			return checks.Report{Status: checks.StatusUnhealthy, Message: fmt.Sprintf("HTTP %d", resp.StatusCode), Details: details}
		}
		if slow > 0 && elapsed > slow {
			return checks.Report{Status: checks.StatusDegraded, Message: report.SlowMessage(elapsed), Details: details}
		}
		return checks.Report{Status: checks.StatusHealthy, Details: details}
	}
	return checks.Check{Name: name, Func: fn, Criticality: checks.Optional, Level: checks.LevelStandard}, nil
}
