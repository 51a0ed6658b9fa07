package browsertest

import (
	"context"
	"errors"
	"github.com/echofx/healthcheck/internal/testutil/checktest"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/checks/downstream"
	"github.com/echofx/healthcheck/checks/pgcheck"
	"github.com/echofx/healthcheck/httphealth"
	"github.com/echofx/healthcheck/internal/testutil"
	"github.com/echofx/healthcheck/lifecycle"
)

// service is a real service for the page: httphealth's handlers on a
// loopback server, over a runner kept fresh by the lifecycle's periodic
// runs, with a real PostgreSQL check, two fixed checks and a downstream
// check of a second service (which runs the library too).
type service struct {
	URL    string // origin, e.g. http://127.0.0.1:41234
	Prefix string
	PG     *testutil.Postgres
	Runner *checks.Runner
	Token  string // accepted by the detailed route
}

const (
	testVersion = "1.4.2-test"
	fastEvery   = 300 * time.Millisecond // periodic runs of every check
)

var secret = []byte("status-page-test-secret-of-32-bytes-at-least")

func startService(t *testing.T) *service {
	t.Helper()
	pg := testutil.StartPostgres(t)

	// The downstream service: its own runner and routes.
	downSecret := []byte("downstream-secret-of-at-least-32-bytes!!")
	downRunner := checks.NewRunner()
	t.Cleanup(downRunner.Close)
	must(t, downRunner.Register(
		checks.Check{Name: "ledger", Func: checks.FromFunc(func(context.Context) error { return nil })},
		checks.Check{Name: "fx-rates", Criticality: checks.Optional, Func: checks.FromFunc(func(context.Context) error { return nil })},
	))
	downAuth, err := httphealth.NewJWT(httphealth.JWTConfig{Secret: downSecret})
	must(t, err)
	downSrv := mount(t, downRunner, httphealth.WithDetailed(downAuth))

	pool, err := pgxpool.New(context.Background(), pg.DSN())
	must(t, err)
	t.Cleanup(pool.Close)

	runner := checks.NewRunner()
	t.Cleanup(runner.Close)
	db := checktest.Must(pgcheck.New(pool, pgcheck.Config{}))
	fast(&db)
	db.Timeout = 2 * time.Second
	cache := checks.Check{Name: "cache", Func: checks.FromFunc(func(context.Context) error { return nil })}
	fast(&cache)
	search := checks.Check{Name: "search", Criticality: checks.Optional, Func: checks.FromFunc(func(context.Context) error {
		return errors.New("index is rebuilding")
	})}
	fast(&search)
	orders, err := downstream.New(downSrv.URL+"/healthcheck/", downstream.Config{
		Name:   "orders",
		Origin: "browsertest",
		Token:  testutil.MintHS256(downSecret, testutil.ValidClaims("", "", time.Hour)),
	})
	must(t, err)
	fast(&orders)
	must(t, runner.Register(db, cache, search, orders))

	lc, err := lifecycle.New(runner, lifecycle.WithDrainDelay(0))
	if err != nil {
		t.Fatal(err)
	}
	must(t, lc.Start(context.Background()))
	t.Cleanup(func() {
		if err := lc.Stop(context.Background()); err != nil {
			t.Errorf("lifecycle stop: %v", err)
		}
	})

	auth, err := httphealth.NewJWT(httphealth.JWTConfig{Secret: secret})
	must(t, err)
	srv := mount(t, runner, httphealth.WithDetailed(auth), httphealth.WithVersion(testVersion),
		httphealth.WithReadiness(lc))
	return &service{
		URL: srv.URL, Prefix: httphealth.DefaultPrefix, PG: pg, Runner: runner,
		Token: testutil.MintHS256(secret, testutil.ValidClaims("", "", time.Hour)),
	}
}

// fast makes a check run every fastEvery.
func fast(c *checks.Check) {
	c.Interval = fastEvery
	c.TTL = fastEvery / 2
}

// mount serves runner's routes on a loopback server closed at cleanup.
func mount(t *testing.T, runner *checks.Runner, opts ...httphealth.Option) *httptest.Server {
	t.Helper()
	h, err := httphealth.New(runner, opts...)
	must(t, err)
	mux := http.NewServeMux()
	must(t, h.Mount(mux))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// waitStatus waits until the runner's latest result of name has status.
func waitStatus(t *testing.T, runner *checks.Runner, name string, status checks.Status, timeout time.Duration) {
	t.Helper()
	reached := make(chan struct{}, 1)
	runner.AddHooks(checks.Hooks{OnResult: func(r checks.Result) {
		if r.Name == name && r.Status == status {
			select {
			case reached <- struct{}{}:
			default:
			}
		}
	}})
	if r, ok := runner.Latest(context.Background(), checks.LevelComprehensive).Result(name); ok && r.Status == status {
		return
	}
	select {
	case <-reached:
	case <-time.After(timeout):
		r, _ := runner.Latest(context.Background(), checks.LevelComprehensive).Result(name)
		t.Fatalf("check %s is %v (%s) after %v, want %v", name, r.Status, r.Message, timeout, status)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
