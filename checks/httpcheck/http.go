package httpcheck

import (
	"context"
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
	// defaultSlowThreshold is Config.SlowThreshold's default.
	defaultSlowThreshold = time.Second
	// httpDrainLimit bounds how much of a response body is read (and
	// discarded) so the connection can close cleanly.
	httpDrainLimit = 64 << 10
)

// Config configures New. Zero fields take the documented defaults.
type Config struct {
	// Name of the check. Default: the URL's host name (without port), which
	// then shows on the detailed routes; set a name to keep the host
	// private.
	Name string
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
	// "slow response (2.5s)". Default 1 s; negative (checks.Off)
	// disables.
	SlowThreshold time.Duration
}

// New returns an Optional, LevelStandard check named cfg.Name (default the
// URL's host) that sends a GET to rawURL (an external API, a sidecar) and reports:
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
// New returns a *checks.ConfigError, and a zero Check, naming
// "httpcheck.New url" when rawURL does not parse as an absolute http or
// https URL with a host; the error does not repeat the URL.
func New(rawURL string, cfg Config) (checks.Check, error) {
	u, err := url.Parse(rawURL)
	bad := func(reason string) (checks.Check, error) {
		return checks.Check{}, &checks.ConfigError{Package: "httpcheck", Setting: "httpcheck.New url", Reason: reason}
	}
	switch {
	case err != nil:
		// url.Error repeats the URL, credentials included: say less.
		return bad("invalid URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return bad("URL scheme must be http or https")
	case u.Host == "":
		return bad("URL has no host")
	}
	name := cfg.Name
	if name == "" {
		name = u.Hostname()
	}
	client := cfg.Client
	if client == nil {
		client = checkutil.NewHTTPClient()
	}
	slow := cfg.SlowThreshold
	if slow == 0 {
		slow = defaultSlowThreshold
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
