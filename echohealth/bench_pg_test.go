package echohealth_test

import (
	"context"
	"errors"
	"github.com/echofx/healthcheck/internal/testutil/checktest"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/checks/pgcheck"
	"github.com/echofx/healthcheck/internal/testutil"
)

// BenchmarkPublicRouteVsPing compares, in one process against one real
// PostgreSQL through one pgxpool, three handlers answering the same 200
// body:
//
//   - static: c.JSONBlob of the constant body (the floor);
//   - static-same-response: the same body and the same three headers as
//     the public route, written by a constant handler;
//   - public: the real public route over a runner holding
//     pgcheck.New(pool) with the default TTL, warmed first;
//   - ping: pool.Ping on every request, then the constant body (the naive
//     health check);
//
// each serially (b.Loop) and under b.RunParallel ("-parallel"). Besides
// ns/op and allocs/op every variant reports db-acquires/op (pool
// acquisitions per request: ~1 for ping, ~0 for public), and public and
// ping report their ns/op as a multiple of the variant before them
// (x-static, x-public; the median of that variant's completed rounds).
//
// After each public variant, pg_stat_statements must show at most
// elapsed/TTL + 2 statements executed in the application database over the
// whole sub-benchmark (all -count rounds): the route reads the cache and
// at most one background SELECT 1 runs per TTL, whatever the request rate.
// Pings are empty statements, which pg_stat_statements does not count.
func BenchmarkPublicRouteVsPing(b *testing.B) {
	pg := testutil.StartPostgres(b)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, pg.DSN())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)

	runner := newRunner(b, checktest.Must(pgcheck.New(pool, pgcheck.Config{})))
	if s := runner.Run(ctx).Status(); s != checks.StatusHealthy {
		b.Fatalf("warm-up: database check %v", s)
	}
	check, _ := runner.Lookup("database")
	ttl := check.TTL // checks.DefaultTTL: the config leaves it zero

	body := []byte(okJSON)
	static := echo.New()
	static.GET("/healthcheck/", func(c echo.Context) error { return c.JSONBlob(http.StatusOK, body) })
	// staticSame writes exactly the public route's healthy response (same
	// body, same three headers), assigned the cheapest way: the floor for
	// that response, as opposed to static's bare c.JSONBlob.
	ct, cc, nosniff := []string{"application/json"}, []string{"no-store"}, []string{"nosniff"}
	staticSame := echo.New()
	staticSame.GET("/healthcheck/", func(c echo.Context) error {
		h := c.Response().Header()
		h["Content-Type"], h["Cache-Control"], h["X-Content-Type-Options"] = ct, cc, nosniff
		c.Response().WriteHeader(http.StatusOK)
		_, err := c.Response().Write(body)
		return err
	})
	public := newEcho(b, runner)
	var pingErrs atomic.Int64
	ping := echo.New()
	ping.GET("/healthcheck/", func(c echo.Context) error {
		if err := pool.Ping(c.Request().Context()); err != nil {
			pingErrs.Add(1)
			return c.JSONBlob(http.StatusInternalServerError, []byte(`{"status":"error","error":"database unreachable"}`))
		}
		return c.JSONBlob(http.StatusOK, body)
	})

	// nsPerOp[variant][round]: the last measurement of each round's *B
	// is the one the framework reports.
	nsPerOp := map[string]map[*testing.B]float64{}
	median := func(name string) float64 {
		var vs []float64
		for _, v := range nsPerOp[name] {
			vs = append(vs, v)
		}
		if len(vs) == 0 {
			return 0
		}
		slices.Sort(vs)
		return vs[len(vs)/2]
	}

	for _, v := range []struct {
		name, versus string
		e            *echo.Echo
		parallel     bool
	}{
		{"static", "", static, false},
		{"static-same-response", "", staticSame, false},
		{"public", "static", public, false},
		{"ping", "public", ping, false},
		{"static-parallel", "", static, true},
		{"public-parallel", "static-parallel", public, true},
		{"ping-parallel", "public-parallel", ping, true},
	} {
		isPublic := v.e == public
		var stmtsBefore int64
		if isPublic {
			runner.Run(ctx) // refresh outside the window if idle past the TTL
			stmtsBefore = pgStatementCount(b, pg)
		}
		acqBefore := pool.Stat().AcquireCount()
		start := time.Now()
		b.Run(v.name, func(b *testing.B) {
			acq := pool.Stat().AcquireCount()
			if v.parallel {
				benchServeParallel(b, v.e, "/healthcheck/", http.StatusOK)
			} else {
				benchServe(b, v.e, httptest.NewRequest(http.MethodGet, "/healthcheck/", nil), http.StatusOK)
			}
			// The timer is stopped from here on.
			if b.N == 0 {
				return
			}
			ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			if nsPerOp[v.name] == nil {
				nsPerOp[v.name] = map[*testing.B]float64{}
			}
			nsPerOp[v.name][b] = ns
			b.ReportMetric(float64(pool.Stat().AcquireCount()-acq)/float64(b.N), "db-acquires/op")
			if base := median(v.versus); base > 0 {
				b.ReportMetric(ns/base, "x-"+v.versus)
			}
			if n := pingErrs.Load(); n > 0 {
				b.Fatalf("%d pings failed", n)
			}
		})
		elapsed := time.Since(start)
		if !isPublic {
			continue
		}
		limit := int64(elapsed/ttl) + 2
		acquires := pool.Stat().AcquireCount() - acqBefore
		stmts, err := pg.StatementCount(pgBenchCtx(b))
		switch {
		case errors.Is(err, testutil.ErrNoStatStatements) && !testutil.RequireDB():
			// Fall back to the client side: the check is the pool's only
			// user while the public route is measured.
			b.Logf("%s: %v; counting pool acquisitions instead", v.name, err)
			if acquires > limit {
				b.Fatalf("%s: %d pool acquisitions in %v, want <= %d (elapsed/TTL %v + 2)", v.name, acquires, elapsed, limit, ttl)
			}
			continue
		case err != nil:
			b.Fatal(err)
		}
		if delta := stmts - stmtsBefore; delta > limit {
			b.Fatalf("%s: PostgreSQL executed %d statements in %v, want <= %d (elapsed/TTL %v + 2): the route queries per request",
				v.name, delta, elapsed, limit, ttl)
		} else {
			b.Logf("%s: %d statements, %d pool acquisitions in %v (limit %d)", v.name, delta, acquires, elapsed.Round(time.Millisecond), limit)
		}
	}
}

// benchServeParallel is benchServe under b.RunParallel: each goroutine
// serves its own GET target through e with its own reused recorder. The
// timer is stopped when it returns.
func benchServeParallel(b *testing.B, e *echo.Echo, target string, wantCode int) {
	b.Helper()
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	if rec.Code != wantCode {
		b.Fatalf("code %d, want %d: %s", rec.Code, wantCode, rec.Body)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		rec := httptest.NewRecorder()
		for pb.Next() {
			rec.Body.Reset()
			e.ServeHTTP(rec, req)
		}
	})
	b.StopTimer()
}

// pgStatementCount is pg.StatementCount, failing b on any error but a
// missing pg_stat_statements (then -1).
func pgStatementCount(b *testing.B, pg *testutil.Postgres) int64 {
	b.Helper()
	n, err := pg.StatementCount(pgBenchCtx(b))
	if errors.Is(err, testutil.ErrNoStatStatements) {
		return -1
	}
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// pgBenchCtx is a 10s context canceled when b ends.
func pgBenchCtx(b *testing.B) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	b.Cleanup(cancel)
	return ctx
}
