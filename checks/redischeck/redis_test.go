package redischeck_test

import (
	"net"
	"testing"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/checks/redischeck"
	"github.com/echofx/healthcheck/internal/testutil"
	"github.com/echofx/healthcheck/internal/testutil/checktest"
)

func TestRedis(t *testing.T) {
	rd := testutil.StartRedis(t)
	secrets := []string{rd.Password(), rd.Addr(), "127.0.0.1"}
	tests := []struct {
		name    string
		cfg     redischeck.Config
		want    checks.Status
		wantMsg string // exact, or a prefix for "slow response ("
	}{
		{"healthy", redischeck.Config{Password: rd.Password()}, checks.StatusHealthy, ""},
		{"default user", redischeck.Config{Username: "default", Password: rd.Password()}, checks.StatusHealthy, ""},
		{"wrong password", redischeck.Config{Password: "not-" + rd.Password()}, checks.StatusUnhealthy, "authentication failed"},
		{"unknown user", redischeck.Config{Username: "nobody", Password: rd.Password()}, checks.StatusUnhealthy, "authentication failed"},
		{"no password", redischeck.Config{}, checks.StatusUnhealthy, "authentication required"},
		{"slow", redischeck.Config{Password: rd.Password(), SlowThreshold: time.Nanosecond}, checks.StatusDegraded, "slow response ("},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := checktest.Must(redischeck.New(rd.Addr(), tt.cfg))
			if c.Name != "redis" || c.Criticality != checks.Optional || c.Level != checks.LevelStandard {
				t.Errorf("check = %q, %v, %v; want redis, optional, standard", c.Name, c.Criticality, c.Level)
			}
			res := checktest.Run(t, c)
			checktest.AssertResult(t, res, tt.want, tt.wantMsg)
			if tt.want == checks.StatusUnhealthy && res.Message != tt.wantMsg {
				t.Errorf("message = %q, want %q", res.Message, tt.wantMsg)
			}
			checktest.AssertNotShown(t, res, append(secrets, "nobody")...)
			if _, ok := res.Details["response_ms"].(float64); !ok {
				t.Errorf("details = %v, want response_ms", res.Details)
			}
		})
	}

	t.Run("stopped", func(t *testing.T) {
		if err := rd.Stop(); err != nil {
			t.Fatal(err)
		}
		res := checktest.Run(t, checktest.Must(redischeck.New(rd.Addr(), redischeck.Config{Password: rd.Password()})))
		if res.Status != checks.StatusUnhealthy || res.Message != "connection refused" {
			t.Errorf("result = %v %q, want unhealthy %q", res.Status, res.Message, "connection refused")
		}
		checktest.AssertNotShown(t, res, secrets...)
	})
}

// TestRedisProtocol runs the check against servers that misbehave.
func TestRedisProtocol(t *testing.T) {
	tests := []struct {
		name    string
		replies []string // one line per command received
		hang    bool     // accept and never answer
		want    string
	}{
		{"loading", []string{"-LOADING Redis is loading the dataset in memory\r\n"}, false, "unexpected reply (LOADING)"},
		{"generic error", []string{"-ERR something about secret-thing\r\n"}, false, "unexpected reply"},
		{"not redis", []string{"HTTP/1.1 400 Bad Request\r\n"}, false, "unexpected reply"},
		{"closes", nil, false, "connection closed"},
		{"hangs", nil, true, "timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan struct{})
			go func() {
				defer close(done)
				conn, err := ln.Accept()
				if err != nil {
					return
				}
				defer conn.Close()
				buf := make([]byte, 1024)
				if tt.hang {
					for {
						if _, err := conn.Read(buf); err != nil {
							return
						}
					}
				}
				if len(tt.replies) == 0 { // read the command, close without a reply
					_, _ = conn.Read(buf)
					return
				}
				for _, r := range tt.replies {
					if _, err := conn.Read(buf); err != nil {
						return
					}
					conn.Write([]byte(r))
				}
			}()
			defer func() { ln.Close(); <-done }()
			c := checktest.Must(redischeck.New(ln.Addr().String(), redischeck.Config{}))
			c.Timeout = 200 * time.Millisecond
			res := checktest.Run(t, c)
			if tt.want == "timeout" {
				checktest.AssertResult(t, res, checks.StatusUnhealthy, "timeout")
			} else if res.Status != checks.StatusUnhealthy || res.Message != tt.want {
				t.Errorf("result = %v %q, want unhealthy %q", res.Status, res.Message, tt.want)
			}
			checktest.AssertNotShown(t, res, "secret-thing", "HTTP/1.1")
		})
	}
}
