package httpcheck_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/checks/httpcheck"
	"github.com/echofx/healthcheck/internal/testutil/checktest"
)

func TestHTTP(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("x", 200<<10))) // more than is drained
	})
	mux.HandleFunc("/unavailable", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(150 * time.Millisecond) // kept: the slow response is the behaviour under test
	})
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/ok", http.StatusFound)
	})
	mux.HandleFunc("/private", func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "user" || p != "secret" {
			http.Error(w, "who are you", http.StatusUnauthorized)
			return
		}
		if r.Header.Get("X-Api-Key") != "k3y" {
			http.Error(w, "no key", http.StatusForbidden)
			return
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	base := srv.URL
	withUser := strings.Replace(base, "http://", "http://user:secret@", 1)
	refused := "http://user:secret@" + checktest.ClosedAddr(t) + "/health?token=t0k3n"

	tests := []struct {
		name       string
		url        string
		cfg        httpcheck.Config
		timeout    time.Duration
		want       checks.Status
		wantMsg    string
		wantStatus int // 0: no status_code detail
	}{
		{"ok", base + "/ok", httpcheck.Config{}, 0, checks.StatusHealthy, "", 200},
		{"followed redirect", base + "/redirect", httpcheck.Config{}, 0, checks.StatusHealthy, "", 200},
		{"unavailable", base + "/unavailable", httpcheck.Config{}, 0, checks.StatusUnhealthy, "HTTP 503", 503},
		{"not found", base + "/nothing", httpcheck.Config{}, 0, checks.StatusUnhealthy, "HTTP 404", 404},
		{"slow", base + "/slow", httpcheck.Config{SlowThreshold: 50 * time.Millisecond}, 0, checks.StatusDegraded, "slow response (", 200},
		{"slow but not too slow", base + "/slow", httpcheck.Config{}, 0, checks.StatusHealthy, "", 200},
		{"slow check disabled", base + "/slow", httpcheck.Config{SlowThreshold: checks.Off}, 0, checks.StatusHealthy, "", 200},
		{"timeout", base + "/hang", httpcheck.Config{}, 200 * time.Millisecond, checks.StatusUnhealthy, "timeout", 0},
		{"redirect loop", base + "/loop", httpcheck.Config{}, 0, checks.StatusUnhealthy, "HTTP 302", 302},
		{"user info and header", withUser + "/private?token=t0k3n", httpcheck.Config{Header: http.Header{"X-Api-Key": {"k3y"}}}, 0, checks.StatusHealthy, "", 200},
		{"user info refused by server", withUser + "/private", httpcheck.Config{}, 0, checks.StatusUnhealthy, "HTTP 403", 403},
		{"connection refused", refused, httpcheck.Config{}, 0, checks.StatusUnhealthy, "connection refused", 0},
		{"custom client", base + "/loop", httpcheck.Config{Client: &http.Client{
			Transport:     &http.Transport{DisableKeepAlives: true},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}}, 0, checks.StatusUnhealthy, "HTTP 302", 302},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.Name = "payments"
			c, err := httpcheck.New(tt.url, cfg)
			if err != nil {
				t.Fatalf("HTTP: %v", err)
			}
			if c.Name != "payments" || c.Criticality != checks.Optional || c.Level != checks.LevelStandard {
				t.Errorf("check = %q, %v, %v; want payments, optional, standard", c.Name, c.Criticality, c.Level)
			}
			c.Timeout = tt.timeout
			res := checktest.Run(t, c)
			checktest.AssertResult(t, res, tt.want, tt.wantMsg)
			checktest.AssertNotShown(t, res, "secret", "user:", "t0k3n", "k3y", "token")
			if !strings.Contains(tt.wantMsg, "timeout") { // the runner may answer a timeout itself
				if u, _ := res.Details["url"].(string); u == "" || strings.Contains(u, "?") {
					t.Errorf("details url = %q, want the URL without credentials or query", u)
				}
			}
			if got, _ := res.Details["status_code"].(int); got != tt.wantStatus {
				t.Errorf("status_code = %v, want %d (details %v)", res.Details["status_code"], tt.wantStatus, res.Details)
			}
		})
	}
}

func TestHTTPInvalid(t *testing.T) {
	tests := []struct{ name, checkName, url string }{
		{"unparsable", "api", "http://user:secret@[::1"},
		{"relative", "api", "/health"},
		{"ftp", "api", "ftp://user:secret@example.com/"},
		{"no host", "api", "http:///health"},
		{"empty", "api", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := httpcheck.New(tt.url, httpcheck.Config{Name: tt.checkName})
			var ce *checks.ConfigError
			if !errors.As(err, &ce) || ce.Setting != "httpcheck.New url" {
				t.Fatalf("New(%q) = %+v, %v; want a *checks.ConfigError naming httpcheck.New url", tt.url, c, err)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error %q shows the password", err)
			}
			if c.Func != nil {
				t.Errorf("check has a Func despite the error")
			}
		})
	}
}

func TestHTTPHeaderNeverLeavesTheHost(t *testing.T) {
	var leaked atomic.Bool
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Api-Key") != "" {
			leaked.Store(true)
		}
	}))
	defer other.Close()
	first := httptest.NewServer(http.RedirectHandler(other.URL+"/health", http.StatusFound))
	defer first.Close()
	c, err := httpcheck.New(first.URL, httpcheck.Config{Name: "upstream", Header: http.Header{"X-Api-Key": {"k-123"}}})
	if err != nil {
		t.Fatal(err)
	}
	res := checktest.Run(t, c)
	if leaked.Load() {
		t.Fatal("the API key followed a redirect to another host")
	}
	checktest.AssertResult(t, res, checks.StatusUnhealthy, "HTTP 302")
}
