package service

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/fx"

	"github.com/echofx/healthcheck/healthfx"
	"github.com/echofx/healthcheck/internal/testutil"
)

// database is where the service's PostgreSQL comes from.
type database struct {
	dsn      string
	embedded *testutil.Postgres // nil when DATABASE_URL is set
	dir      string
}

// openDatabase uses DATABASE_URL when set; otherwise it starts a throwaway
// PostgreSQL from the machine's server binaries (Debian package
// postgresql), removed by close.
func openDatabase(logger *slog.Logger) (*database, error) {
	if dsn := os.Getenv("DATABASE_URL"); dsn != "" {
		logger.Info("using DATABASE_URL")
		return &database{dsn: dsn}, nil
	}
	dir, err := os.MkdirTemp("", "healthcheck-example-")
	if err != nil {
		return nil, err
	}
	logger.Info("DATABASE_URL is not set: starting an embedded PostgreSQL", "dir", dir)
	pg, err := testutil.LaunchPostgres(testutil.PostgresOptions{Dir: dir})
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("embedded PostgreSQL: %w (set DATABASE_URL to use your own)", err)
	}
	logger.Info("embedded PostgreSQL ready", "addr", pg.Addr(), "database", pg.Database())
	return &database{dsn: pg.DSN(), embedded: pg, dir: dir}, nil
}

// close stops and removes an embedded PostgreSQL.
func (d *database) close(logger *slog.Logger) {
	if d.embedded == nil {
		return
	}
	if err := d.embedded.Close(); err != nil {
		logger.Warn("embedded PostgreSQL did not stop cleanly", "error", err)
	}
	os.RemoveAll(d.dir)
	logger.Info("embedded PostgreSQL removed")
}

// newPool opens the application's pool; it connects lazily, so a database
// that is down at start is reported by the startup gate, not here. The
// pool closes after the HTTP server has stopped (its hook is appended
// first, so fx stops it last).
func newPool(lc fx.Lifecycle, db *database, health *healthfx.Config) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(db.dsn)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: not a valid PostgreSQL connection string")
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		// Without it, a hanging server keeps every dial the pool starts
		// alive (pgxpool goes on dialing after the caller gave up), and
		// each health probe that finds no idle connection adds one. The
		// check's own timeout is the natural bound.
		cfg.ConnConfig.ConnectTimeout = health.Timeout
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	lc.Append(fx.StopHook(pool.Close))
	return pool, nil
}
