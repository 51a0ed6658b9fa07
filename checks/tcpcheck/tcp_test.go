package tcpcheck_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/checks/tcpcheck"
	"github.com/echofx/healthcheck/internal/testutil/checktest"
)

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
		cfg     tcpcheck.Config
		want    checks.Status
		wantMsg string
	}{
		{"listening", ln.Addr().String(), tcpcheck.Config{}, checks.StatusHealthy, ""},
		{"slow", ln.Addr().String(), tcpcheck.Config{SlowThreshold: time.Nanosecond}, checks.StatusDegraded, "slow response ("},
		{"refused", checktest.ClosedAddr(t), tcpcheck.Config{}, checks.StatusUnhealthy, "connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.Name = "upstream"
			c, err := tcpcheck.New(tt.addr, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if c.Criticality != checks.Optional || c.Level != checks.LevelStandard {
				t.Errorf("criticality, level = %v, %v; want optional, standard", c.Criticality, c.Level)
			}
			res := checktest.Run(t, c)
			checktest.AssertResult(t, res, tt.want, tt.wantMsg)
			checktest.AssertNotShown(t, res, tt.addr, "127.0.0.1")
			if _, ok := res.Details["connect_ms"].(float64); !ok {
				t.Errorf("details = %v, want connect_ms", res.Details)
			}
		})
	}
}

func TestTCPInvalidAddr(t *testing.T) {
	for _, addr := range []string{"127.0.0.1", ""} {
		_, err := tcpcheck.New(addr, tcpcheck.Config{})
		var ce *checks.ConfigError
		if !errors.As(err, &ce) || ce.Setting != "tcpcheck.New addr" {
			t.Errorf("New(%q) = %v, want a *checks.ConfigError naming tcpcheck.New addr", addr, err)
		}
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
	c := checktest.Must(tcpcheck.New(ln.Addr().String(), tcpcheck.Config{Name: "upstream"}))
	inner := c.Func
	c.Func = func(ctx context.Context) checks.Report {
		<-ctx.Done() // dial only once the deadline has passed
		return inner(ctx)
	}
	c.Timeout = 50 * time.Millisecond
	res := checktest.Run(t, c)
	checktest.AssertResult(t, res, checks.StatusUnhealthy, "timeout")
}
