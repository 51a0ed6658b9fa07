package service

import (
	"context"
	"log/slog"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/checks/syscheck"
	"github.com/echofx/healthcheck/healthfx"
)

// migrator creates the service's table once.
type migrator struct {
	pool *pgxpool.Pool
	mu   sync.Mutex
	done bool
}

func newMigrator(pool *pgxpool.Pool) *migrator { return &migrator{pool: pool} }

// migrate creates the table unless it already did; it remembers success.
func (m *migrator) migrate(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.done {
		return nil
	}
	_, err := m.pool.Exec(ctx, "CREATE TABLE IF NOT EXISTS greetings (id serial PRIMARY KEY, text text NOT NULL)")
	if err != nil {
		return checks.NewSafeError("migration failed: "+checks.SafeMessage(err), err)
	}
	m.done = true
	return nil
}

// newMigrationsCheck runs the migration as a required check: the startup
// gate waits for required checks, so readiness turns 200 only once the
// table exists, and a migration that keeps failing fails the start with
// the gate's error. Once done it costs nothing.
func newMigrationsCheck(m *migrator) checks.Check {
	return checks.Check{
		Name:        "migrations",
		Criticality: checks.Required,
		Func:        checks.FromFunc(m.migrate),
	}
}

// newSchemaCheck is the service's business check: the table the service
// needs exists. It depends on the database and the migrations, so a
// database outage reads "dependency database unhealthy" here instead of a
// second timeout, and a boot never records a false "missing" failure.
func newSchemaCheck(pool *pgxpool.Pool) checks.Check {
	return checks.Check{
		Name:        "schema",
		Criticality: checks.Optional,
		Level:       checks.LevelStandard,
		DependsOn:   []string{"database", "migrations"},
		Func: checks.FromFunc(func(ctx context.Context) error {
			var ok bool
			if err := pool.QueryRow(ctx, "SELECT to_regclass('public.greetings') IS NOT NULL").Scan(&ok); err != nil {
				return checks.NewSafeError("schema query failed: "+checks.SafeMessage(err), err)
			}
			if !ok {
				return checks.NewSafeError("table greetings is missing", nil)
			}
			return nil
		}),
	}
}

// newMemoryCheck watches the process's memory against its limit.
func newMemoryCheck() checks.Check {
	c, err := syscheck.Memory(syscheck.MemoryConfig{})
	if err != nil { // unreachable: the zero MemoryConfig is valid
		panic(err)
	}
	return c
}

// newCleanup is the service's own shutdown step, run after the drain and
// before the HTTP server stops (so it must not close what handlers use).
func newCleanup(logger *slog.Logger) healthfx.Cleanup {
	return healthfx.Cleanup{Name: "flush-greetings", Func: func(context.Context) error {
		logger.Info("business cleanup done")
		return nil
	}}
}
