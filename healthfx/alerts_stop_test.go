package healthfx_test

import (
	"context"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"go.uber.org/fx"

	"github.com/echofx/healthcheck/alerting"
	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/healthfx"
)

// TestStopResolvesAlerts: stopping the app (after the drain) resolves the
// alerts this replica has firing, within the stop budget; HEALTH_INSTANCE
// names the replica.
func TestStopResolvesAlerts(t *testing.T) {
	quietEnv(t)
	t.Setenv("HEALTH_INSTANCE", "orders-7d9f")
	got := make(chan alerting.Event, 16)
	pub := alerting.PublisherFunc(func(_ context.Context, e alerting.Event) error { got <- e; return nil })
	app := fx.New(fx.NopLogger, fx.Provide(echo.New),
		healthfx.SupplyCheck(checks.Check{Name: "payments", Criticality: checks.Optional, Func: checks.FromFunc(func(context.Context) error {
			return checks.NewSafeError("payments refused the key", nil)
		})}),
		healthfx.AsAlertSink(func() alerting.Sink { return alerting.Sink{Name: "mine", Publisher: pub} }),
		healthfx.Module)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := app.Start(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-got:
		if e.Kind != alerting.KindUnhealthy || e.Instance != "orders-7d9f" {
			t.Fatalf("event %+v", e)
		}
	case <-ctx.Done():
		t.Fatal("no alert")
	}
	if err := app.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-got: // Stop returned: delivered
		if e.Kind != alerting.KindResolved || e.Reason != alerting.ReasonStopped || e.Check != "payments" || e.Instance != "orders-7d9f" {
			t.Fatalf("at stop: %+v", e)
		}
	default:
		t.Fatal("the stop resolved nothing")
	}
}
