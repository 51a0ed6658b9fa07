package checks

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"
)

// Defaults of the HTTP check.
const (
	// DefaultHTTPSlowThreshold is HTTPConfig.SlowThreshold's default.
	DefaultHTTPSlowThreshold = time.Second
	// httpMaxRedirects is how many redirects the default client follows.
	httpMaxRedirects = 3
	// httpDrainLimit bounds how much of a response body is read (and
	// discarded) so the connection can close cleanly.
	httpDrainLimit = 64 << 10
)

// HTTPConfig configures HTTP. Zero fields take the documented defaults.
type HTTPConfig struct {
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
	// "slow response (2.5s)". Default DefaultHTTPSlowThreshold (1 s);
	// negative disables.
	SlowThreshold time.Duration
}

// HTTP returns an Optional, LevelStandard check named name that sends a GET
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
// HTTP returns an error, and a zero Check, when name is empty or rawURL does
// not parse as an absolute http or https URL with a host; the error does
// not repeat the URL.
func HTTP(name, rawURL string, cfg HTTPConfig) (Check, error) {
	if name == "" {
		return Check{}, errors.New("checks: HTTP check: empty name")
	}
	u, err := url.Parse(rawURL)
	switch {
	case err != nil:
		// url.Error repeats the URL, credentials included: say less.
		return Check{}, fmt.Errorf("checks: HTTP check %q: invalid URL", name)
	case u.Scheme != "http" && u.Scheme != "https":
		return Check{}, fmt.Errorf("checks: HTTP check %q: URL scheme must be http or https", name)
	case u.Host == "":
		return Check{}, fmt.Errorf("checks: HTTP check %q: URL has no host", name)
	}
	client := cfg.Client
	if client == nil {
		client = newHTTPClient()
	}
	slow := cfg.SlowThreshold
	if slow == 0 {
		slow = DefaultHTTPSlowThreshold
	}
	shown := publicURL(u)
	target := u.String()
	header := cfg.Header.Clone()

	fn := func(ctx context.Context) Report {
		details := map[string]any{"url": shown}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
		if err != nil { // unreachable: the URL parsed above
			return failReport("invalid URL", err, details)
		}
		for k, v := range header {
			req.Header[k] = v
		}
		start := time.Now()
		resp, err := client.Do(req)
		elapsed := time.Since(start)
		details["response_ms"] = durationMS(elapsed)
		if err != nil {
			return failReport(httpErrorMessage(ctx, err), err, details)
		}
		_, _ = io.CopyN(io.Discard, resp.Body, httpDrainLimit)
		_ = resp.Body.Close()
		details["status_code"] = resp.StatusCode
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			return Report{Status: StatusUnhealthy, Message: fmt.Sprintf("HTTP %d", resp.StatusCode), Details: details}
		}
		if slow > 0 && elapsed > slow {
			return Report{Status: StatusDegraded, Message: slowMessage(elapsed), Details: details}
		}
		return Report{Status: StatusHealthy, Details: details}
	}
	return Check{Name: name, Func: fn, Criticality: Optional, Level: LevelStandard}, nil
}

// newHTTPClient returns the HTTP check's default client.
func newHTTPClient() *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: -1}).DialContext,
			TLSHandshakeTimeout:   10 * time.Second,
			DisableKeepAlives:     true,
			ForceAttemptHTTP2:     true,
			ExpectContinueTimeout: time.Second,
		},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > httpMaxRedirects {
				return http.ErrUseLastResponse
			}
			// net/http strips only Authorization, Cookie and
			// WWW-Authenticate on a redirect to another host; custom
			// headers (API keys) would follow. Answer with the redirect
			// itself instead.
			if req.URL.Host != via[0].URL.Host {
				return http.ErrUseLastResponse
			}
			return nil
		},
	}
}

// publicURL is u without user info, query and fragment, which may carry
// credentials.
func publicURL(u *url.URL) string {
	v := *u
	v.User = nil
	v.RawQuery = ""
	v.ForceQuery = false
	v.Fragment = ""
	v.RawFragment = ""
	return v.String()
}

// httpErrorMessage classifies a client.Do error without repeating it: a
// *url.Error's text holds the whole URL, credentials included.
func httpErrorMessage(ctx context.Context, err error) string {
	if ctx.Err() != nil {
		return ErrorClass(ctx.Err())
	}
	if c := ErrorClass(err); c != "" {
		return c
	}
	var (
		verifyErr   *tls.CertificateVerificationError
		unknownCA   x509.UnknownAuthorityError
		hostErr     x509.HostnameError
		invalidCert x509.CertificateInvalidError
		recordErr   tls.RecordHeaderError
		alert       tls.AlertError
	)
	switch {
	case errors.As(err, &verifyErr), errors.As(err, &unknownCA), errors.As(err, &hostErr), errors.As(err, &invalidCert):
		return "TLS certificate invalid"
	case errors.As(err, &recordErr), errors.As(err, &alert):
		return "TLS handshake failed"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed"
	}
	return "request failed"
}

// failReport is an unhealthy report whose public message is msg and whose cause
// is err, kept reachable but never shown.
func failReport(msg string, err error, details map[string]any) Report {
	return Report{Status: StatusUnhealthy, Message: msg, Details: details, Err: NewSafeError(msg, err)}
}

// durationMS is d in milliseconds with microsecond precision, for details.
func durationMS(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}

// slowMessage is the degraded message of a probe that took d:
// "slow response (1.2s)" or "slow response (612ms)".
func slowMessage(d time.Duration) string {
	if d >= time.Second {
		d = d.Round(100 * time.Millisecond)
	} else {
		d = d.Round(time.Millisecond)
	}
	return "slow response (" + d.String() + ")"
}
