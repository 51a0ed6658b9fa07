package redishealth_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/internal/testutil"
	"github.com/echofx/healthcheck/redishealth"
)

func client(t *testing.T, opts *redis.Options) *redis.Client {
	t.Helper()
	opts.DialTimeout = 2 * time.Second
	opts.MaxRetries = -1 // one attempt: the runner retries on its schedule
	c := redis.NewClient(opts)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func probe(t *testing.T, c checks.Check) checks.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return c.Func(ctx)
}

// assertSafe fails when the report shows any of secrets.
func assertSafe(t *testing.T, rep checks.Report, secrets ...string) {
	t.Helper()
	shown := rep.Message + fmt.Sprint(rep.Details)
	for _, s := range secrets {
		if s != "" && strings.Contains(shown, s) {
			t.Errorf("report shows %q: %q %v", s, rep.Message, rep.Details)
		}
	}
}

func TestCheck(t *testing.T) {
	srv := testutil.StartRedis(t)
	host, port, _ := strings.Cut(srv.Addr(), ":")
	secrets := []string{srv.Password(), srv.Addr(), host, port, "probe-user", "s3cret-acl"}

	admin := client(t, &redis.Options{Addr: srv.Addr(), Password: srv.Password()})
	if err := admin.Do(context.Background(), "ACL", "SETUSER", "probe-user", "on", ">s3cret-acl", "+ping", "+hello", "+client").Err(); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		opts    *redis.Options
		cfg     redishealth.Config
		status  checks.Status
		message string
	}{
		{"password", &redis.Options{Password: srv.Password()}, redishealth.Config{}, checks.StatusHealthy, ""},
		{"acl user", &redis.Options{Username: "probe-user", Password: "s3cret-acl"}, redishealth.Config{}, checks.StatusHealthy, ""},
		{"slow", &redis.Options{Password: srv.Password()}, redishealth.Config{SlowThreshold: time.Nanosecond}, checks.StatusDegraded, "slow response ("},
		{"wrong password", &redis.Options{Password: "wrong"}, redishealth.Config{}, checks.StatusUnhealthy, "authentication failed"},
		{"wrong acl password", &redis.Options{Username: "probe-user", Password: "wrong"}, redishealth.Config{}, checks.StatusUnhealthy, "authentication failed"},
		{"no password", &redis.Options{}, redishealth.Config{}, checks.StatusUnhealthy, "authentication failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Addr = srv.Addr()
			c := mustNew(client(t, tt.opts), tt.cfg)
			if c.Name != "redis" || c.Criticality != checks.Optional || c.Level != checks.LevelStandard {
				t.Errorf("check = %q %v %v, want redis optional standard", c.Name, c.Criticality, c.Level)
			}
			rep := probe(t, c)
			if rep.Status != tt.status || !strings.HasPrefix(rep.Message, tt.message) || (tt.message == "" && rep.Message != "") {
				t.Errorf("report = %v %q (err %v), want %v %q", rep.Status, rep.Message, rep.Err, tt.status, tt.message)
			}
			for _, k := range []string{"hits", "misses", "timeouts", "total_conns", "idle_conns", "stale_conns", "response_ms"} {
				if _, ok := rep.Details[k]; !ok {
					t.Errorf("details lack %q: %v", k, rep.Details)
				}
			}
			assertSafe(t, rep, secrets...)
		})
	}
}

