package healthfx_test

import (
	"context"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	promtest "github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/fx"

	"github.com/echofx/healthcheck/healthfx"
	"github.com/echofx/healthcheck/internal/testutil"
)

// The module exports the pool's own statistics through promhealth, and an
// app built twice on one registry reuses the collectors.
func TestPoolCollector(t *testing.T) {
	pg := testutil.StartPostgres(t)
	quietEnv(t)
	t.Setenv("HEALTH_METRICS_NAMESPACE", "app")
	pool := newPool(t, pg.DSN())
	if err := pool.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewPedanticRegistry()
	for range 2 {
		app := fx.New(fx.NopLogger, fx.Provide(echo.New),
			fx.Supply(pool, fx.Annotate(reg, fx.As(new(prometheus.Registerer)))), healthfx.Module)
		if err := app.Err(); err != nil {
			t.Fatal(err)
		}
	}
	if problems, err := promtest.GatherAndLint(reg); err != nil || len(problems) > 0 {
		t.Fatalf("lint: %v %+v", err, problems)
	}
	if n := promtest.CollectAndCount(reg, "app_db_pool_total_conns", "app_db_pool_max_conns", "app_db_pool_acquires_total"); n != 3 {
		t.Fatalf("pool series: %d", n)
	}
}
