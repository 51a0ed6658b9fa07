package downstream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/checks/internal/checkutil"
	"github.com/echofx/healthcheck/checks/internal/report"
	"github.com/echofx/healthcheck/internal/checkview"
)

// Header is the request header that every request of a downstream check
// carries: a comma-separated list of the services that asked, today always
// one (Config.Origin), since a check never runs on a request's path. A
// service answering a request that carries it (package httphealth does)
// answers from the aggregate without its own downstream checks and does
// not pass the header on, so services that list each other settle.
const Header = checkview.DownstreamHeader

// defaultSlowThreshold is Config.SlowThreshold's default.
const defaultSlowThreshold = time.Second

// Limits of the downstream check.
const (
	// downstreamBodyLimit bounds the public route's body that is read.
	downstreamBodyLimit = 64 << 10
	// downstreamDetailedLimit bounds the detailed route's body.
	downstreamDetailedLimit = 256 << 10
	// downstreamMaxNested bounds how many nested checks are kept.
	downstreamMaxNested = 200
)

// Config configures New. Zero fields take the documented
// defaults. At most one of Token, TokenFile and TokenFunc may be set.
type Config struct {
	// Name of the check. Default: the URL's host name (without port).
	Name string
	// Client sends the requests. Default: the HTTP check's default client
	// (no keep-alives, proxies from the environment, at most 3 redirects
	// and none to another host).
	Client *http.Client
	// Origin names this service in Header: printable ASCII
	// without spaces or commas, at most 64 bytes. Default: the host name,
	// or "healthcheck" when it cannot be had.
	Origin string
	// Token is a bearer token for the downstream's detailed route. With
	// any token source set, the check also reads the detailed route and
	// nests the downstream's checks (statuses only) in its details.
	Token string
	// TokenFile names a file holding the token (surrounding white space is
	// trimmed). It is read again whenever its modification time or size
	// changes, so a rotated token is picked up at the next run.
	TokenFile string
	// TokenFunc returns the token, e.g. a freshly signed JWT. It is called
	// on every run, with the run's context.
	TokenFunc func(context.Context) (string, error)
	// DetailedURL is the downstream's detailed route. Default: the public
	// URL joined with "detailed" (http://orders:8788/healthcheck/ gives
	// http://orders:8788/healthcheck/detailed).
	DetailedURL string
	// SlowThreshold: a healthy answer slower than this (headers received)
	// makes the check degraded with the message "slow response (1.2s)".
	// Default 1 s; negative (checks.Off) disables.
	SlowThreshold time.Duration
}

// New returns an Optional, LevelStandard check named cfg.Name (default the
// URL's host) of another
// service that runs this library, or speaks application/health+json,
// whose public route is rawURL (e.g. http://orders:8788/healthcheck/). Its
// check is marked as a downstream one (see Header). Each run sends a GET, with Header,
// and maps the answer:
//
//   - 200 {"status":"success","data":{"health":"ok"}}, or health+json
//     "pass" (also "ok", "up"): healthy;
//   - 200 "health":"degraded", or "warn": degraded, with the message
//     "degraded" (or the health+json "output");
//   - {"status":"error","error":"<message>"} (500, 503), or "fail" (also
//     "down"): unhealthy with the downstream's own message, redacted (see
//     Redact) and cut to 200 bytes, or "HTTP 503" when it gave none;
//   - any other non-2xx answer: unhealthy "HTTP <code>", whatever its body;
//   - a 2xx body that is not one of those, or longer than 64 KiB:
//     unhealthy "invalid health response";
//   - no answer: unhealthy with a class ("connection refused", "timeout",
//     "host not found", ...), as HTTP;
//   - a healthy answer slower than cfg.SlowThreshold: degraded.
//
// Details are "url" (without user info, query or fragment), "status_code",
// "response_ms" and "health" (the downstream's own word: ok, degraded,
// error, pass, warn or fail).
//
// With a token source (cfg.Token, TokenFile or TokenFunc) each run that
// got an answer also GETs the detailed route with
// "Authorization: Bearer <token>" and adds "checks": {"<name>":
// "healthy"|"degraded"|"unhealthy"|"unknown"} to the details, one level
// deep (the downstream's checks' statuses, not their details; at most 200;
// from this library's detailed JSON or health+json "checks"). When that
// fails (401 or 403 for a rejected token, no token, a timeout, a bad
// body) the check's status does not change: the details get
// "checks_error" ("unauthorized (HTTP 401)", "token unavailable",
// "timeout", ...) instead of "checks". The token never appears in a
// result, and is never sent to the public route.
//
// New returns a *checks.ConfigError naming the setting ("downstream.New
// url", "downstream.Config.Origin", …), and a zero Check, when a URL is not
// an absolute http or https URL, Origin is invalid or more than one token
// source is set; the error never repeats a URL or a token.
func New(rawURL string, cfg Config) (checks.Check, error) {
	bad := func(setting, reason string) (checks.Check, error) {
		return checks.Check{}, &checks.ConfigError{Package: "downstream", Setting: setting, Reason: reason}
	}
	u, err := parseHTTPURL(rawURL)
	if err != nil {
		return bad("downstream.New url", err.Error())
	}
	name := cfg.Name
	if name == "" {
		name = u.Hostname()
	}
	d := &downstream{
		client: cfg.Client,
		shown:  checkutil.PublicURL(u),
		target: u.String(),
		slow:   cfg.SlowThreshold,
		origin: cfg.Origin,
	}
	if d.client == nil {
		d.client = checkutil.NewHTTPClient()
	}
	if d.slow == 0 {
		d.slow = defaultSlowThreshold
	}
	if d.origin == "" {
		d.origin = defaultOrigin()
	} else if !validOrigin(d.origin) {
		return bad("downstream.Config.Origin", "want 1 to 64 bytes of printable ASCII without spaces or commas")
	}
	sources := 0
	for _, set := range []bool{cfg.Token != "", cfg.TokenFile != "", cfg.TokenFunc != nil} {
		if set {
			sources++
		}
	}
	switch {
	case sources > 1:
		return bad("downstream.Config.Token", "set at most one of Token, TokenFile and TokenFunc")
	case cfg.Token != "":
		tok := cfg.Token
		d.token = func(context.Context) (string, error) { return tok, nil }
	case cfg.TokenFile != "":
		d.token = (&fileToken{path: cfg.TokenFile}).get
	case cfg.TokenFunc != nil:
		d.token = cfg.TokenFunc
	}
	if d.token != nil {
		du := u.JoinPath("detailed")
		du.RawQuery, du.Fragment = "", ""
		if cfg.DetailedURL != "" {
			if du, err = parseHTTPURL(cfg.DetailedURL); err != nil {
				return bad("downstream.Config.DetailedURL", err.Error())
			}
		}
		d.detailed = du.String()
	}
	c := checks.Check{Name: name, Func: d.run, Criticality: checks.Optional, Level: checks.LevelStandard}
	return checkview.MarkDownstream(c).(checks.Check), nil
}

