package testutil

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/jackc/pgx/v5"
)

// ErrNoStatStatements is returned by StatementCount when the server has no
// pg_stat_statements module (it ships with Debian's postgresql package).
var ErrNoStatStatements = errors.New("testutil: pg_stat_statements is not available")

// XactCount returns xact_commit + xact_rollback of the application database
// from pg_stat_database, read as superuser through the unix socket (that read
// is counted against database "postgres", not the application's). It clears
// the statistics snapshot first, but backends publish their counters only
// from time to time, so the value is eventually consistent: a session that
// ends publishes at once, but in PostgreSQL 15 a long-lived session running
// only table-less statements such as SELECT 1 may not publish its count until
// it touches a table (then with a delay of up to ~10s) or disconnects. Poll,
// close connections before counting, or use StatementCount.
func (p *Postgres) XactCount(ctx context.Context) (int64, error) {
	var n int64
	err := p.superuserQuery(ctx, &n, "SELECT pg_stat_clear_snapshot()",
		"SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = $1", p.database)
	if err != nil {
		return 0, fmt.Errorf("testutil: xact count: %w", err)
	}
	return n, nil
}

// StatementCount returns how many statements have finished executing in the
// application database, summed over pg_stat_statements. Unlike XactCount it
// is exact and immediate, for every session including pooled ones. Statements
// executed through Exec are included; empty statements (such as pgx's Ping)
// are not. It returns ErrNoStatStatements when the module is not installed.
func (p *Postgres) StatementCount(ctx context.Context) (int64, error) {
	if !p.pgss {
		return 0, ErrNoStatStatements
	}
	var n int64
	err := p.superuserQuery(ctx, &n, "",
		`SELECT coalesce(sum(s.calls), 0)::bigint FROM pg_stat_statements s
		 JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = $1`, p.database)
	if err != nil {
		return 0, fmt.Errorf("testutil: statement count: %w", err)
	}
	return n, nil
}

// superuserQuery runs prelude (if any) and then scans the single value of
// query into dst, connected as superuser to database postgres.
func (p *Postgres) superuserQuery(ctx context.Context, dst any, prelude, query string, args ...any) error {
	conn, err := pgx.Connect(ctx, p.superuserDSN(pgSuperuser))
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if prelude != "" {
		if _, err := conn.Exec(ctx, prelude); err != nil {
			return err
		}
	}
	return conn.QueryRow(ctx, query, args...).Scan(dst)
}

// hasStatStatements reports whether the pg_stat_statements module is
// installed next to the server binaries (Debian layout: <bin>/../lib).
func hasStatStatements(binDir string) bool {
	_, err := os.Stat(filepath.Join(binDir, "..", "lib", "pg_stat_statements.so"))
	return err == nil
}
