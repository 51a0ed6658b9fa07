package healthfx_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/healthfx"
)

// TestEveryVariable sets each variable to a valid and an invalid value:
// the valid one lands in its field, the invalid one is a *ConfigError
// naming the variable.
func TestEveryVariable(t *testing.T) {
	tests := []struct {
		variable, good, bad string
		check               func(c healthfx.Config) bool
		extra               []string
	}{
		{"HEALTH_PROBE_BUDGET", "250ms", "soon", func(c healthfx.Config) bool { return c.ProbeBudget == 250*time.Millisecond }, nil},
		{"HEALTH_CHECK_DATABASE", "false", "nope", func(c healthfx.Config) bool { return !c.Database }, nil},
		{"HEALTH_CHECK_DATABASE_NAME", "postgres", "two words", func(c healthfx.Config) bool { return c.DatabaseName == "postgres" }, nil},
		{"HEALTH_CHECK_DATABASE_REQUIRED", "false", "perhaps", func(c healthfx.Config) bool { return !c.DatabaseRequired }, nil},
		{"HEALTH_CHECK_DATABASE_LEVEL", "standard", "all", func(c healthfx.Config) bool { return c.DatabaseLevel == checks.LevelStandard }, nil},
		{"HEALTH_CHECK_DATABASE_SLOW_THRESHOLD", "2s", "slow", func(c healthfx.Config) bool { return c.DatabaseSlowThreshold == 2*time.Second }, nil},
		{"HEALTH_CHECK_DATABASE_POOL_THRESHOLD", "0.75", "1.5", func(c healthfx.Config) bool { return c.DatabasePoolThreshold == 0.75 }, nil},
		{"HEALTH_CHECK_EXTERNAL_REQUIRED", "true", "2", func(c healthfx.Config) bool { return c.ExternalRequired }, nil},
		{"HEALTH_CHECK_DOWNSTREAM_URLS", "orders=http://orders:8788/healthcheck/", "orders", func(c healthfx.Config) bool {
			return len(c.DownstreamURLs) == 1 && c.DownstreamURLs[0].Name == "orders"
		}, nil},
		{"HEALTH_CHECK_DOWNSTREAM_REQUIRED", "true", "x", func(c healthfx.Config) bool { return c.DownstreamRequired }, nil},
		{"HEALTH_PATH_PREFIX", "/ops/health", "ops", func(c healthfx.Config) bool { return c.PathPrefix == "/ops/health" }, nil},
		{"HEALTH_ROUTE_LIVE", "false", "off", func(c healthfx.Config) bool { return !c.Live }, nil},
		{"HEALTH_ROUTE_READY", "false", "off", func(c healthfx.Config) bool { return !c.Ready }, nil},
		{"HEALTH_ROUTE_STARTUP", "false", "off", func(c healthfx.Config) bool { return !c.Startup }, nil},
		{"HEALTH_GROUPS", "core=database+migrations, cache=redis", "core=database,core=redis", func(c healthfx.Config) bool {
			return len(c.Groups) == 2 && c.Groups[0].Name == "core" && strings.Join(c.Groups[0].Checks, "+") == "database+migrations" &&
				c.Groups[1].Name == "cache" && strings.Join(c.Groups[1].Checks, "+") == "redis"
		}, nil},
		{"HEALTH_DEGRADED_STATUS", "207", "204", func(c healthfx.Config) bool { return c.DegradedStatus == 207 }, nil},
		{"HEALTH_METRICS_PATH", "/metrics", "metrics", func(c healthfx.Config) bool { return c.MetricsPath == "/metrics" }, nil},
		{"HEALTH_JWT_MAX_AGE", "1h", "-1h", func(c healthfx.Config) bool { return c.JWTMaxAge == time.Hour }, nil},
		{"HEALTH_JWT_SECRET", secret, strings.Repeat(" ", 40), func(c healthfx.Config) bool { return c.JWTSecret == secret }, nil},
		{"HEALTH_HISTORY_SIZE", "50", "0", func(c healthfx.Config) bool { return c.HistorySize == 50 }, nil},
		{"HEALTH_TRENDS_SHORT_WINDOW", "30m", "10s", func(c healthfx.Config) bool { return c.TrendsShortWindow == 30*time.Minute }, nil},
		{"HEALTH_TRENDS_LONG_WINDOW", "12h", "30m", func(c healthfx.Config) bool { return c.TrendsLongWindow == 12*time.Hour }, nil},
		{"HEALTH_STARTUP_MAX_WAIT", "2m", "0", func(c healthfx.Config) bool { return c.StartupMaxWait == 2*time.Minute }, nil},
		{"HEALTH_STARTUP_MAX_ATTEMPTS", "0", "-2", func(c healthfx.Config) bool { return c.StartupMaxAttempts == 0 }, nil},
		{"HEALTH_STARTUP_INITIAL_BACKOFF", "250ms", "0", func(c healthfx.Config) bool { return c.StartupInitialBackoff == 250*time.Millisecond }, nil},
		{"HEALTH_STARTUP_MAX_BACKOFF", "16s", "500ms", func(c healthfx.Config) bool { return c.StartupMaxBackoff == 16*time.Second }, nil},
		{"HEALTH_DRAIN_DELAY", "10s", "15s", func(c healthfx.Config) bool { return c.DrainDelay == 10*time.Second }, nil},
		{"HEALTH_SERVICE_NAME", "orders", "", func(c healthfx.Config) bool { return c.ServiceName == "orders" }, nil},
		{"HEALTH_INSTANCE", "orders-7d9f", "", func(c healthfx.Config) bool { return c.Instance == "orders-7d9f" }, nil},
		{"HEALTH_ALERTMANAGER_URL", "http://am-1:9093, http://am-2:9093", "am-1:9093", func(c healthfx.Config) bool {
			return len(c.AlertmanagerURLs) == 2 && c.AlertmanagerURLs[1] == "http://am-2:9093"
		}, nil},
		{"HEALTH_WEBHOOK_URLS", "ops=https://hooks.example/x,chat=slack+https://hooks.slack.com/services/T/B/X", "ops=hooks.example", func(c healthfx.Config) bool {
			return len(c.WebhookURLs) == 2 && c.WebhookURLs[1].Name == "chat"
		}, nil},
		{"HEALTH_WEBHOOK_SECRET", "whsec_6t1lXS+0LMcKY9SV5oq1qFRqv75ov2BfuZG/OZxE43s=", "whsec_short", func(c healthfx.Config) bool {
			return c.WebhookSecret == "whsec_6t1lXS+0LMcKY9SV5oq1qFRqv75ov2BfuZG/OZxE43s="
		}, []string{"HEALTH_WEBHOOK_URLS", "ops=https://hooks.example/x"}},
		{"HEALTH_STATUS_PAGE_URL", "https://orders.example/healthcheck/status", "orders.example/status", func(c healthfx.Config) bool {
			return c.StatusPageURL == "https://orders.example/healthcheck/status"
		}, nil},
		{"HEALTH_ALERT_REPEAT_INTERVAL", "10m", "10s", func(c healthfx.Config) bool { return c.AlertRepeatInterval == 10*time.Minute }, nil},
		{"HEALTH_ALERT_AFTER_FAILURES", "3", "-1", func(c healthfx.Config) bool { return c.AlertAfterFailures == 3 }, nil},
		{"HEALTH_ALERT_ERROR_RATE_THRESHOLD", "0.25", "25%", func(c healthfx.Config) bool { return c.AlertErrorRateThreshold == 0.25 }, nil},
		{"HEALTH_ALERT_LATENCY_P95_THRESHOLD", "750ms", "fast", func(c healthfx.Config) bool { return c.AlertLatencyP95Threshold == 750*time.Millisecond }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.variable, func(t *testing.T) {
			c, err := healthfx.LoadConfig(env(append([]string{tt.variable, tt.good}, tt.extra...)...))
			if err != nil || !tt.check(c) {
				t.Fatalf("%s=%q: %v, %+v", tt.variable, tt.good, err, c)
			}
			if tt.bad == "" {
				return
			}
			_, err = healthfx.LoadConfig(env(append([]string{tt.variable, tt.bad}, tt.extra...)...))
			var ce *checks.ConfigError
			if !errors.As(err, &ce) || ce.Setting != tt.variable {
				t.Fatalf("%s=%q: %v, want a *ConfigError naming it", tt.variable, tt.bad, err)
			}
			if (tt.variable == "HEALTH_JWT_SECRET" || tt.variable == "HEALTH_WEBHOOK_SECRET" || tt.variable == "HEALTH_WEBHOOK_URLS") && ce.Value != "" {
				t.Fatalf("the secret was echoed: %v", err)
			}
		})
	}
}