// Pool statistics are the client's: after the application used a
// connection, the probe finds it idle (a hit).
func TestCheckPoolStats(t *testing.T) {
	srv := testutil.StartRedis(t)
	c := client(t, &redis.Options{Addr: srv.Addr(), Password: srv.Password()})
	if err := c.Set(context.Background(), "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	rep := probe(t, mustNew(c, redishealth.Config{}))
	if rep.Details["total_conns"] != uint32(1) || rep.Details["idle_conns"] != uint32(1) || rep.Details["hits"] != uint32(1) {
		t.Errorf("details = %v, want 1 connection, idle, 1 hit", rep.Details)
	}
}

func TestCheckStoppedServer(t *testing.T) {
	srv := testutil.StartRedis(t)
	c := client(t, &redis.Options{Addr: srv.Addr(), Password: srv.Password()})
	check := mustNew(c, redishealth.Config{Name: "cache"})
	if rep := probe(t, check); rep.Status != checks.StatusHealthy {
		t.Fatalf("before stop: %v %q", rep.Status, rep.Message)
	}
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	// Through a runner, as the application sees it. The pooled connection
	// is dead: go-redis notices it on use and redials, which is refused.
	runner := checks.NewRunner()
	defer runner.Close()
	check.Timeout = 3 * time.Second
	if err := runner.Register(check); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var res checks.Result
	for i := 0; i < 3; i++ { // the first use may only find the dead connection
		var err error
		if res, err = runner.Refresh(ctx, "cache"); err != nil {
			t.Fatal(err)
		}
		if res.Message == "connection refused" {
			break
		}
	}
	if res.Status != checks.StatusUnhealthy || res.Message != "connection refused" {
		t.Errorf("stopped: %v %q, want unhealthy \"connection refused\"", res.Status, res.Message)
	}
	assertSafe(t, checks.Report{Message: res.Message, Details: res.Details}, srv.Password(), srv.Addr())
}

func TestCheckNilAndClosedClient(t *testing.T) {
	if _, err := redishealth.New(nil, redishealth.Config{}); !errors.Is(err, checks.ErrInvalidConfig) {
		t.Errorf("nil client: error %v, want a *checks.ConfigError", err)
	}
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	_ = c.Close()
	if rep := probe(t, mustNew(c, redishealth.Config{})); rep.Status != checks.StatusUnhealthy || rep.Message != "client closed" {
		t.Errorf("closed client: %v %q", rep.Status, rep.Message)
	}
}

// A server that stops answering (CLIENT PAUSE) reads "timeout" at the
// runner's deadline; with ContextTimeoutEnabled the PING is cut there too.
func TestCheckTimeout(t *testing.T) {
	srv := testutil.StartRedis(t)
	for _, honour := range []bool{false, true} {
		t.Run(fmt.Sprintf("ContextTimeoutEnabled=%v", honour), func(t *testing.T) {
			c := client(t, &redis.Options{Addr: srv.Addr(), Password: srv.Password(), ContextTimeoutEnabled: honour})
			admin := client(t, &redis.Options{Addr: srv.Addr(), Password: srv.Password()})
			if err := c.Ping(context.Background()).Err(); err != nil { // a pooled connection
				t.Fatal(err)
			}
			if err := admin.Do(context.Background(), "CLIENT", "PAUSE", "2500", "ALL").Err(); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			start := time.Now()
			rep := mustNew(c, redishealth.Config{}).Func(ctx)
			elapsed := time.Since(start)
			if rep.Status != checks.StatusUnhealthy || rep.Message != "timeout" {
				t.Errorf("paused server: %v %q (err %v), want unhealthy \"timeout\"", rep.Status, rep.Message, rep.Err)
			}
			if honour && elapsed > 2*time.Second {
				t.Errorf("with ContextTimeoutEnabled the PING took %v, want it cut at the 200ms deadline (well under 2s)", elapsed)
			}
			// The pause's end: the server answers the admin's PING then
			// (within its 3s read timeout: the pause has at most 2.3s left).
			if err := admin.Ping(context.Background()).Err(); err != nil {
				t.Fatalf("PING after the pause: %v", err)
			}
		})
	}
}

// mustNew is redishealth.New for a client the test made.
func mustNew(client redis.UniversalClient, cfg redishealth.Config) checks.Check {
	c, err := redishealth.New(client, cfg)
	if err != nil {
		panic(err)
	}
	return c
}
