package service

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

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
// first, so fx stops it last), waiting at most poolCloseWait (closePool).
func newPool(lc fx.Lifecycle, db *database, health *healthfx.Config, logger *slog.Logger) (*pgxpool.Pool, error) {
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
	lc.Append(fx.StopHook(func(ctx context.Context) { closePool(ctx, pool, logger, poolCloseWait) }))
	return pool, nil
}

// poolCloseWait bounds how long the stop waits for the pool to close. A
// pool closes in milliseconds when its server answers (a Terminate to each
// idle connection); one that takes longer waits on a server that does not.
const poolCloseWait = time.Second

// closePool closes pool, waiting at most wait and until ctx ends. pgxpool's
// Close cannot be bounded: it waits for every connection to be destroyed,
// and a connection whose query was interrupted first sends the server a
// cancel request, which waits up to 15 s on a frozen server (longer than
// fx's whole stop timeout). So Close runs on its own goroutine; when the
// wait is over the stop goes on (the process is about to exit, which ends
// the connections anyway) and the abandoned close is logged. It returns a
// channel closed once Close has returned.
func closePool(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger, wait time.Duration) <-chan struct{} {
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		pool.Close()
	}()
	timer := time.NewTimer(wait)
	defer timer.Stop()
	start := time.Now()
	select {
	case <-closed:
		logger.Info("database pool closed")
	case <-timer.C:
		logger.Warn("database pool close abandoned: the database does not answer", "waited", time.Since(start).Round(time.Millisecond))
	case <-ctx.Done():
		logger.Warn("database pool close abandoned: the stop timeout ended", "waited", time.Since(start).Round(time.Millisecond))
	}
	return closed
}
