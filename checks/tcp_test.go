package checks_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/echofx/healthcheck/checks"
)

// runBuiltin registers c with a new runner and runs it once through
// Runner.Check, as the HTTP handlers and the lifecycle package do.
func runBuiltin(t *testing.T, c checks.Check) checks.Result {
	t.Helper()
	runner := checks.NewRunner()
	defer runner.Close()
	if err := runner.Register(c); err != nil {
		t.Fatalf("Register: %v", err)
	}
	res, err := runner.Check(context.Background(), c.Name)
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	return res
}

// assertResult checks a result's status and that its message starts with
// wantMsg ("" means an empty message).
func assertResult(t *testing.T, res checks.Result, want checks.Status, wantMsg string) {
	t.Helper()
	if res.Status != want {
		t.Errorf("status = %v, want %v (message %q, details %v)", res.Status, want, res.Message, res.Details)
	}
	if wantMsg == "" && res.Message != "" || !strings.HasPrefix(res.Message, wantMsg) {
		t.Errorf("message = %q, want prefix %q", res.Message, wantMsg)
	}
}

// assertNotShown fails when any of secrets appears in the result's message
// or details.
func assertNotShown(t *testing.T, res checks.Result, secrets ...string) {
	t.Helper()
	shown := res.Message + " " + fmt.Sprint(res.Details)
	for _, s := range secrets {
		if s != "" && strings.Contains(shown, s) {
			t.Errorf("result shows %q: message %q, details %v", s, res.Message, res.Details)
		}
	}
}

// closedAddr returns a loopback address on which nothing listens.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestTCP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	acceptDone := make(chan struct{})
	go func() {
		defer close(acceptDone)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	defer func() { ln.Close(); <-acceptDone }()

	tests := []struct {
		name    string
		addr    string
		cfg     checks.TCPConfig
		want    checks.Status
		wantMsg string
	}{
		{"listening", ln.Addr().String(), checks.TCPConfig{}, checks.StatusHealthy, ""},
		{"slow", ln.Addr().String(), checks.TCPConfig{SlowThreshold: time.Nanosecond}, checks.StatusDegraded, "slow response ("},
		{"refused", closedAddr(t), checks.TCPConfig{}, checks.StatusUnhealthy, "connection refused"},
		{"no port", "127.0.0.1", checks.TCPConfig{}, checks.StatusUnhealthy, "invalid address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := checks.TCP("upstream", tt.addr, tt.cfg)
			if c.Criticality != checks.Optional || c.Level != checks.LevelStandard {
				t.Errorf("criticality, level = %v, %v; want optional, standard", c.Criticality, c.Level)
			}
			res := runBuiltin(t, c)
			assertResult(t, res, tt.want, tt.wantMsg)
			assertNotShown(t, res, tt.addr, "127.0.0.1")
			if tt.wantMsg != "invalid address" {
				if _, ok := res.Details["connect_ms"].(float64); !ok {
					t.Errorf("details = %v, want connect_ms", res.Details)
				}
			}
		})
	}
}

func TestTCPTimeout(t *testing.T) {
	// A listener whose backlog is never accepted still completes the
	// handshake, so use a context that ends first: the runner's timeout.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c := checks.TCP("upstream", ln.Addr().String(), checks.TCPConfig{})
	inner := c.Func
	c.Func = func(ctx context.Context) checks.Report {
		<-ctx.Done() // dial only once the deadline has passed
		return inner(ctx)
	}
	c.Timeout = 50 * time.Millisecond
	res := runBuiltin(t, c)
	assertResult(t, res, checks.StatusUnhealthy, "timeout")
}
