package healthfx_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/labstack/echo/v4"
	echov5 "github.com/labstack/echo/v5"
	"go.uber.org/fx"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/healthfx"
)

// A complete app: the module needs an *echo.Echo and reads its settings
// from HEALTH_* variables; a *pgxpool.Pool, a prometheus.Registerer and a
// *slog.Logger are used when the app provides them.
func Example() {
	var e *echo.Echo
	app := fx.New(
		fx.NopLogger,
		fx.Provide(echo.New),
		fx.Supply(healthfx.Version("1.0.0")),
		healthfx.Module,
		fx.Populate(&e),
	)
	if err := app.Start(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	defer app.Stop(context.Background())

	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthcheck/", nil))
	fmt.Println(rec.Code, rec.Body.String())
	// Output: 200 {"status":"success","data":{"health":"ok"}}
}

// Contributing a check: any constructor returning checks.Check, annotated
// with AsCheck, joins the value group the module registers.
func ExampleAsCheck() {
	newQueueCheck := func() checks.Check {
		return checks.Check{
			Name:        "queue",
			Criticality: checks.Required,
			Func: checks.FromFunc(func(context.Context) error {
				return checks.NewSafeError("consumer stalled", nil)
			}),
		}
	}
	var e *echo.Echo
	app := fx.New(
		fx.NopLogger,
		fx.Provide(echo.New),
		fx.Decorate(func(c *healthfx.Config) *healthfx.Config {
			c.StartupMaxAttempts = 1 // do not wait for the queue at start
			return c
		}),
		healthfx.AsCheck(newQueueCheck),
		healthfx.Module,
		fx.Populate(&e),
	)
	fmt.Println(app.Start(context.Background()) != nil)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthcheck/", nil))
	fmt.Println(rec.Code, rec.Body.String())
	_ = app.Stop(context.Background())
	// Output:
	// true
	// 500 {"status":"error","error":"queue: consumer stalled"}
}

// An Echo v5 app that keeps its health routes on an internal group, with
// its own defaults under the environment's settings.
func ExampleOnEchoV5() {
	var e *echov5.Echo
	app := fx.New(
		fx.NopLogger,
		fx.Provide(echov5.New),
		fx.Provide(func(e *echov5.Echo) healthfx.Router { return healthfx.OnEchoV5(e.Group("/internal")) }),
		healthfx.SetDefaults(func(c *healthfx.Config) { // HEALTH_* variables still win
			c.PathPrefix = "/health"
			c.DrainDelay = 0
		}),
		healthfx.Module,
		fx.Populate(&e),
	)
	if err := app.Start(context.Background()); err != nil {
		panic(err)
	}
	defer app.Stop(context.Background())

	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/internal/health/", nil))
	fmt.Println(rec.Code, rec.Body.String())
	// Output: 200 {"status":"success","data":{"health":"ok"}}
}

// An app without fx layers its configuration as the module does: the
// documented defaults, the code's own, the environment (lookup is
// os.LookupEnv in production), then one validation. A value the code set
// that breaks a rule is named as the Config field.
func ExampleConfig_WithEnv() {
	cfg := healthfx.DefaultConfig()
	cfg.PathPrefix = "/ops/health" // the code's default
	lookup := func(k string) (string, bool) {
		v, ok := map[string]string{"HEALTH_CHECK_TIMEOUT": "2s"}[k]
		return v, ok
	}
	cfg, err := cfg.WithEnv(lookup)
	if err == nil {
		err = cfg.Validate()
	}
	fmt.Println(cfg.PathPrefix, cfg.Timeout, err)

	cfg.FailureStatus = 418
	fmt.Println(cfg.Validate())
	// Output:
	// /ops/health 2s <nil>
	// healthfx: Config.FailureStatus (set in code): want 500 or 503
}
