package probe_test

import (
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/echofx/healthcheck/probe"
)

func env(m map[string]string) probe.Option {
	return probe.WithGetenv(func(k string) string { return m[k] })
}

func TestDefaultURL(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		opts    []probe.Option
		want    string
		wantErr string
	}{
		{name: "default", want: "http://127.0.0.1:8788/healthcheck/"},
		{name: "HTTP_ADDR port only", env: map[string]string{"HTTP_ADDR": ":9000"}, want: "http://127.0.0.1:9000/healthcheck/"},
		{name: "HTTP_ADDR any IPv4", env: map[string]string{"HTTP_ADDR": "0.0.0.0:9000"}, want: "http://127.0.0.1:9000/healthcheck/"},
		{name: "HTTP_ADDR any IPv6", env: map[string]string{"HTTP_ADDR": "[::]:9000"}, want: "http://127.0.0.1:9000/healthcheck/"},
		{name: "HTTP_ADDR host", env: map[string]string{"HTTP_ADDR": "localhost:9000"}, want: "http://localhost:9000/healthcheck/"},
		{name: "HTTP_ADDR other loopback", env: map[string]string{"HTTP_ADDR": "127.0.0.2:9000"}, want: "http://127.0.0.2:9000/healthcheck/"},
		{name: "HTTP_ADDR IPv6 host", env: map[string]string{"HTTP_ADDR": "[::1]:9000"}, want: "http://[::1]:9000/healthcheck/"},
		{name: "HTTP_ADDR without port", env: map[string]string{"HTTP_ADDR": "9000"}, wantErr: `bad address "9000" in HTTP_ADDR`},
		{name: "own variable and path", env: map[string]string{"PORT_ADDR": ":7000", "HTTP_ADDR": ":1"},
			opts: []probe.Option{probe.WithAddrEnv("PORT_ADDR"), probe.WithPath("health/ready")}, want: "http://127.0.0.1:7000/health/ready"},
		{name: "own default address", opts: []probe.Option{probe.WithAddr("127.0.0.2:80")}, want: "http://127.0.0.2:80/healthcheck/"},
		{name: "bad default address", opts: []probe.Option{probe.WithAddr("nope")}, wantErr: `bad address "nope" in default address`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := probe.DefaultURL(append(tt.opts, env(tt.env))...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("DefaultURL() error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("DefaultURL() = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestHandle(t *testing.T) {
	var gotPath string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotPath = r.URL.Path
		if r.URL.Path == "/healthcheck/ready" {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_, _ = w.Write([]byte(`{"status":"success","data":{"health":"ok"}}`))
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	own := env(map[string]string{"HTTP_ADDR": ":" + port})

	tests := []struct {
		name     string
		args     []string
		opts     []probe.Option
		handled  bool
		code     int
		line     string
		wantPath string
	}{
		{name: "not the probe", args: []string{"svc"}, handled: false},
		{name: "other command", args: []string{"svc", "serve"}, handled: false},
		{name: "own address", args: []string{"svc", "probe"}, handled: true, code: 0, line: "probe: healthy: HTTP 200\n", wantPath: "/healthcheck/"},
		{name: "path argument", args: []string{"svc", "probe", "/healthcheck/ready"}, handled: true, code: 1, line: "probe: unhealthy: HTTP 503\n", wantPath: "/healthcheck/ready"},
		{name: "URL argument", args: []string{"svc", "probe", srv.URL + "/x"}, handled: true, code: 0, line: "probe: healthy: HTTP 200\n", wantPath: "/x"},
		{name: "own command", args: []string{"svc", "healthcheck"}, opts: []probe.Option{probe.WithCommand("healthcheck")}, handled: true, code: 0, line: "probe: healthy: HTTP 200\n", wantPath: "/healthcheck/"},
		{name: "bad URL", args: []string{"svc", "probe", "http://[::1"}, handled: true, code: 1, line: "probe: unhealthy: bad URL\n"},
		{name: "bad address", args: []string{"svc", "probe"}, opts: []probe.Option{env(map[string]string{"HTTP_ADDR": "x"})}, handled: true, code: 1,
			line: "probe: unhealthy: bad address \"x\" in HTTP_ADDR: want host:port or :port\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gotPath = ""
			var out bytes.Buffer
			opts := append([]probe.Option{own, probe.WithOutput(&out)}, tt.opts...)
			code, handled := probe.Handle(tt.args, opts...)
			if handled != tt.handled || code != tt.code || out.String() != tt.line {
				t.Errorf("Handle(%q) = %d, %v, %q; want %d, %v, %q", tt.args, code, handled, out.String(), tt.code, tt.handled, tt.line)
			}
			if gotPath != tt.wantPath {
				t.Errorf("server saw %q, want %q", gotPath, tt.wantPath)
			}
		})
	}
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	var out bytes.Buffer
	start := time.Now()
	code, _ := probe.Handle([]string{"svc", "probe", srv.URL}, probe.WithTimeout(100*time.Millisecond), probe.WithOutput(&out))
	if code != 1 || !strings.Contains(out.String(), "context deadline exceeded") || strings.Count(out.String(), "\n") != 1 {
		t.Errorf("hanging server: %d %q, want 1 and one line with the deadline", code, out.String())
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("probe took %v with a 100ms timeout, want well under 5s", elapsed)
	}
}
