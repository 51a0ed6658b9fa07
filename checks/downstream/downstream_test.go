package downstream_test

import (
	"context"
	"errors"
	"fmt"
	"github.com/echofx/healthcheck/internal/checkview"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/checks/downstream"
	"github.com/echofx/healthcheck/internal/testutil/checktest"
)

const goodToken = "g00d-t0ken"

// downstreamServer serves the public and detailed routes of several fake
// services under prefixes, and records the chain header of every request.
type downstreamServer struct {
	*httptest.Server
	mu     sync.Mutex
	chains []string // DownstreamHeader of each request
	auths  []string // Authorization of each request to a public route
}

func newDownstreamServer(t *testing.T) *downstreamServer {
	s := &downstreamServer{}
	mux := http.NewServeMux()
	public := func(path string, code int, ctype, body string) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			s.mu.Lock()
			s.chains = append(s.chains, r.Header.Get(downstream.Header))
			if !strings.HasSuffix(r.URL.Path, "/detailed") { // /error/ answers its detailed route too
				s.auths = append(s.auths, r.Header.Get("Authorization"))
			}
			s.mu.Unlock()
			w.Header().Set("Content-Type", ctype)
			w.WriteHeader(code)
			_, _ = w.Write([]byte(body))
		})
	}
	detailed := func(path, ctype, body string) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			s.mu.Lock()
			s.chains = append(s.chains, r.Header.Get(downstream.Header))
			s.mu.Unlock()
			if r.Header.Get("Authorization") != "Bearer "+goodToken {
				w.Header().Set("WWW-Authenticate", "Bearer")
				http.Error(w, `{"status":"error","error":"unauthorized"}`, http.StatusUnauthorized)
				return
			}
			w.Header().Set("Content-Type", ctype)
			_, _ = w.Write([]byte(body))
		})
	}
	const js, hj = "application/json", "application/health+json"
	public("/ok/", 200, js, `{"status":"success","data":{"health":"ok"}}`)
	detailed("/ok/detailed", js, `{"status":"degraded","checks":{
		"database":{"status":"healthy","response_time_ms":1.2,"details":{"pool":3}},
		"cache":{"status":"degraded","error":"slow"},
		"peer":{"status":"unhealthy","details":{"checks":{"deeper":"healthy"}}}},
		"dependencies":{"database":"required"}}`)
	public("/degraded/", 200, js, `{"status":"success","data":{"health":"degraded"}}`)
	public("/error/", 500, js, `{"status":"error","error":"database \"orders\" does not exist"}`)
	public("/secret-error/", 503, js, `{"status":"error","error":"dial postgres://app:s3cret@10.1.2.3:5432/db: token=abc123\nrefused"}`)
	public("/hj-pass/", 200, hj, `{"status":"pass","version":"1"}`)
	detailed("/hj-pass/detailed", hj, `{"status":"warn","checks":{
		"db:responseTime":[{"status":"pass","observedValue":1}],
		"db:connections":[{"status":"warn"}],
		"disk:utilization":[{"status":"fail"}]}}`)
	public("/hj-warn/", 200, hj, `{"status":"warn","output":"disk 91% full"}`)
	public("/hj-fail/", 503, hj, `{"status":"fail","output":"queue unreachable"}`)
	public("/ok-but-500/", 500, js, `{"status":"success","data":{"health":"ok"}}`)
	public("/garbage/", 200, "text/html", `<html>hello</html>`)
	public("/huge/", 200, js, `{"status":"success","data":{"health":"ok"},"pad":"`+strings.Repeat("x", 100<<10)+`"}`)
	public("/bad-detailed/", 200, js, `{"status":"success","data":{"health":"ok"}}`)
	detailed("/bad-detailed/detailed", js, `not json`)
	mux.HandleFunc("/hang/", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func runDownstream(t *testing.T, c checks.Check, timeout time.Duration) checks.Result {
	t.Helper()
	c.Timeout = timeout
	r := checks.NewRunner()
	t.Cleanup(r.Close)
	if err := r.Register(c); err != nil {
		t.Fatal(err)
	}
	res, err := r.Refresh(context.Background(), c.Name)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestDownstream(t *testing.T) {
	srv := newDownstreamServer(t)
	base := strings.Replace(srv.URL, "http://", "http://user:pw0rd@", 1)
	refused := "http://user:pw0rd@" + checktest.ClosedAddr(t) + "/healthcheck/?key=q5ecret"
	withToken := downstream.Config{Token: goodToken, Origin: "billing"}
	badToken := downstream.Config{Token: "wr0ng-t0ken", Origin: "billing"}
	nestedOK := map[string]string{"database": "healthy", "cache": "degraded", "peer": "unhealthy"}

	tests := []struct {
		name        string
		url         string
		cfg         downstream.Config
		timeout     time.Duration
		want        checks.Status
		wantMsg     string // exact; prefix when it ends with "…"
		wantHealth  string
		wantCode    int // 0: no status_code
		wantChecks  map[string]string
		wantNestErr string
	}{
		{"ok", "/ok/", downstream.Config{}, 0, checks.StatusHealthy, "", "ok", 200, nil, ""},
		{"degraded is not healthy", "/degraded/", downstream.Config{}, 0, checks.StatusDegraded, "degraded", "degraded", 200, nil, ""},
		{"error keeps the message", "/error/", downstream.Config{}, 0, checks.StatusUnhealthy, `database "orders" does not exist`, "error", 500, nil, ""},
		{"error message redacted", "/secret-error/", downstream.Config{}, 0, checks.StatusUnhealthy, "dial postgres://***@***/db: token=*** refused", "error", 503, nil, ""},
		{"health+json pass", "/hj-pass/", downstream.Config{}, 0, checks.StatusHealthy, "", "pass", 200, nil, ""},
		{"health+json warn", "/hj-warn/", downstream.Config{}, 0, checks.StatusDegraded, "disk 91% full", "warn", 200, nil, ""},
		{"health+json fail", "/hj-fail/", downstream.Config{}, 0, checks.StatusUnhealthy, "queue unreachable", "fail", 503, nil, ""},
		{"status code wins over body", "/ok-but-500/", downstream.Config{}, 0, checks.StatusUnhealthy, "HTTP 500", "", 500, nil, ""},
		{"not found", "/nothing/", downstream.Config{}, 0, checks.StatusUnhealthy, "HTTP 404", "", 404, nil, ""},
		{"garbage body", "/garbage/", downstream.Config{}, 0, checks.StatusUnhealthy, "invalid health response", "", 200, nil, ""},
		{"huge body", "/huge/", downstream.Config{}, 0, checks.StatusUnhealthy, "invalid health response (over 64 KiB)", "", 200, nil, ""},
		{"timeout", "/hang/", downstream.Config{}, 200 * time.Millisecond, checks.StatusUnhealthy, "timeout after 200ms", "", 0, nil, ""},
		{"refused", refused, downstream.Config{}, 0, checks.StatusUnhealthy, "connection refused", "", 0, nil, ""},
		{"nested with a token", "/ok/", withToken, 0, checks.StatusHealthy, "", "ok", 200, nestedOK, ""},
		{"nested health+json", "/hj-pass/", withToken, 0, checks.StatusHealthy, "", "pass", 200, map[string]string{"db": "degraded", "disk": "unhealthy"}, ""},
		{"rejected token", "/ok/", badToken, 0, checks.StatusHealthy, "", "ok", 200, nil, "unauthorized (HTTP 401)"},
		{"bad detailed body", "/bad-detailed/", withToken, 0, checks.StatusHealthy, "", "ok", 200, nil, "invalid detailed response"},
		{"token func error", "/ok/", downstream.Config{TokenFunc: func(context.Context) (string, error) { return "", errors.New("vault sealed") }}, 0, checks.StatusHealthy, "", "ok", 200, nil, "token unavailable"},
		{"error without nesting on failure", "/error/", withToken, 0, checks.StatusUnhealthy, `database "orders" does not exist`, "error", 500, nil, "HTTP 500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := tt.url
			if strings.HasPrefix(url, "/") {
				url = base + url + "?key=q5ecret"
			}
			c, err := downstream.New(url, withName(tt.cfg, "orders"))
			if err != nil {
				t.Fatal(err)
			}
			if !isDownstream(t, c) || c.Criticality != checks.Optional {
				t.Errorf("downstream %v, criticality %v; want a downstream, optional check", isDownstream(t, c), c.Criticality)
			}
			timeout := tt.timeout
			if timeout == 0 {
				timeout = 5 * time.Second
			}
			res := runDownstream(t, c, timeout)
			if res.Status != tt.want {
				t.Errorf("status %v, want %v (message %q)", res.Status, tt.want, res.Message)
			}
			if res.Message != tt.wantMsg {
				t.Errorf("message %q, want %q", res.Message, tt.wantMsg)
			}
			if got, _ := res.Details["health"].(string); got != tt.wantHealth {
				t.Errorf("health detail %q, want %q", got, tt.wantHealth)
			}
			if got, _ := res.Details["status_code"].(int); got != tt.wantCode {
				t.Errorf("status_code %d, want %d", got, tt.wantCode)
			}
			// (a timed-out run is abandoned by the runner: no details)
			if u, _ := res.Details["url"].(string); strings.Contains(u, "pw0rd") || strings.Contains(u, "q5ecret") || u == "" && tt.wantCode != 0 {
				t.Errorf("url detail %q", u)
			}
			got, _ := res.Details["checks"].(map[string]string)
			if !maps.Equal(got, tt.wantChecks) {
				t.Errorf("nested checks %v, want %v", got, tt.wantChecks)
			}
			if got, _ := res.Details["checks_error"].(string); got != tt.wantNestErr {
				t.Errorf("checks_error %q, want %q", got, tt.wantNestErr)
			}
			if all := fmt.Sprintf("%+v", res); strings.Contains(all, goodToken) || strings.Contains(all, "wr0ng") ||
				strings.Contains(all, "pw0rd") || strings.Contains(all, "q5ecret") || strings.Contains(all, "s3cret") || strings.Contains(all, "abc123") {
				t.Errorf("a secret leaked into the result: %s", all)
			}
		})
	}

	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(srv.chains) < len(tests) {
		t.Fatalf("%d requests recorded", len(srv.chains))
	}
	host, _ := os.Hostname()
	for i, c := range srv.chains {
		if c != "billing" && c != host && c != "healthcheck" {
			t.Errorf("request %d carried %s: %q, want the origin", i, downstream.Header, c)
		}
	}
	for _, a := range srv.auths {
		if strings.HasPrefix(a, "Bearer") {
			t.Errorf("a public route got the token: %q", a)
		}
	}
}

func TestDownstreamTokenFile(t *testing.T) {
	srv := newDownstreamServer(t)
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte("stale-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := downstream.New(srv.URL+"/ok/", downstream.Config{Name: "orders", TokenFile: file})
	if err != nil {
		t.Fatal(err)
	}
	r := checks.NewRunner()
	defer r.Close()
	if err := r.Register(c); err != nil {
		t.Fatal(err)
	}
	res, _ := r.Refresh(context.Background(), "orders")
	if res.Details["checks_error"] != "unauthorized (HTTP 401)" || res.Status != checks.StatusHealthy {
		t.Fatalf("with a stale token: %v %v", res.Status, res.Details)
	}
	// Rotate the token: the next run reads the file again.
	if err := os.WriteFile(file, []byte(goodToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(file, later, later); err != nil {
		t.Fatal(err)
	}
	res, _ = r.Refresh(context.Background(), "orders")
	if got, _ := res.Details["checks"].(map[string]string); got["database"] != "healthy" {
		t.Errorf("after rotation: %v", res.Details)
	}
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	res, _ = r.Refresh(context.Background(), "orders")
	if res.Details["checks_error"] != "token unavailable" || strings.Contains(fmt.Sprint(res), file) {
		t.Errorf("without the file: %v", res.Details)
	}
}

// isDownstream reports whether c carries the downstream mark, read as
// httphealth reads it: from a snapshot of a runner holding c.
func isDownstream(t *testing.T, c checks.Check) bool {
	t.Helper()
	r := checks.NewRunner()
	defer r.Close()
	if err := r.Register(c); err != nil {
		t.Fatal(err)
	}
	return checkview.IsDownstream(r.Snapshot(), 0)
}

func withName(cfg downstream.Config, name string) downstream.Config {
	cfg.Name = name
	return cfg
}

func TestDownstreamDefaultName(t *testing.T) {
	c, err := downstream.New("http://orders:8788/healthcheck/", downstream.Config{})
	if err != nil || c.Name != "orders" {
		t.Fatalf("New = %q, %v; want the URL's host, orders", c.Name, err)
	}
}

func TestDownstreamConfigErrors(t *testing.T) {
	tests := []struct {
		name, url string
		cfg       downstream.Config
		want      string
	}{
		{"orders", "ftp://user:pw0rd@orders/", downstream.Config{}, "scheme"},
		{"orders", "http://user:pw0rd@[::1/", downstream.Config{}, "invalid URL"},
		{"orders", "/healthcheck/", downstream.Config{}, "scheme"},
		{"orders", "http:///x", downstream.Config{}, "no host"},
		{"orders", "http://orders/", downstream.Config{Token: "t", TokenFile: "/f"}, "at most one of Token, TokenFile and TokenFunc"},
		{"orders", "http://orders/", downstream.Config{Origin: "a,b"}, "Origin"},
		{"orders", "http://orders/", downstream.Config{Token: "t", DetailedURL: "mailto:x"}, "DetailedURL"},
	}
	for _, tt := range tests {
		c, err := downstream.New(tt.url, withName(tt.cfg, tt.name))
		var ce *checks.ConfigError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), tt.want) || c.Func != nil {
			t.Errorf("New(%q, %q, %+v) = %v; want a *checks.ConfigError mentioning %q", tt.name, tt.url, tt.cfg, err, tt.want)
			continue
		}
		if strings.Contains(err.Error(), "pw0rd") {
			t.Errorf("error repeats the URL: %v", err)
		}
	}
}
