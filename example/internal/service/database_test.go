package service

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/fx"

	"github.com/echofx/healthcheck/healthfx"
	"github.com/echofx/healthcheck/internal/testutil"
)

// TestPoolCloseBoundedWithFrozenDatabase: PostgreSQL frozen (SIGSTOP) with
// a query in flight; the query's timeout makes pgx send a cancel request
// that the frozen server never answers, so pgxpool's Close would wait for
// it (15 s). The app's stop returns without error, the abandoned close is
// logged, and the stop hook after the pool's still runs.
func TestPoolCloseBoundedWithFrozenDatabase(t *testing.T) {
	pg := testutil.StartPostgres(t)
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	var pool *pgxpool.Pool
	laterRan := make(chan struct{})
	app := fx.New(
		fx.NopLogger,
		fx.Supply(logger, &database{dsn: pg.DSN()}, &healthfx.Config{Timeout: time.Second}),
		fx.Provide(newPool),
		// Appended first, so fx stops it after the pool.
		fx.Invoke(func(lc fx.Lifecycle) {
			lc.Append(fx.StopHook(func() { close(laterRan) }))
		}),
		fx.Invoke(func(p *pgxpool.Pool) { pool = p }),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := app.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := pool.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	if err := pg.Pause(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = pg.Resume()
		pool.Close() // waits for the abandoned Close to return (sync.Once)
	})
	qctx, qcancel := context.WithTimeout(ctx, 300*time.Millisecond)
	_, err := pool.Exec(qctx, "SELECT 1")
	qcancel()
	if err == nil {
		t.Fatal("a query to the frozen server succeeded")
	}

	// A generous bound below pgx's 15 s cancel request: the old hook
	// (pool.Close) held the stop until the deadline and the later hook
	// never ran.
	stopCtx, stopCancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer stopCancel()
	if err := app.Stop(stopCtx); err != nil {
		t.Fatalf("stop: %v\n%s", err, logs)
	}
	select {
	case <-laterRan:
	default:
		t.Fatal("the stop hook after the pool's did not run")
	}
	if !strings.Contains(logs.String(), "database pool close abandoned") {
		t.Errorf("the abandoned close is not logged:\n%s", logs)
	}
}

// A pool whose server answers closes within the wait, and says so.
func TestPoolClosesWhenTheDatabaseAnswers(t *testing.T) {
	pg := testutil.StartPostgres(t)
	pool, err := pgxpool.New(context.Background(), pg.DSN())
	if err != nil {
		t.Fatal(err)
	}
	if err := pool.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	<-closePool(context.Background(), pool, slog.New(slog.NewTextHandler(logs, nil)), time.Minute)
	if !strings.Contains(logs.String(), "database pool closed") {
		t.Errorf("log:\n%s", logs)
	}
}
