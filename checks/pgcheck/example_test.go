package pgcheck_test

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/checks/pgcheck"
)

// The PostgreSQL check runs SELECT 1 on the application's own pool; give the
// pool a connect timeout. (Not run: it needs a server.)
func ExampleNew() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, "postgres://app@db:5432/app?connect_timeout=5")
	if err != nil {
		panic(err)
	}
	defer pool.Close()

	runner := checks.NewRunner()
	defer runner.Close()
	c, err := pgcheck.New(pool, pgcheck.Config{SlowThreshold: checks.Off})
	if err != nil {
		panic(err)
	}
	if err := runner.Register(c); err != nil {
		panic(err)
	}
	snap := runner.Run(ctx)
	_ = snap
}
