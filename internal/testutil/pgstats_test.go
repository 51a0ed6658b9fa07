package testutil

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// eventually polls count until it has grown by at least want since before.
func eventually(t *testing.T, ctx context.Context, count func(context.Context) (int64, error), before, want int64, within time.Duration) int64 {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		after, err := count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if after-before >= want {
			return after - before
		}
		if time.Now().After(deadline) {
			t.Fatalf("count went from %d to %d, want an increase of %d within %v", before, after, want, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestPostgresQueryCounts(t *testing.T) {
	t.Parallel()
	pg := StartPostgres(t)
	ctx := ctxTimeout(t, 20*time.Second)
	const queries = 5

	xacts, err := pg.XactCount(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stmts, stmtErr := pg.StatementCount(ctx)
	if stmtErr != nil && !errors.Is(stmtErr, ErrNoStatStatements) {
		t.Fatal(stmtErr)
	}

	conn, err := pgx.Connect(ctx, pg.DSN())
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.Ping(ctx); err != nil { // an empty statement: not counted
		t.Fatal(err)
	}
	for range queries {
		if _, err := conn.Exec(ctx, "SELECT 1"); err != nil {
			t.Fatal(err)
		}
	}

	if stmtErr == nil {
		// Exact and immediate, while the session is still open.
		if got := eventually(t, ctx, pg.StatementCount, stmts, queries, 0); got != queries {
			t.Errorf("StatementCount grew by %d, want %d", got, queries)
		}
	} else {
		t.Log(stmtErr)
	}

	conn.Close(ctx) // a backend publishes its transaction counts when it exits
	eventually(t, ctx, pg.XactCount, xacts, queries, 3*time.Second)
}
