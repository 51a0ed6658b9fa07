package alerting

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/echofx/healthcheck/checks"
)

// newClient returns the HTTP client of a built-in sink: redirects are not
// followed (a webhook URL may carry a token), at most two connections per
// host, idle connections closed after 30 s and by Close. Every request is
// bounded by its context (the sink's Timeout) alone: no transport timeout
// on the answer, which would cap a Timeout above it.
func newClient() *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout: 5 * time.Second,
			MaxConnsPerHost:     2,
			MaxIdleConnsPerHost: 1,
			IdleConnTimeout:     30 * time.Second,
			ForceAttemptHTTP2:   true,
			// A receiver's headers are read up to 64 KiB (net/http's
			// default is 10 MiB), its body up to 64 KiB (drain below).
			MaxResponseHeaderBytes: 64 << 10,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// httpError is the error of a delivery answered with a non-2xx status. It
// is retried for 5xx, 408 and 429, and permanent otherwise. RetryAfter is
// the wait a 429 or 503 asked for (header Retry-After), or 0.
type httpError struct {
	StatusCode int
	RetryAfter time.Duration
}

// Error returns "HTTP <code>".
func (e *httpError) Error() string { return "HTTP " + strconv.Itoa(e.StatusCode) }

// SafeMessage implements checks.SafeError.
func (e *httpError) SafeMessage() string { return e.Error() }

// transportError hides the URL that net/http's errors print.
type transportError struct{ cause error }

func (e transportError) Error() string       { return "delivery failed: " + checks.SafeMessage(e.cause) }
func (e transportError) SafeMessage() string { return e.Error() }
func (e transportError) Unwrap() error       { return e.cause }

// post sends body to u with the headers and reads at most 64 KiB of the
// answer, all within ctx.
func post(ctx context.Context, client *http.Client, u string, body []byte, header http.Header) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return checks.Permanent(fmt.Errorf("bad request: %s", checks.SafeMessage(err)))
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "healthcheck-alerting")
	resp, err := client.Do(req)
	if err != nil {
		return transportError{err}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	switch c := resp.StatusCode; {
	case c >= 200 && c < 300:
		return nil
	case c == http.StatusServiceUnavailable || c == http.StatusTooManyRequests:
		return &httpError{StatusCode: c, RetryAfter: retryAfter(resp.Header.Get("Retry-After"), time.Now())}
	case c >= 500 || c == http.StatusRequestTimeout:
		return &httpError{StatusCode: c}
	default:
		return checks.Permanent(&httpError{StatusCode: c})
	}
}

// retryAfter reads a Retry-After header: delay-seconds or an HTTP date.
// It returns 0 when there is none or it cannot be read.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s <= 0 {
			return 0
		}
		return time.Duration(min(s, int64(24*time.Hour/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// parseURL checks rawURL, given as setting, is an absolute http(s) URL;
// the error, a *checks.ConfigError, never repeats it (it may carry a
// token).
func parseURL(setting, rawURL string) (*url.URL, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &checks.ConfigError{Package: "alerting", Setting: setting, Reason: "want an absolute http or https URL"}
	}
	return u, nil
}

// httpSink holds a built-in sink's client.
type httpSink struct{ client *http.Client }

// Close closes the idle connections of the sink's own client.
func (s httpSink) Close() error {
	s.client.CloseIdleConnections()
	return nil
}
