package pgstore_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/internal/testutil"
	"github.com/echofx/healthcheck/pgstore"
)

// figures is set to run the figures of docs/store.md:
//
//	PGSTORE_FIGURES=1 go test ./pgstore -run TestFigures -v
//	go test ./pgstore -run '^$' -bench BenchmarkFleet -benchtime 50x
const figuresEnv = "PGSTORE_FIGURES"

func twentyChecks() []checks.Check {
	cs := make([]checks.Check, 20)
	for i := range cs {
		cs[i] = checks.Check{Name: fmt.Sprintf("check-%02d", i), Func: checks.FromFunc(func(context.Context) error { return nil })}
	}
	return cs
}

// TestFigures prints the write cost of one replica with 20 checks at the
// default interval, driving the real writer with the fake clock for ten
// minutes (maintenance included), and the table sizes after 30 days of 10
// such replicas.
func TestFigures(t *testing.T) {
	if os.Getenv(figuresEnv) == "" {
		t.Skip("set " + figuresEnv + "=1 to print the figures of docs/store.md")
	}
	pg := testutil.StartPostgres(t)
	clk := testutil.NewFakeClock(t0)
	r := newReplica(t, pg, clk, pgstore.Config{Instance: "web-1"}, twentyChecks()...)
	r.start()
	ctx := ctxT(t)
	if err := clk.BlockUntil(ctx, 1); err != nil {
		t.Fatal(err)
	}
	before, err := pg.StatementCount(ctx)
	if err != nil {
		t.Skipf("statement count: %v", err)
	}
	const minutes = 10
	for range minutes * 4 {
		r.runAll()
		clk.Advance(pgstore.DefaultInterval)
		if err := clk.BlockUntil(ctx, 1); err != nil { // the cycle is over
			t.Fatal(err)
		}
	}
	after, err := pg.StatementCount(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var bucketRows, runs int64
	if err := r.pool.QueryRow(ctx, `SELECT count(*), sum(runs) FROM healthcheck.minute_buckets`).Scan(&bucketRows, &runs); err != nil {
		t.Fatal(err)
	}
	// Each cycle: 1 heartbeat upsert + 1 bucket upsert over arrays (20 rows).
	t.Logf("write cost, 1 replica, 20 checks, every %v: %.1f statements/min (pg_stat_statements, maintenance included), "+
		"%d rows upserted/min (4 heartbeats + %d bucket rows), %d minute rows kept/min, 1 round trip per %v",
		pgstore.DefaultInterval, float64(after-before)/minutes, 4+4*20, 4*20, bucketRows/minutes, pgstore.DefaultInterval)
	if runs != minutes*4*20 {
		t.Errorf("runs written %d, want %d", runs, minutes*4*20)
	}
	if err := r.store.Stop(ctx); err != nil {
		t.Fatal(err)
	}

	// 30 days of 10 replicas with 20 checks each, as the store leaves them.
	now := t0.Add(30 * 24 * time.Hour)
	seed(t, r.pool, now, 10, 20)
	var total int64
	for _, table := range []string{"instances", "transitions", "minute_buckets", "hour_buckets"} {
		var size, n int64
		if err := r.pool.QueryRow(ctx, `SELECT pg_total_relation_size('healthcheck.`+table+`'), (SELECT count(*) FROM healthcheck.`+table+`)`).Scan(&size, &n); err != nil {
			t.Fatal(err)
		}
		total += size
		t.Logf("%-15s %8d rows %8.1f MB", table, n, float64(size)/(1<<20))
	}
	t.Logf("total %.1f MB for 10 replicas x 20 checks (%.1f MB per replica)", float64(total)/(1<<20), float64(total)/(1<<20)/10)
}

// seed fills schema healthcheck as 30 days of instances replicas of
// service "orders" with nChecks checks each leave it at now: minute
// buckets for the last 48 h, hourly buckets for 30 days, four transitions
// a day per check and replica.
func seed(t testing.TB, pool *pgxpool.Pool, now time.Time, instances, nChecks int) {
	t.Helper()
	ctx := ctxT(t)
	stmts := []string{
		`TRUNCATE healthcheck.instances, healthcheck.transitions, healthcheck.minute_buckets, healthcheck.hour_buckets`,
		`INSERT INTO healthcheck.instances SELECT 'orders', 'web-' || i, '1.0.0', $1::timestamptz - interval '2 days', $1, 'healthy', 15000
		 FROM generate_series(1, $2::int) i`,
		`INSERT INTO healthcheck.minute_buckets SELECT 'orders', 'check-' || lpad(c::text, 2, '0'), 'web-' || i, m, 4, (m_i % 97 = 0)::int, 4000, 2000,
		 '{3,1,0,0,0,0,0,0,0,0,0,0,0}', true
		 FROM generate_series(1, $2::int) i, generate_series(0, $3::int - 1) c,
		      generate_series(date_trunc('minute', $1::timestamptz) - interval '48 hours', $1::timestamptz, interval '1 minute') WITH ORDINALITY AS g(m, m_i)`,
		`INSERT INTO healthcheck.hour_buckets SELECT 'orders', 'check-' || lpad(c::text, 2, '0'), 'web-' || i, h, 240, (h_i % 13 = 0)::int, 240000, 9000,
		 '{200,30,5,3,1,1,0,0,0,0,0,0,0}'
		 FROM generate_series(1, $2::int) i, generate_series(0, $3::int - 1) c,
		      generate_series(date_trunc('hour', $1::timestamptz) - interval '30 days', $1::timestamptz, interval '1 hour') WITH ORDINALITY AS g(h, h_i)`,
		`INSERT INTO healthcheck.transitions (service, check_name, instance, from_status, to_status, message, at)
		 SELECT 'orders', 'check-' || lpad(c::text, 2, '0'), 'web-' || i, CASE WHEN k % 2 = 0 THEN 'healthy' ELSE 'unhealthy' END,
		        CASE WHEN k % 2 = 0 THEN 'unhealthy' ELSE 'healthy' END, 'connection refused', $1::timestamptz - k * interval '6 hours'
		 FROM generate_series(1, $2::int) i, generate_series(0, $3::int - 1) c, generate_series(1, 4 * 30) k`,
		`VACUUM ANALYZE healthcheck.instances, healthcheck.transitions, healthcheck.minute_buckets, healthcheck.hour_buckets`,
	}
	for _, s := range stmts {
		var err error
		switch {
		case s[0] == 'V' || s[0] == 'T':
			_, err = pool.Exec(ctx, s)
		case !strings.Contains(s, "$3"):
			_, err = pool.Exec(ctx, s, now, instances)
		default:
			_, err = pool.Exec(ctx, s, now, instances, nChecks)
		}
		if err != nil {
			t.Fatalf("%v: %s", err, s)
		}
	}
}

// BenchmarkFleet is the /fleet answer time with 10 instances of 20 checks
// and 30 days of buckets.
func BenchmarkFleet(b *testing.B) {
	pg := testutil.StartPostgres(b)
	now := t0.Add(30 * 24 * time.Hour)
	clk := testutil.NewFakeClock(now)
	r := newReplica(b, pg, clk, pgstore.Config{Instance: "web-1"})
	r.start()
	seed(b, r.pool, now, 10, 20)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if _, err := r.store.Fleet(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
