package healthfx_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/healthfx"
	"github.com/echofx/healthcheck/internal/testutil"
)

// quietEnv sets the environment of a fast, deterministic module.
func quietEnv(t *testing.T) {
	t.Setenv("HEALTH_DRAIN_DELAY", "0")
	t.Setenv("HEALTH_CHECK_TIMEOUT", "1s")
	t.Setenv("HEALTH_CHECK_CACHE_TTL", "50ms")
	t.Setenv("HEALTH_CHECK_INTERVAL", "200ms")
	t.Setenv("HEALTH_STARTUP_MAX_WAIT", "10s")
}

func newPool(t *testing.T, dsn string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func get(t *testing.T, e *echo.Echo, path, token string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

func TestModuleServesAndStops(t *testing.T) {
	pg := testutil.StartPostgres(t)
	quietEnv(t)
	t.Setenv("HEALTH_CHECK_DETAILED", "true")
	t.Setenv("HEALTH_JWT_SECRET", secret)
	pool := newPool(t, pg.DSN())
	reg := prometheus.NewPedanticRegistry()
	var e *echo.Echo
	app := fxtest.New(t,
		fx.NopLogger,
		fx.Provide(echo.New),
		fx.Supply(pool, fx.Annotate(reg, fx.As(new(prometheus.Registerer)))),
		fx.Supply(healthfx.Version("1.2.3")),
		healthfx.AsCheck(func() checks.Check {
			return checks.Check{Name: "orders", Criticality: checks.Optional, Func: checks.FromFunc(func(context.Context) error { return nil })}
		}),
		healthfx.Module,
		fx.Populate(&e),
	)
	app.RequireStart()

	srv := httptest.NewServer(e)
	defer srv.Close()
	for _, tc := range []struct{ path, want string }{
		{"/healthcheck/", `{"status":"success","data":{"health":"ok"}}`},
		{"/healthcheck", `{"status":"success","data":{"health":"ok"}}`},
		{"/healthcheck/live", `{"status":"success","data":{"health":"ok"}}`},
		{"/healthcheck/ready", `{"status":"success","data":{"health":"ok"}}`},
	} {
		resp, err := http.Get(srv.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != tc.want {
			t.Fatalf("GET %s: %d %s", tc.path, resp.StatusCode, body)
		}
	}
	token := testutil.MintHS256([]byte(secret), testutil.ValidClaims("", "", time.Minute))
	code, body := get(t, e, "/healthcheck/detailed", token)
	if code != 200 || !strings.Contains(body, `"orders":{`) || !strings.Contains(body, `"database":"required"`) ||
		!strings.Contains(body, `"version":"1.2.3"`) {
		t.Fatalf("detailed: %d %s", code, body)
	}
	for _, leak := range []string{pg.Password(), pg.DSN(), pg.Addr()} {
		if strings.Contains(body, leak) {
			t.Fatalf("detailed response leaks %q", leak)
		}
	}
	if code, _ := get(t, e, "/healthcheck/detailed", ""); code != 401 {
		t.Fatalf("detailed without token: %d", code)
	}
	app.RequireStop()
}

func TestModuleInvalidEnvironment(t *testing.T) {
	tests := []struct{ variable, value string }{
		{"HEALTH_CHECK_TIMEOUT", "soon"},
		{"HEALTH_CHECK_LEVEL", "everything"},
		{"HEALTH_FAILURE_STATUS", "200"},
		{"HEALTH_CHECK_INTERVAL", "-3"},
		{"HEALTH_CHECK_DETAILED", "true"}, // with no key
		{"HEALTH_CHECK_EXTERNAL_URLS", "payments=nope"},
		{"HEALTH_JWT_PUBLIC_KEY_FILE", "/nonexistent/key.pem"},
		{"HEALTH_JWT_ALGORITHMS", "RS256"}, // with a secret
	}
	for _, tt := range tests {
		t.Run(tt.variable, func(t *testing.T) {
			t.Setenv(tt.variable, tt.value)
			if tt.variable == "HEALTH_JWT_PUBLIC_KEY_FILE" {
				t.Setenv("HEALTH_CHECK_DETAILED", "true")
			}
			if tt.variable == "HEALTH_JWT_ALGORITHMS" {
				t.Setenv("HEALTH_CHECK_DETAILED", "true")
				t.Setenv("HEALTH_JWT_SECRET", secret)
			}
			want := tt.variable
			if tt.variable == "HEALTH_CHECK_DETAILED" {
				want = "HEALTH_JWT_SECRET"
			}
			app := fx.New(fx.NopLogger, fx.Provide(echo.New), healthfx.Module)
			err := app.Err()
			var ce *checks.ConfigError
			if !errors.As(err, &ce) || ce.Setting != want || !strings.Contains(err.Error(), want) {
				t.Fatalf("fx.New: %v, want an error naming %s", err, want)
			}
		})
	}
}

func TestModuleWithoutRegistererHasNoMetrics(t *testing.T) {
	quietEnv(t)
	app := fxtest.New(t, fx.NopLogger, fx.Provide(echo.New), healthfx.Module,
		healthfx.SupplyCheck(checks.Check{Name: "noop", Func: checks.FromFunc(func(context.Context) error { return nil })}))
	app.RequireStart().RequireStop()
}

// A decorator may complete settings that only make sense together: the
// environment asks for the detailed route, the code supplies the key.
func TestModuleDecorateCompletesConfig(t *testing.T) {
	quietEnv(t)
	t.Setenv("HEALTH_CHECK_DETAILED", "true")
	var e *echo.Echo
	app := fxtest.New(t, fx.NopLogger, fx.Provide(echo.New), healthfx.Module,
		fx.Decorate(func(c *healthfx.Config) *healthfx.Config { c.JWTSecret = secret; return c }),
		fx.Populate(&e))
	app.RequireStart()
	if code, _ := get(t, e, "/healthcheck/detailed", ""); code != 401 {
		t.Fatalf("detailed without a token: %d, want 401", code)
	}
	app.RequireStop()
}
