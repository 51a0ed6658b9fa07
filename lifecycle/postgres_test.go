package lifecycle_test

import (
	"context"
	"errors"
	"github.com/echofx/healthcheck/internal/testutil/checktest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/checks/pgcheck"
	"github.com/echofx/healthcheck/internal/testutil"
	"github.com/echofx/healthcheck/lifecycle"
)

// With a real PostgreSQL: the gate waits while the cluster is down and
// passes once it is started; the periodic checks then follow the cluster
// down and up again, each change reported exactly once. Real time with
// short intervals; waits poll up to a generous bound.
func TestPostgresGateAndPeriodicChecks(t *testing.T) {
	pg := testutil.StartPostgres(t)
	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	pool, err := pgxpool.New(ctx, pg.DSN()) // connects lazily
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()

	runner := checks.NewRunner()
	defer runner.Close()
	err = runner.Register(checks.Check{
		Name:     "postgres",
		Interval: 50 * time.Millisecond,
		TTL:      10 * time.Millisecond,
		Timeout:  500 * time.Millisecond,
		Func:     checks.FromFunc(pool.Ping),
	})
	if err != nil {
		t.Fatal(err)
	}

	// Start the cluster after the gate's first failed attempt.
	started := make(chan error, 1)
	isReady := newSignal()
	var attempts events
	lc := newLifecycle(t, runner,
		lifecycle.WithDrainDelay(0),
		lifecycle.WithStartup(lifecycle.StartupConfig{InitialBackoff: 50 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, MaxAttempts: 1000, MaxWait: 90 * time.Second}),
		lifecycle.WithLogger(discard),
		lifecycle.WithHooks(lifecycle.Hooks{OnStartupAttempt: func(check string, attempt int, ok bool) {
			attempts.add(map[bool]string{true: "ok", false: "fail"}[ok])
			if attempt == 1 && !ok {
				go func() { started <- pg.Start() }()
			}
		}, OnReadiness: func(ready bool, _ string) {
			if ready {
				isReady.fire()
			}
		}}),
	)
	if err := lc.Start(ctx); err != nil {
		t.Fatalf("Start = %v", err)
	}
	if ready, reason := lc.Readiness(); ready || reason != lifecycle.ReasonStarting {
		t.Fatalf("Readiness() = %v %q while the database is down, want starting", ready, reason)
	}
	if err := <-started; err != nil {
		t.Fatalf("starting postgres: %v", err)
	}
	isReady.wait(t, "ready once the database is up")
	if got := attempts.get(); len(got) < 2 || got[0] != "fail" || got[len(got)-1] != "ok" {
		t.Fatalf("gate attempts = %v, want failures then a success", got)
	}
	if ready, reason := lc.Readiness(); !ready {
		t.Fatalf("not ready after Start: %s", reason)
	}

	var transitions events
	unhealthy, healthy := newSignal(), newSignal()
	runner.AddHooks(checks.Hooks{OnTransition: func(tr checks.Transition) {
		transitions.add(tr.From.String() + "->" + tr.To.String())
		switch tr.To {
		case checks.StatusUnhealthy:
			unhealthy.fire()
		case checks.StatusHealthy:
			healthy.fire()
		}
	}})
	status := func() checks.Status {
		res, _ := runner.Snapshot().Result("postgres")
		return res.Status
	}

	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	unhealthy.wait(t, "postgres unhealthy")
	if st := status(); st != checks.StatusUnhealthy {
		t.Fatalf("status %v after the transition to unhealthy", st)
	}
	if err := pg.Start(); err != nil {
		t.Fatal(err)
	}
	healthy.wait(t, "postgres healthy")
	if st := status(); st != checks.StatusHealthy {
		t.Fatalf("status %v after the transition to healthy", st)
	}

	if err := lc.Stop(ctx); err != nil {
		t.Fatalf("Stop = %v", err)
	}
	want := []string{"healthy->unhealthy", "unhealthy->healthy"}
	if got := transitions.get(); !slices.Equal(got, want) {
		t.Fatalf("transitions = %v, want %v", got, want)
	}
}

// A database that does not exist, or a wrong password, fails Start at once
// with the server's (safe) message: the server says waiting will not help.
func TestPostgresPermanentFailuresFailStartFast(t *testing.T) {
	pg := testutil.StartPostgres(t)
	wrongPassword, err := url.Parse(pg.DSN())
	if err != nil {
		t.Fatal(err)
	}
	wrongPassword.User = url.UserPassword(pg.User(), "not-"+pg.Password())
	tests := []struct {
		name, dsn, want string
	}{
		{"missing database", pg.DSNFor("database_not_exist"), `database "database_not_exist" does not exist`},
		{"wrong password", wrongPassword.String(), "authentication failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			pool, err := pgxpool.New(ctx, tt.dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer pool.Close()
			runner := checks.NewRunner()
			defer runner.Close()
			if err := runner.Register(checktest.Must(pgcheck.New(pool, pgcheck.Config{}))); err != nil {
				t.Fatal(err)
			}
			lc := newLifecycle(t, runner, lifecycle.WithLogger(discard))
			begin := time.Now()
			err = lc.Start(ctx)
			if !errors.Is(err, checks.ErrPermanent) || !strings.Contains(err.Error(), "database (1 attempt): "+tt.want) {
				t.Fatalf("Start = %v, want a permanent failure reading %q", err, tt.want)
			}
			if d := time.Since(begin); d > 10*time.Second {
				t.Errorf("Start failed after %v, want well under 10s", d)
			}
			for _, secret := range []string{pg.Password(), pg.User() + `"`, pg.Addr()} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q shows %q", err, secret)
				}
			}
			if err := lc.Stop(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}