// parseHTTPURL parses an absolute http or https URL; its errors never
// repeat the URL.
func parseHTTPURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, errors.New("invalid URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, errors.New("scheme must be http or https")
	case u.Host == "":
		return nil, errors.New("no host")
	}
	return u, nil
}

func validOrigin(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x21 || c > 0x7e || c == ',' {
			return false
		}
	}
	return true
}

func defaultOrigin() string {
	if h, err := os.Hostname(); err == nil && validOrigin(h) {
		return h
	}
	return "healthcheck"
}

// downstream is one downstream check's settings.
type downstream struct {
	client   *http.Client
	shown    string // the public URL without credentials, for details
	target   string
	detailed string // "" without a token source
	token    func(context.Context) (string, error)
	slow     time.Duration
	origin   string
}

func (d *downstream) run(ctx context.Context) checks.Report {
	details := map[string]any{"url": d.shown}
	start := time.Now()
	code, ctype, body, tooBig, err := d.get(ctx, d.target, "application/health+json, application/json;q=0.9", "", downstreamBodyLimit)
	elapsed := time.Since(start)
	details["response_ms"] = report.DurationMS(elapsed)
	if err != nil {
		return report.Fail(checkutil.HTTPErrorMessage(ctx, err), err, details)
	}
	details["status_code"] = code
	rep := mapDownstreamAnswer(code, ctype, body, tooBig)
	if rep.health != "" {
		details["health"] = rep.health
	}
	if rep.Status == checks.StatusHealthy && d.slow > 0 && elapsed > d.slow {
		rep.Status, rep.Message = checks.StatusDegraded, report.SlowMessage(elapsed)
	}
	if d.detailed != "" {
		d.nest(ctx, details)
	}
	rep.Details = details
	return rep.Report
}

// get sends a GET with the chain header and reads at most limit bytes of
// the body; tooBig reports that there was more.
func (d *downstream) get(ctx context.Context, target, accept, token string, limit int64) (code int, ctype string, body []byte, tooBig bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil { // unreachable: the URL parsed in Downstream
		return 0, "", nil, false, err
	}
	req.Header.Set("Accept", accept)
	req.Header.Set(Header, d.origin)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, "", nil, false, err
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return 0, "", nil, false, err
	}
	if int64(len(body)) > limit {
		body, tooBig = nil, true
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), body, tooBig, nil
}

// nest reads the downstream's detailed route and adds its checks'
// statuses to details as "checks", or the reason why not as
// "checks_error".
func (d *downstream) nest(ctx context.Context, details map[string]any) {
	tok, err := d.token(ctx)
	tok = strings.TrimSpace(tok)
	if err != nil || tok == "" {
		details["checks_error"] = "token unavailable"
		return
	}
	code, _, body, tooBig, err := d.get(ctx, d.detailed, "application/json, application/health+json;q=0.9", tok, downstreamDetailedLimit)
	switch {
	case err != nil:
		details["checks_error"] = checkutil.HTTPErrorMessage(ctx, err)
		return
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		details["checks_error"] = fmt.Sprintf("unauthorized (HTTP %d)", code)
		return
	case code != http.StatusOK && code != http.StatusServiceUnavailable: // health+json "fail" is a 503
		details["checks_error"] = fmt.Sprintf("HTTP %d", code)
		return
	case tooBig:
		details["checks_error"] = "response too large"
		return
	}
	nested, ok := parseNestedChecks(body)
	if !ok {
		details["checks_error"] = "invalid detailed response"
		return
	}
	details["checks"] = nested
}
