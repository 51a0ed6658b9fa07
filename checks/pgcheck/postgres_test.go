package pgcheck_test

import (
	"context"
	"errors"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/checks/pgcheck"
	"github.com/echofx/healthcheck/internal/testutil"
	"github.com/echofx/healthcheck/internal/testutil/checktest"
)

// newPool returns a pool on dsn, closed when the test ends. It does not
// connect: the check's first acquire does.
func newPool(t *testing.T, dsn string, maxConns int32) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	if maxConns > 0 {
		cfg.MaxConns = maxConns
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func TestPostgres(t *testing.T) {
	pg := testutil.StartPostgres(t)
	// Nothing that locates or authenticates the database may be shown.
	secrets := []string{pg.Password(), pg.User(), pg.Addr(), pg.Host(), pg.DSN(), "postgres://"}

	wrongPassword, err := url.Parse(pg.DSN())
	if err != nil {
		t.Fatal(err)
	}
	wrongPassword.User = url.UserPassword(pg.User(), "not-"+pg.Password())

	tests := []struct {
		name    string
		dsn     string
		want    checks.Status
		wantMsg string // exact
		// permanent: the server says waiting will not help.
		permanent bool
	}{
		{"healthy", pg.DSN(), checks.StatusHealthy, "", false},
		{"missing database", pg.DSNFor("database_not_exist"), checks.StatusUnhealthy, `database "database_not_exist" does not exist`, true},
		{"wrong password", wrongPassword.String(), checks.StatusUnhealthy, "authentication failed", true},
		{"unknown user", strings.Replace(pg.DSN(), pg.User()+":", "nobody:", 1), checks.StatusUnhealthy, "authentication failed", true},
		{"refused", strings.Replace(pg.DSN(), pg.Addr(), checktest.ClosedAddr(t), 1), checks.StatusUnhealthy, "connection refused", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pool := newPool(t, tt.dsn, 4)
			c := checktest.Must(pgcheck.New(pool, pgcheck.Config{}))
			if c.Name != "database" || c.Criticality != checks.Required || c.Level != checks.LevelBasic {
				t.Errorf("check = %q, %v, %v; want database, required, basic", c.Name, c.Criticality, c.Level)
			}
			res := checktest.Run(t, c)
			if res.Status != tt.want || res.Message != tt.wantMsg {
				t.Errorf("result = %v %q, want %v %q", res.Status, res.Message, tt.want, tt.wantMsg)
			}
			if res.Permanent != tt.permanent {
				t.Errorf("result.Permanent = %v, want %v", res.Permanent, tt.permanent)
			}
			checktest.AssertNotShown(t, res, secrets...)
			for _, k := range []string{"total_conns", "idle_conns", "acquired_conns", "max_conns"} {
				if _, ok := res.Details[k].(int); !ok {
					t.Errorf("details = %v, want int %s", res.Details, k)
				}
			}
			if res.Details["max_conns"] != 4 {
				t.Errorf("max_conns = %v, want 4", res.Details["max_conns"])
			}
			if _, ok := res.Details["empty_acquire_count"].(int64); !ok {
				t.Errorf("details = %v, want empty_acquire_count", res.Details)
			}
			if _, ok := res.Details["response_ms"].(float64); !ok {
				t.Errorf("details = %v, want response_ms", res.Details)
			}
		})
	}

	t.Run("slow", func(t *testing.T) {
		pool := newPool(t, pg.DSN(), 0)
		res := checktest.Run(t, checktest.Must(pgcheck.New(pool, pgcheck.Config{SlowThreshold: time.Nanosecond})))
		checktest.AssertResult(t, res, checks.StatusDegraded, "slow response (")
	})

	t.Run("nil pool", func(t *testing.T) {
		_, err := pgcheck.New(nil, pgcheck.Config{Name: "db"})
		var ce *checks.ConfigError
		if !errors.As(err, &ce) || ce.Setting != "pgcheck.New pool" {
			t.Fatalf("New(nil) = %v, want a *checks.ConfigError naming pgcheck.New pool", err)
		}
	})

	t.Run("pool nearly exhausted", func(t *testing.T) {
		pool := newPool(t, pg.DSN(), 3)
		ctx := context.Background()
		for range 2 {
			conn, err := pool.Acquire(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Release()
		}
		// 2/3 acquired: below the default threshold, above 0.5.
		res := checktest.Run(t, checktest.Must(pgcheck.New(pool, pgcheck.Config{})))
		checktest.AssertResult(t, res, checks.StatusHealthy, "")
		res = checktest.Run(t, checktest.Must(pgcheck.New(pool, pgcheck.Config{PoolThreshold: 0.5})))
		if res.Status != checks.StatusDegraded || res.Message != "connection pool nearly exhausted (2/3)" {
			t.Errorf("result = %v %q, want degraded %q", res.Status, res.Message, "connection pool nearly exhausted (2/3)")
		}
		if res.Details["acquired_conns"] != 2 || res.Details["max_conns"] != 3 {
			t.Errorf("details = %v, want 2 of 3 acquired", res.Details)
		}
	})

	t.Run("pool exhausted", func(t *testing.T) {
		pool := newPool(t, pg.DSN(), 2)
		ctx := context.Background()
		var held []*pgxpool.Conn
		for range 2 {
			conn, err := pool.Acquire(ctx)
			if err != nil {
				t.Fatal(err)
			}
			held = append(held, conn)
		}
		defer func() {
			for _, c := range held {
				c.Release()
			}
		}()
		c := checktest.Must(pgcheck.New(pool, pgcheck.Config{}))
		c.Timeout = 300 * time.Millisecond
		// Each return of the check's Func, abandoned at its deadline or not.
		returned := make(chan struct{}, 8)
		probe := c.Func
		c.Func = func(ctx context.Context) checks.Report {
			defer func() { returned <- struct{}{} }()
			return probe(ctx)
		}
		runner := checks.NewRunner()
		defer runner.Close()
		if err := runner.Register(c); err != nil {
			t.Fatal(err)
		}
		// Full pool: degraded at once, without queueing behind the
		// application.
		// (Had it waited, it would have timed out: unhealthy.)
		res, err := runner.Refresh(ctx, c.Name)
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != checks.StatusDegraded || res.Message != "connection pool exhausted (2/2)" {
			t.Errorf("first run = %v %q, want degraded %q", res.Status, res.Message, "connection pool exhausted (2/2)")
		}
		// Still full and no acquire completed since: stuck, so the check
		// waits for a connection like the application does, and times out.
		res, err = runner.Refresh(ctx, c.Name)
		if err != nil {
			t.Fatal(err)
		}
		checktest.AssertResult(t, res, checks.StatusUnhealthy, "timeout")
		// The application makes progress: busy again, not stuck.
		held[0].Release()
		held[0], err = pool.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// The timed-out run's Func returns once its Acquire sees its
		// context canceled; until then the runner answers "abandoned"
		// instead of starting another run. Wait for that event; the
		// runner clears the mark right after the Func returns, and each
		// "abandoned" answer runs nothing.
		<-returned // the first run's
		select {
		case <-returned:
		case <-time.After(10 * time.Second):
			t.Fatal("the timed-out run's Func did not return")
		}
		for {
			if res, err = runner.Refresh(ctx, c.Name); err != nil {
				t.Fatal(err)
			}
			if res.Details["abandoned_since"] == nil {
				break
			}
			runtime.Gosched()
		}
		checktest.AssertResult(t, res, checks.StatusDegraded, "connection pool exhausted (2/2)")
		// A free connection: probed and judged by the threshold.
		held[1].Release()
		held = held[:1]
		res, err = runner.Refresh(ctx, c.Name)
		if err != nil {
			t.Fatal(err)
		}
		checktest.AssertResult(t, res, checks.StatusHealthy, "")
	})

	for _, warm := range []bool{false, true} {
		name := "paused while connecting"
		if warm {
			name = "paused with an idle connection"
		}
		t.Run(name, func(t *testing.T) {
			pool := newPool(t, pg.DSN(), 0)
			c := checktest.Must(pgcheck.New(pool, pgcheck.Config{}))
			c.Timeout = 300 * time.Millisecond
			if warm {
				// The idle connection, made without the check's 300 ms
				// bound: a first dial and SCRAM handshake on a loaded
				// machine can take longer, and it is not what is tested.
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				err := pool.Ping(ctx)
				cancel()
				if err != nil {
					t.Fatal(err)
				}
			}
			if err := pg.Pause(); err != nil {
				t.Fatal(err)
			}
			resumed := false
			defer func() {
				if !resumed {
					_ = pg.Resume()
				}
			}()
			start := time.Now()
			res := checktest.Run(t, c)
			// The bound is structural (the runner selects on the
			// deadline); the assertion is loose so a busy machine cannot
			// flake it, and the figure is logged.
			d := time.Since(start)
			t.Logf("result %v after the call (timeout %v)", d, c.Timeout)
			if d > 2*time.Second {
				t.Errorf("result after %v, want about the 300ms timeout", d)
			}
			checktest.AssertResult(t, res, checks.StatusUnhealthy, "timeout")
			checktest.AssertNotShown(t, res, secrets...)
			if err := pg.Resume(); err != nil {
				t.Fatal(err)
			}
			resumed = true
			c.Timeout = 10 * time.Second
			checktest.AssertResult(t, checktest.Run(t, c), checks.StatusHealthy, "")
		})
	}

	// Last: it stops the server.
	t.Run("stopped", func(t *testing.T) {
		pool := newPool(t, pg.DSN(), 0)
		if err := pg.Stop(); err != nil {
			t.Fatal(err)
		}
		res := checktest.Run(t, checktest.Must(pgcheck.New(pool, pgcheck.Config{})))
		if res.Status != checks.StatusUnhealthy || res.Message != "connection refused" {
			t.Errorf("result = %v %q, want unhealthy %q", res.Status, res.Message, "connection refused")
		}
		checktest.AssertNotShown(t, res, secrets...)
	})
}
