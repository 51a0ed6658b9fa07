package redishealth_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/redis/go-redis/v9"
	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/healthfx"
	"github.com/echofx/healthcheck/internal/testutil"
	"github.com/echofx/healthcheck/redishealth"
)

// startApp starts an fx app with an Echo, healthfx (short drain) and opts,
// and returns its runner; the app stops when the test ends.
func startApp(t *testing.T, opts ...fx.Option) *checks.Runner {
	t.Helper()
	var runner *checks.Runner
	all := append([]fx.Option{
		fx.NopLogger,
		fx.Supply(slog.New(slog.DiscardHandler)),
		fx.Provide(echo.New),
		healthfx.Module,
		fx.Decorate(func(c *healthfx.Config) *healthfx.Config { c.DrainDelay = time.Millisecond; return c }),
		fx.Populate(&runner),
	}, opts...)
	a := fxtest.New(t, all...)
	a.RequireStart()
	t.Cleanup(a.RequireStop)
	return runner
}

func TestModule(t *testing.T) {
	srv := testutil.StartRedis(t)
	newClient := func(lc fx.Lifecycle) *redis.Client {
		c := redis.NewClient(&redis.Options{Addr: srv.Addr(), Password: srv.Password()})
		lc.Append(fx.StopHook(c.Close))
		return c
	}
	tests := []struct {
		name   string
		opts   []fx.Option
		check  string
		absent bool
	}{
		{name: "*redis.Client", opts: []fx.Option{redishealth.Module, fx.Provide(newClient)}, check: "redis"},
		{name: "redis.UniversalClient", opts: []fx.Option{redishealth.Module, fx.Provide(fx.Annotate(newClient, fx.As(new(redis.UniversalClient))))}, check: "redis"},
		{name: "config", opts: []fx.Option{redishealth.ModuleWithConfig(redishealth.Config{Name: "cache"}), fx.Provide(newClient)}, check: "cache"},
		{name: "no client", opts: []fx.Option{redishealth.Module}, check: "redis", absent: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runner := startApp(t, tt.opts...)
			_, found := runner.Lookup(tt.check)
			if found == tt.absent {
				t.Fatalf("check %q registered = %v, want %v", tt.check, found, !tt.absent)
			}
			if tt.absent {
				return
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			res, err := runner.Refresh(ctx, tt.check)
			if err != nil || res.Status != checks.StatusHealthy {
				t.Errorf("%s = %v %q, %v; want healthy", tt.check, res.Status, res.Message, err)
			}
			if res.Details["total_conns"] == nil {
				t.Errorf("details lack pool stats: %v", res.Details)
			}
		})
	}
}
