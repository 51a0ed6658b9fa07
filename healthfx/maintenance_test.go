package healthfx_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/healthfx"
	"github.com/echofx/healthcheck/httphealth"
	"github.com/echofx/healthcheck/internal/testutil"
)

// TestModuleMaintenance: with the detailed route on, the module serves
// {prefix}/maintenance; a window makes /ready 503 "maintenance", sets
// <ns>_health_maintenance to 1 and silences this instance in
// Alertmanager; DELETE ends all three.
func TestModuleMaintenance(t *testing.T) {
	am := testutil.StartAlertmanager(t)
	quietEnv(t)
	t.Setenv("HEALTH_CHECK_DETAILED", "true")
	t.Setenv("HEALTH_JWT_SECRET", secret)
	t.Setenv("HEALTH_ALERTMANAGER_URL", am.URL())
	t.Setenv("HEALTH_METRICS_NAMESPACE", "shop")
	reg := prometheus.NewPedanticRegistry()
	var e *echo.Echo
	app := fxtest.New(t, fx.NopLogger, fx.Provide(echo.New),
		fx.Supply(fx.Annotate(reg, fx.As(new(prometheus.Registerer)))),
		healthfx.SupplyCheck(checks.Check{Name: "noop", Func: checks.FromFunc(func(context.Context) error { return nil })}),
		healthfx.Module, fx.Populate(&e))
	app.RequireStart()
	defer app.RequireStop()

	claims := testutil.ValidClaims("", "", time.Minute)
	claims["sub"], claims["scope"] = "alice", httphealth.MaintenanceScope
	token := testutil.MintHS256([]byte(secret), claims)
	send := func(method, body string) (int, string) {
		req := httptest.NewRequest(method, "/healthcheck/maintenance", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	gauge := func() float64 {
		t.Helper()
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range mfs {
			if mf.GetName() == "shop_health_maintenance" {
				return mf.GetMetric()[0].GetGauge().GetValue()
			}
		}
		t.Fatal("no shop_health_maintenance")
		return -1
	}
	activeSilences := func() int {
		ss, err := am.Silences(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, s := range ss {
			if s.Status.State == "active" && s.Matches()["instance"] != "" && s.CreatedBy == "alice" {
				n++
			}
		}
		return n
	}
	if gauge() != 0 {
		t.Fatal("in maintenance at start")
	}
	if code, body := send(http.MethodPost, `{"reason":"disk swap","for":"10m"}`); code != 200 || !strings.Contains(body, `"by":"alice"`) {
		t.Fatalf("POST = %d %s", code, body)
	}
	if code, body := get(t, e, "/healthcheck/ready", ""); code != 503 || body != `{"status":"error","error":"maintenance"}` {
		t.Fatalf("ready in maintenance = %d %s", code, body)
	}
	if code, _ := get(t, e, "/healthcheck/live", ""); code != 200 {
		t.Fatalf("live in maintenance = %d", code)
	}
	if gauge() != 1 || activeSilences() != 1 {
		t.Fatalf("gauge %v, silences %d", gauge(), activeSilences())
	}
	if code, _ := send(http.MethodDelete, ""); code != 200 {
		t.Fatalf("DELETE = %d", code)
	}
	if code, _ := get(t, e, "/healthcheck/ready", ""); code != 200 {
		t.Fatalf("ready after = %d", code)
	}
	if gauge() != 0 || activeSilences() != 0 {
		t.Fatalf("after: gauge %v, silences %d", gauge(), activeSilences())
	}
}