// TestWeakSecretsRefused: a secret long enough but blank or one byte
// repeated is refused at load, naming the variable.
func TestWeakSecretsRefused(t *testing.T) {
	for _, s := range []string{strings.Repeat(" ", 40), strings.Repeat("a", 40), "\t" + strings.Repeat(" ", 39)} {
		_, err := healthfx.LoadConfig(env("HEALTH_JWT_SECRET", s, "HEALTH_CHECK_DETAILED", "true"))
		var ce *checks.ConfigError
		if !errors.As(err, &ce) || ce.Setting != "HEALTH_JWT_SECRET" || ce.Value != "" {
			t.Fatalf("%q: %v", s, err)
		}
	}
}

// TestPrecedence: DefaultConfig < SetDefaults < environment <
// fx.Decorate, and an error names where the bad value came from.
func TestPrecedence(t *testing.T) {
	quietEnv(t)
	t.Setenv("HEALTH_CHECK_INTERVAL", "7s") // env over the code's default
	var got *healthfx.Config
	app := fxtest.New(t, fx.NopLogger, fx.Provide(echo.New),
		healthfx.SetDefaults(func(c *healthfx.Config) {
			c.Interval = 3 * time.Second     // overridden by the environment
			c.MetricsNamespace = "from_code" // kept
			c.FailureStatus = 503            // overridden by Decorate
		}),
		fx.Decorate(func(c *healthfx.Config) *healthfx.Config { c.FailureStatus = 500; return c }),
		healthfx.Module,
		fx.Populate(&got),
	)
	app.RequireStart()
	app.RequireStop()
	if got.Interval != 7*time.Second || got.MetricsNamespace != "from_code" || got.FailureStatus != 500 {
		t.Fatalf("interval %v, namespace %q, status %d", got.Interval, got.MetricsNamespace, got.FailureStatus)
	}

	// A bad value set in code is named by its field; from the environment, by its variable.
	err := fx.New(fx.NopLogger, fx.Provide(echo.New),
		healthfx.SetDefaults(func(c *healthfx.Config) { c.FailureStatus = 302 }), healthfx.Module).Err()
	if !strings.Contains(err.Error(), "Config.FailureStatus (set in code)") {
		t.Fatalf("code error: %v", err)
	}
	t.Setenv("HEALTH_FAILURE_STATUS", "302")
	err = fx.New(fx.NopLogger, fx.Provide(echo.New), healthfx.Module).Err()
	var ce *checks.ConfigError
	if !errors.As(err, &ce) || ce.Setting != "HEALTH_FAILURE_STATUS" {
		t.Fatalf("env error: %v", err)
	}
}

