package pgstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/internal/testutil"
	"github.com/echofx/healthcheck/pgstore"
)

// t0 is the fake clock's start: a Sunday morning, UTC.
var t0 = time.Date(2026, 11, 8, 9, 0, 0, 0, time.UTC)

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// newPool is a pool of its own on pg, as a replica process has.
func newPool(t testing.TB, pg *testutil.Postgres) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(pg.DSN())
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 4
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// dependency is an external dependency the test turns on and off.
type dependency struct{ down atomic.Bool }

func (d *dependency) check(ctx context.Context) error {
	if d.down.Load() {
		return checks.NewSafeError("connection refused", errors.New("dial tcp: connection refused"))
	}
	return nil
}

// replica is one in-process replica of service "orders": a runner and a
// store on a pool of its own.
type replica struct {
	t      testing.TB
	runner *checks.Runner
	store  *pgstore.Store
	pool   *pgxpool.Pool
}

func newReplica(t testing.TB, pg *testutil.Postgres, clk checks.Clock, cfg pgstore.Config, cs ...checks.Check) *replica {
	t.Helper()
	pool := newPool(t, pg)
	if cfg.Service == "" {
		cfg.Service = "orders"
	}
	cfg.Clock = clk
	st, err := pgstore.New(pool, cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := checks.NewRunner(checks.WithClock(clk), checks.WithHooks(st.Hooks()))
	t.Cleanup(r.Close)
	if err := r.Register(cs...); err != nil {
		t.Fatal(err)
	}
	return &replica{t: t, runner: r, store: st, pool: pool}
}

func (r *replica) start() {
	r.t.Helper()
	if err := r.store.Start(ctxT(r.t)); err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { _ = r.store.Stop(context.Background()) })
}

// runAll executes every check now.
func (r *replica) runAll() {
	r.t.Helper()
	for _, c := range r.runner.Checks() {
		if _, err := r.runner.Refresh(ctxT(r.t), c.Name); err != nil {
			r.t.Fatal(err)
		}
	}
}

func (r *replica) flush() {
	r.t.Helper()
	if err := r.store.Flush(ctxT(r.t)); err != nil {
		r.t.Fatal(err)
	}
}

// fleet is the decoded answer of Store.Fleet.
type fleet struct {
	Service     string    `json:"service"`
	GeneratedAt time.Time `json:"generated_at"`
	Instances   []struct {
		Instance  string    `json:"instance"`
		Version   string    `json:"version"`
		Status    string    `json:"status"`
		LastSeen  time.Time `json:"last_seen"`
		StartedAt time.Time `json:"started_at"`
	} `json:"instances"`
	Checks map[string]struct {
		Availability map[string]*float64 `json:"availability"`
		Days         []struct {
			Day          string   `json:"day"`
			Availability *float64 `json:"availability"`
		} `json:"days"`
		Transitions []struct {
			Time     time.Time `json:"time"`
			Instance string    `json:"instance"`
			From     string    `json:"from"`
			To       string    `json:"to"`
			Message  string    `json:"message"`
		} `json:"transitions"`
	} `json:"checks"`
}

func readFleet(t testing.TB, st *pgstore.Store) (fleet, []byte) {
	t.Helper()
	b, err := st.Fleet(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	var f fleet
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("%v in %s", err, b)
	}
	return f, b
}

func extCheck(d *dependency) checks.Check {
	return checks.Check{Name: "payments", Func: checks.FromFunc(d.check)}
}
