package healthfx_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/healthfx"
	"github.com/echofx/healthcheck/internal/testutil"
)

// HEALTH_STORE=postgres: the app's replicas keep their history in its
// PostgreSQL, and GET /healthcheck/fleet answers for the service, behind
// the detailed route's JWT; the stop writes the last heartbeat (gone).
func TestStoreFleetRoute(t *testing.T) {
	pg := testutil.StartPostgres(t)
	quietEnv(t)
	t.Setenv("HEALTH_CHECK_DETAILED", "true")
	t.Setenv("HEALTH_JWT_SECRET", secret)
	t.Setenv("HEALTH_STORE", "postgres")
	t.Setenv("HEALTH_STORE_SCHEMA", "health_orders")
	t.Setenv("HEALTH_SERVICE_NAME", "orders")
	t.Setenv("HEALTH_INSTANCE", "orders-7d9f")
	pool := newPool(t, pg.DSN())
	var e *echo.Echo
	app := fxtest.New(t, fx.NopLogger, fx.Provide(echo.New), fx.Supply(pool),
		fx.Supply(healthfx.Version("1.2.3")),
		healthfx.AsCheck(func() checks.Check {
			return checks.Check{Name: "queue", Criticality: checks.Optional, Func: checks.FromFunc(func(context.Context) error { return nil })}
		}),
		healthfx.Module, fx.Populate(&e))
	app.RequireStart()

	if code, _ := get(t, e, "/healthcheck/fleet", ""); code != 401 {
		t.Fatalf("fleet without a token: %d", code)
	}
	token := testutil.MintHS256([]byte(secret), testutil.ValidClaims("", "", time.Minute))
	code, body := get(t, e, "/healthcheck/fleet", token)
	var f struct {
		Service   string `json:"service"`
		Instances []struct {
			Instance, Version, Status string
		} `json:"instances"`
	}
	if err := json.Unmarshal([]byte(body), &f); code != 200 || err != nil || f.Service != "orders" ||
		len(f.Instances) != 1 || f.Instances[0].Version != "1.2.3" || f.Instances[0].Instance != "orders-7d9f" || f.Instances[0].Status == "gone" {
		t.Fatalf("fleet: %d %s (%v)", code, body, err)
	}
	app.RequireStop()

	var status string
	if err := pool.QueryRow(context.Background(), `SELECT status FROM health_orders.instances`).Scan(&status); err != nil || status != "gone" {
		t.Errorf("after the stop: %q %v", status, err)
	}
	var runs int64
	if err := pool.QueryRow(context.Background(), `SELECT coalesce(sum(runs), 0) FROM health_orders.minute_buckets WHERE check_name = 'queue'`).Scan(&runs); err != nil || runs == 0 {
		t.Errorf("no runs of queue written by the stop: %d %v", runs, err)
	}
}

// HEALTH_STORE_MIGRATE=false on a database without the tables: the start
// fails, naming what to run.
func TestStoreCheckOnlyMissingTables(t *testing.T) {
	pg := testutil.StartPostgres(t)
	quietEnv(t)
	t.Setenv("HEALTH_STORE", "postgres")
	t.Setenv("HEALTH_STORE_MIGRATE", "false")
	app := fx.New(fx.NopLogger, fx.Provide(echo.New), fx.Supply(newPool(t, pg.DSN())), healthfx.Module)
	ctx, cancel := context.WithTimeout(context.Background(), app.StartTimeout())
	defer cancel()
	err := app.Start(ctx)
	if err == nil {
		_ = app.Stop(ctx)
		t.Fatal("started without the store's tables")
	}
	if !strings.Contains(err.Error(), "docs/store.sql") || !strings.Contains(err.Error(), `"healthcheck".instances`) {
		t.Errorf("start error: %v", err)
	}
}

func TestStoreSettings(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		pool bool
		want string
	}{
		{map[string]string{"HEALTH_STORE": "mongo"}, true, "HEALTH_STORE"},
		{map[string]string{"HEALTH_STORE": "postgres", "HEALTH_STORE_SCHEMA": "Health-Check"}, true, "HEALTH_STORE_SCHEMA"},
		{map[string]string{"HEALTH_STORE": "postgres", "HEALTH_STORE_MIGRATE": "maybe"}, true, "HEALTH_STORE_MIGRATE"},
		{map[string]string{"HEALTH_STORE": "postgres"}, false, "*pgxpool.Pool"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			quietEnv(t)
			t.Setenv("HEALTH_CHECK_DATABASE", "false")
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			opts := []fx.Option{fx.NopLogger, fx.Provide(echo.New), healthfx.Module}
			if tc.pool {
				opts = append(opts, fx.Supply(newPool(t, "postgres://127.0.0.1:1/none")))
			}
			err := fx.New(opts...).Err()
			if !errors.Is(err, checks.ErrInvalidConfig) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%v: %v", tc.env, err)
			}
		})
	}
	for _, v := range []string{"", "off", " Postgres "} {
		cfg, err := healthfx.LoadConfig(func(k string) (string, bool) {
			if k == "HEALTH_STORE" {
				return v, true
			}
			return "", false
		})
		if err != nil {
			t.Errorf("HEALTH_STORE=%q: %v", v, err)
		} else if want := map[string]string{"": "", "off": "", " Postgres ": "postgres"}[v]; cfg.Store != want {
			t.Errorf("HEALTH_STORE=%q: Store %q", v, cfg.Store)
		}
	}
}
