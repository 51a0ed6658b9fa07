package healthfx_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	echo4 "github.com/labstack/echo/v4"
	"github.com/labstack/echo/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/echofx/healthcheck/healthfx"
	tu "github.com/echofx/healthcheck/internal/testutil"
)

func get5(e *echo.Echo, path, token string) (int, string) {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// TestModuleOnEchoV5 runs the module in a real fx app on Echo v5 with a
// real PostgreSQL: the gate passes, every route answers, the metrics
// follow the results, and stopping drains (ready 503 "draining") first.
func TestModuleOnEchoV5(t *testing.T) {
	pg := tu.StartPostgres(t)
	quietEnv(t)
	t.Setenv("HEALTH_DRAIN_DELAY", "300ms")
	t.Setenv("HEALTH_CHECK_DETAILED", "true")
	t.Setenv("HEALTH_JWT_SECRET", secret)
	pool := newPool(t, pg.DSN())
	reg := prometheus.NewPedanticRegistry()
	var e *echo.Echo
	// A stop hook of the app's own, appended after the module's: it runs
	// after the drain began and before the module stops, and reads /ready
	// then (an event, not a race against the drain delay).
	duringStop := make(chan string, 1)
	app := fxtest.New(t,
		fx.NopLogger,
		fx.Provide(echo.New),
		fx.Supply(pool, fx.Annotate(reg, fx.As(new(prometheus.Registerer)))),
		healthfx.Module,
		fx.Populate(&e),
		fx.Invoke(func(flc fx.Lifecycle) {
			flc.Append(fx.Hook{OnStop: func(context.Context) error {
				code, body := get5(e, "/healthcheck/ready", "")
				duringStop <- fmt.Sprint(code, " ", body)
				return nil
			}})
		}),
	)
	if code, body := get5(e, "/healthcheck/ready", ""); code != 503 || body != `{"status":"error","error":"starting"}` {
		t.Fatalf("ready before start: %d %s", code, body)
	}
	app.RequireStart()
	for _, path := range []string{"/healthcheck/", "/healthcheck", "/healthcheck/live", "/healthcheck/ready"} {
		if code, body := get5(e, path, ""); code != 200 || body != `{"status":"success","data":{"health":"ok"}}` {
			t.Fatalf("GET %s: %d %s", path, code, body)
		}
	}
	token := tu.MintHS256([]byte(secret), tu.ValidClaims("", "", time.Minute))
	if code, body := get5(e, "/healthcheck/detailed/database", token); code != 200 || !strings.Contains(body, `"database":{"status":"healthy"`) {
		t.Fatalf("detailed: %d %s", code, body)
	}
	if code, _ := get5(e, "/healthcheck/detailed", ""); code != 401 {
		t.Fatalf("detailed without token: %d", code)
	}
	if path, err := e.Router().Routes().Reverse("healthcheck:get"); err != nil || path != "/healthcheck/" {
		t.Fatalf("reverse: %q %v", path, err)
	}
	if n, err := testutil.GatherAndCount(reg, "health_check_status"); err != nil || n != 1 {
		t.Fatalf("health_check_status series: %d %v", n, err)
	}

	app.RequireStop()
	if got, want := <-duringStop, `503 {"status":"error","error":"draining"}`; got != want {
		t.Fatalf("ready during the stop: %s, want %s", got, want)
	}
}

// TestModuleRouterChoice covers where the routes go: the only Echo, the
// Router the app provides (a group, an admin server, a ServeMux), and a
// clear error with neither Echo or with both.
func TestModuleRouterChoice(t *testing.T) {
	quietEnv(t)
	t.Run("no router", func(t *testing.T) {
		err := fx.New(fx.NopLogger, healthfx.Module).Err()
		if !errors.Is(err, healthfx.ErrNoRouter) || !strings.Contains(err.Error(), "provide an *echo.Echo") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("both Echos", func(t *testing.T) {
		err := fx.New(fx.NopLogger, fx.Provide(echo.New, echo4.New), healthfx.Module).Err()
		if !errors.Is(err, healthfx.ErrNoRouter) || !strings.Contains(err.Error(), "healthfx.Router") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("both Echos, v5 chosen on a group", func(t *testing.T) {
		var e5 *echo.Echo
		var e4 *echo4.Echo
		app := fxtest.New(t, fx.NopLogger, fx.Provide(echo.New, echo4.New),
			fx.Provide(func(e *echo.Echo) healthfx.Router { return healthfx.OnEchoV5(e.Group("/admin")) }),
			healthfx.Module, fx.Populate(&e5, &e4))
		app.RequireStart()
		defer app.RequireStop()
		if code, _ := get5(e5, "/admin/healthcheck/live", ""); code != 200 {
			t.Fatalf("v5 group: %d", code)
		}
		rec := httptest.NewRecorder()
		e4.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthcheck/live", nil))
		if rec.Code != 404 {
			t.Fatalf("routes also on the v4 Echo: %d", rec.Code)
		}
	})
	t.Run("admin server by name", func(t *testing.T) {
		var admin *echo4.Echo
		app := fxtest.New(t, fx.NopLogger,
			fx.Provide(echo4.New),
			fx.Provide(fx.Annotate(echo4.New, fx.ResultTags(`name:"admin"`))),
			fx.Provide(fx.Annotate(func(e *echo4.Echo) healthfx.Router { return healthfx.OnEcho(e) }, fx.ParamTags(`name:"admin"`))),
			healthfx.Module,
			fx.Populate(fx.Annotate(&admin, fx.ParamTags(`name:"admin"`))),
		)
		app.RequireStart()
		defer app.RequireStop()
		rec := httptest.NewRecorder()
		admin.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthcheck/", nil))
		if rec.Code != 200 {
			t.Fatalf("admin Echo: %d %s", rec.Code, rec.Body)
		}
	})
	t.Run("ServeMux", func(t *testing.T) {
		mux := http.NewServeMux()
		app := fxtest.New(t, fx.NopLogger, fx.Supply(healthfx.OnServeMux(mux)), healthfx.Module)
		app.RequireStart()
		defer app.RequireStop()
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodHead, "/healthcheck/ready", nil))
		if rec.Code != 200 {
			t.Fatalf("mux: %d", rec.Code)
		}
	})
}
