package pgstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/internal/testutil"
	"github.com/echofx/healthcheck/pgstore"
	"github.com/jackc/pgx/v5/pgxpool"
)

func pingCheck(pool *pgxpool.Pool) checks.Check {
	return checks.Check{Name: "database", Timeout: 2 * time.Second, Func: checks.FromFunc(pool.Ping)}
}

// The database stopped for a while: its outage, seen by the replica's
// database check while nothing could be written, is in the transitions
// once the database is back.
func TestDatabaseOutageInHistory(t *testing.T) {
	pg := testutil.StartPostgres(t)
	clk := testutil.NewFakeClock(t0)
	r := newReplica(t, pg, clk, pgstore.Config{Instance: "a"})
	if err := r.runner.Register(pingCheck(r.pool)); err != nil {
		t.Fatal(err)
	}
	r.start()
	r.runAll()
	r.flush()

	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	r.runAll() // the database check fails
	if err := r.store.Flush(ctxT(t)); err == nil {
		t.Fatal("Flush with the database stopped succeeded")
	}
	clk.Advance(time.Minute)
	r.runAll()
	if err := pg.Start(); err != nil {
		t.Fatal(err)
	}
	r.pool.Reset() // the connections of before the restart are dead: a write would fail once, and wait for the next interval
	clk.Advance(time.Minute)
	r.runAll() // back
	r.flush()

	f, raw := readFleet(t, r.store)
	trs := f.Checks["database"].Transitions
	if len(trs) != 2 || trs[1].To != "unhealthy" || !trs[1].Time.Equal(t0.Add(time.Minute)) ||
		trs[0].To != "healthy" || !trs[0].Time.Equal(t0.Add(3*time.Minute)) {
		t.Fatalf("the database's outage is not in the history: %s", raw)
	}
	if trs[1].Message == "" {
		t.Errorf("no message on the outage: %+v", trs[1])
	}
	// 4 runs, 2 failed while the database was down.
	if v := f.Checks["database"].Availability["24h"]; v == nil || *v != 0.5 {
		t.Errorf("24h availability %v, want 0.5: %s", v, raw)
	}
	if r.store.Dropped() != 0 {
		t.Errorf("dropped %d", r.store.Dropped())
	}
}

// While the database is down the buffer keeps the newest events: past its
// size the oldest are dropped and counted.
func TestBufferDropsOldest(t *testing.T) {
	pg := testutil.StartPostgres(t)
	clk := testutil.NewFakeClock(t0)
	dep := &dependency{}
	// An interval longer than the test: no write of the writer's in
	// flight while the test counts.
	r := newReplica(t, pg, clk, pgstore.Config{Instance: "a", BufferSize: 3, Interval: 24 * time.Hour}, extCheck(dep))
	r.start()
	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	for i := range 6 { // six minutes, three outages: 6 buckets + 6 transitions
		dep.down.Store(i%2 == 0)
		r.runAll()
		clk.Advance(time.Minute)
	}
	if got := r.store.Dropped(); got != 9 {
		t.Errorf("dropped %d, want 9 (12 events, 3 kept)", got)
	}
	if err := pg.Start(); err != nil {
		t.Fatal(err)
	}
	r.pool.Reset() // the connections of before the restart are dead: a write would fail once, and wait for the next interval
	r.flush()
	f, raw := readFleet(t, r.store)
	// Kept: the newest three events, the last two transitions and the last
	// minute's bucket (a passing run).
	if v := f.Checks["payments"].Availability["24h"]; v == nil || *v != 1 {
		t.Errorf("24h %v: %s", v, raw)
	}
	if n := len(f.Checks["payments"].Transitions); n != 2 {
		t.Errorf("transitions %d: %s", n, raw)
	}
}

// Stop never holds beyond its budget, even with the database hung, and
// leaves no goroutine behind (TestMain's goleak).
func TestStopWithinBudget(t *testing.T) {
	pg := testutil.StartPostgres(t)
	clk := testutil.NewFakeClock(t0)
	r := newReplica(t, pg, clk, pgstore.Config{Instance: "a"}, extCheck(&dependency{}))
	r.start()
	r.runAll()
	if err := pg.Pause(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = pg.Resume() }()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	begin := time.Now()
	err := r.store.Stop(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Stop with the database hung: %v", err)
	}
	if d := time.Since(begin); d > 2*time.Second {
		t.Errorf("Stop took %v with a 300ms budget", d)
	}
	r.pool.Reset() // the connection the flush gave up is closed by pgx; drop the rest
}

// The writer writes every Interval by itself, on the store's clock, and
// stands back while the application's pool is saturated.
func TestWriterIntervalAndStandBack(t *testing.T) {
	pg := testutil.StartPostgres(t)
	clk := testutil.NewFakeClock(t0)
	r := newReplica(t, pg, clk, pgstore.Config{Instance: "a"}, extCheck(&dependency{}))
	r.start()
	ctx := ctxT(t)
	count := func() int64 {
		var n int64
		if err := r.pool.QueryRow(ctx, `SELECT coalesce(sum(runs), 0) FROM healthcheck.minute_buckets`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// The writer arms its next timer once a cycle is done: after an
	// Advance that fired it, BlockUntil returns when the cycle is over.
	cycle := func() {
		clk.Advance(pgstore.DefaultInterval)
		if err := clk.BlockUntil(ctx, 1); err != nil {
			t.Fatal(err)
		}
	}
	waitRuns := func(want int64) {
		if n := count(); n != want {
			t.Fatalf("runs written: %d, want %d", n, want)
		}
	}
	if err := clk.BlockUntil(ctx, 1); err != nil {
		t.Fatal(err)
	}
	r.runAll()
	cycle()
	waitRuns(1)

	// Saturate the pool: all but one connection taken by the application.
	var held []interface{ Release() }
	for range r.pool.Config().MaxConns - 1 {
		c, err := r.pool.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	r.runAll()
	cycle() // skipped
	if n := count(); n != 1 {
		t.Errorf("written while the pool was saturated: %d runs", n)
	}
	for _, c := range held {
		c.Release()
	}
	cycle()
	waitRuns(2)
}
