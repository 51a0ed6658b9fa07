package main

import (
	"context"
	"errors"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/healthfx"
)

// newSchemaCheck is the service's business check: the table the service
// needs exists. It depends on the database check, so a database outage
// reads "dependency database unhealthy" here instead of a second timeout.
func newSchemaCheck(pool *pgxpool.Pool) checks.Check {
	return checks.Check{
		Name:        "schema",
		Criticality: checks.Optional,
		Level:       checks.LevelStandard,
		DependsOn:   []string{"database"},
		Func: checks.FromFunc(func(ctx context.Context) error {
			var ok bool
			if err := pool.QueryRow(ctx, "SELECT to_regclass('public.greetings') IS NOT NULL").Scan(&ok); err != nil {
				return checks.NewSafeError("schema query failed", err)
			}
			if !ok {
				return checks.NewSafeError("table greetings is missing", nil)
			}
			return nil
		}),
	}
}

// newMemoryCheck watches the process's memory against its limit.
func newMemoryCheck() checks.Check { return checks.Memory(checks.MemoryConfig{}) }

// migrate creates the service's table; it runs once the startup gate has
// seen the database.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	_, err := pool.Exec(ctx, "CREATE TABLE IF NOT EXISTS greetings (id serial PRIMARY KEY, text text NOT NULL)")
	if err != nil {
		return errors.New("migration failed")
	}
	return nil
}

// newCleanup is the service's own shutdown step, run after the drain.
func newCleanup(logger *slog.Logger) healthfx.Cleanup {
	return healthfx.Cleanup{Name: "flush-greetings", Func: func(context.Context) error {
		logger.Info("business cleanup done")
		return nil
	}}
}
