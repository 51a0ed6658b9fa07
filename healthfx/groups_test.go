package healthfx_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/labstack/echo/v4"
	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/healthfx"
	"github.com/echofx/healthcheck/lifecycle"
)

// TestGroupUnknownCheckRefused: a group naming a check that is not
// registered fails fx.New with a *ConfigError naming HEALTH_GROUPS, the
// group and the check.
func TestGroupUnknownCheckRefused(t *testing.T) {
	quietEnv(t)
	t.Setenv("HEALTH_GROUPS", "core=cache+migrations")
	err := fx.New(fx.NopLogger, fx.Provide(echo.New),
		healthfx.SupplyCheck(checks.Check{Name: "cache", Func: checks.FromFunc(func(context.Context) error { return nil })}),
		healthfx.Module).Err()
	var ce *checks.ConfigError
	if !errors.As(err, &ce) || ce.Setting != "HEALTH_GROUPS" || !strings.Contains(ce.Error(), `"core"`) || !strings.Contains(ce.Error(), `"migrations"`) {
		t.Fatalf("err = %v, want a *ConfigError naming HEALTH_GROUPS, core and migrations", err)
	}
}

// TestGroupsStartupAndDegradedStatus: the module serves the groups of
// HEALTH_GROUPS, the startup route over the real gate (503 while it
// waits, 200 once it passed), the groups following it (503 "starting"
// while it waits) and the degraded code of
// HEALTH_DEGRADED_STATUS.
func TestGroupsStartupAndDegradedStatus(t *testing.T) {
	quietEnv(t)
	t.Setenv("HEALTH_GROUPS", "core=cache, slow=queue")
	t.Setenv("HEALTH_DEGRADED_STATUS", "207")
	t.Setenv("HEALTH_STARTUP_INITIAL_BACKOFF", "50ms")
	var up atomic.Bool
	cache := checks.Check{Name: "cache", Func: checks.FromFunc(func(context.Context) error {
		if !up.Load() {
			return errors.New("cache: connection refused")
		}
		return nil
	})}
	queue := checks.Check{Name: "queue", Criticality: checks.Optional, Func: func(context.Context) checks.Report {
		return checks.Report{Status: checks.StatusDegraded, Message: "slow"}
	}}
	var e *echo.Echo
	var lc *lifecycle.Lifecycle
	app := fxtest.New(t, fx.NopLogger, fx.Provide(echo.New), healthfx.SupplyCheck(cache), healthfx.SupplyCheck(queue),
		healthfx.Module, fx.Populate(&e, &lc))
	ready := make(chan struct{})
	var once atomic.Bool
	lc.AddHooks(lifecycle.Hooks{OnReadiness: func(ok bool, _ string) {
		if ok && once.CompareAndSwap(false, true) {
			close(ready)
		}
	}})
	app.RequireStart()
	defer app.RequireStop()
	if code, body := get(t, e, "/healthcheck/startup", ""); code != 503 || body != `{"status":"error","error":"starting"}` {
		t.Fatalf("startup while the gate waits: %d %s", code, body)
	}
	// A group follows the lifecycle as /ready does (issue 25 part 7).
	if code, body := get(t, e, "/healthcheck/group/core", ""); code != 503 || body != `{"status":"error","error":"starting"}` {
		t.Fatalf("group core while the gate waits: %d %s", code, body)
	}
	up.Store(true)
	<-ready
	for path, want := range map[string]int{
		"/healthcheck/startup": 200, "/healthcheck/group/slow": 207, "/healthcheck/": 207,
		"/healthcheck/ready": 207, "/healthcheck/group/nope": 404,
	} {
		if code, body := get(t, e, path, ""); code != want {
			t.Errorf("GET %s = %d %s, want %d", path, code, body, want)
		}
	}
	if code, body := get(t, e, "/healthcheck/group/core?verbose", ""); code != 200 || body != "[+]cache ok\ngroup core check passed\n" {
		t.Errorf("group core?verbose = %d %q", code, body)
	}
}

// TestGroupsInCode: Config.Groups set in code serves the same, and an
// unknown check there is an error naming the field.
func TestGroupsInCode(t *testing.T) {
	quietEnv(t)
	ok := checks.Check{Name: "cache", Func: checks.FromFunc(func(context.Context) error { return nil })}
	err := fx.New(fx.NopLogger, fx.Provide(echo.New), healthfx.SupplyCheck(ok), healthfx.Module,
		healthfx.SetDefaults(func(c *healthfx.Config) {
			c.Groups = []checks.Group{{Name: "core", Checks: []string{"cache", "queue"}}}
		})).Err()
	var ce *checks.ConfigError
	if !errors.As(err, &ce) || ce.Setting != "Config.Groups (set in code)" || !strings.Contains(ce.Error(), `"queue"`) {
		t.Fatalf("err = %v, want a *ConfigError naming Config.Groups", err)
	}
	var e *echo.Echo
	app := fxtest.New(t, fx.NopLogger, fx.Provide(echo.New), healthfx.SupplyCheck(ok), healthfx.Module,
		healthfx.SetDefaults(func(c *healthfx.Config) {
			c.Groups = []checks.Group{{Name: "core", Checks: []string{"cache"}}}
		}), fx.Populate(&e))
	app.RequireStart()
	defer app.RequireStop()
	if code, body := get(t, e, "/healthcheck/group/core", ""); code != 200 || body != `{"status":"success","data":{"health":"ok"}}` {
		t.Fatalf("group core = %d %s", code, body)
	}
}

// TestGroupNamesRefused: HEALTH_GROUPS refuses a group named like the
// check it lists (saying so, not "unknown check") and group names unsafe
// in a path segment, with a *ConfigError naming HEALTH_GROUPS.
func TestGroupNamesRefused(t *testing.T) {
	for _, tc := range []struct{ value, want string }{
		{"database=database", `group "database": has the name of a check`},
		{"..=database", "invalid name"},
		{".=database", "invalid name"},
		{"%2F=database", "invalid name"},
		{"a?b=database", "invalid name"},
		{"a#b=database", "invalid name"},
		{strings.Repeat("g", 70000) + "=database", "invalid name"},
	} {
		_, err := healthfx.LoadConfig(env("HEALTH_GROUPS", tc.value))
		var ce *checks.ConfigError
		if !errors.As(err, &ce) || ce.Setting != "HEALTH_GROUPS" || !strings.Contains(ce.Reason, tc.want) {
			t.Errorf("HEALTH_GROUPS=%.30q: err = %.300v, want a *ConfigError naming HEALTH_GROUPS saying %q", tc.value, err, tc.want)
		}
	}
	if _, err := healthfx.LoadConfig(env("HEALTH_GROUPS", "core-1=database+cache,v1.cache=cache")); err != nil {
		t.Errorf("valid names: %v", err)
	}
}