// TestDrainMustFitStopTimeout: a drain that leaves no second of fx's stop
// timeout is refused at fx.New, naming HEALTH_DRAIN_DELAY; an app that
// raises fx's stop timeout says so in Config.StopTimeout.
func TestDrainMustFitStopTimeout(t *testing.T) {
	quietEnv(t)
	t.Setenv("HEALTH_DRAIN_DELAY", "14.5s")
	err := fx.New(fx.NopLogger, fx.Provide(echo.New), healthfx.Module).Err()
	var ce *checks.ConfigError
	if !errors.As(err, &ce) || ce.Setting != "HEALTH_DRAIN_DELAY" {
		t.Fatalf("err = %v", err)
	}
	err = fx.New(fx.NopLogger, fx.Provide(echo.New), fx.StopTimeout(time.Minute),
		healthfx.SetDefaults(func(c *healthfx.Config) { c.StopTimeout = time.Minute }), healthfx.Module).Err()
	if err != nil {
		t.Fatalf("with a longer stop timeout: %v", err)
	}
}

// TestRouteSettings moves and trims the routes from the environment and
// serves /metrics from the injected registry.
func TestRouteSettings(t *testing.T) {
	quietEnv(t)
	t.Setenv("HEALTH_PATH_PREFIX", "/ops/health")
	t.Setenv("HEALTH_ROUTE_LIVE", "false")
	t.Setenv("HEALTH_METRICS_PATH", "/metrics")
	reg := prometheus.NewRegistry()
	var (
		e      *echo.Echo
		runner *checks.Runner
	)
	app := fxtest.New(t, fx.NopLogger, fx.Provide(echo.New),
		fx.Supply(fx.Annotate(reg, fx.As(new(prometheus.Registerer)))),
		healthfx.SupplyCheck(checks.Check{Name: "cache", Criticality: checks.Optional, Func: checks.FromFunc(func(context.Context) error { return nil })}),
		healthfx.Module, fx.Populate(&e, &runner))
	app.RequireStart()
	defer app.RequireStop()
	// The status gauge appears with the check's first result (absent means
	// unknown). The gate does not wait for an optional check, so its first
	// run may still be in flight after the start: wait for that result
	// (Check joins the run in flight; the metrics hook has run when it
	// returns) rather than hoping it won the race against the scrape.
	if _, err := runner.Check(context.Background(), "cache"); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]int{"/ops/health/": 200, "/ops/health/ready": 200, "/ops/health/live": 404, "/healthcheck/": 404, "/metrics": 200} {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != want {
			t.Errorf("GET %s = %d, want %d", path, rec.Code, want)
		}
		if path == "/metrics" && !strings.Contains(rec.Body.String(), `health_check_status{check="cache"}`) {
			t.Errorf("/metrics lacks the check's status:\n%s", rec.Body)
		}
	}
	// A registerer that cannot gather cannot serve /metrics.
	err := fx.New(fx.NopLogger, fx.Provide(echo.New),
		fx.Supply(fx.Annotate(prometheus.WrapRegistererWithPrefix("x_", reg), fx.As(new(prometheus.Registerer)))),
		healthfx.Module).Err()
	if !strings.Contains(fmtErr(err), "HEALTH_METRICS_PATH") {
		t.Fatalf("err = %v", err)
	}
	// A path the app already has is an error naming it.
	t.Setenv("HEALTH_METRICS_PATH", "")
	err = fx.New(fx.NopLogger, fx.Provide(func() *echo.Echo {
		e := echo.New()
		e.GET("/ops/health/ready", func(c echo.Context) error { return nil })
		return e
	}), healthfx.Module).Err()
	if !strings.Contains(fmtErr(err), "/ops/health/ready") {
		t.Fatalf("duplicate path: %v", err)
	}
}

// TestReadmeListsEveryVariable keeps the configuration table (in
// docs/reference.md since the README points there) in step with the
// variables the module reads.
func TestReadmeListsEveryVariable(t *testing.T) {
	b, err := os.ReadFile("../docs/reference.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range healthfx.Variables() {
		if !strings.Contains(string(b), "`"+v+"`") {
			t.Errorf("docs/reference.md does not document %s", v)
		}
	}
}

func fmtErr(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}
