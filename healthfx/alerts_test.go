package healthfx_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/echofx/healthcheck/alerting"
	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/healthfx"
	"github.com/echofx/healthcheck/internal/testutil"
)

// hookReceiver is a real HTTP receiver on loopback keeping every request.
type hookReceiver struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []hookRequest
}

type hookRequest struct {
	header http.Header
	body   []byte
	p      alerting.WebhookPayload
}

func newHookReceiver(t *testing.T) *hookReceiver {
	h := &hookReceiver{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var p alerting.WebhookPayload
		_ = json.Unmarshal(b, &p)
		h.mu.Lock()
		h.reqs = append(h.reqs, hookRequest{r.Header.Clone(), b, p})
		h.mu.Unlock()
	}))
	t.Cleanup(h.Close)
	return h
}

// find returns the first request whose payload has check and event.
func (h *hookReceiver) find(check string, event alerting.Kind) (hookRequest, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range h.reqs {
		if r.p.Check == check && r.p.Event == event {
			return r, true
		}
	}
	return hookRequest{}, false
}

func activeAlerts(t *testing.T, am *testutil.Alertmanager, check string) []testutil.AlertmanagerAlert {
	t.Helper()
	all, err := am.ActiveAlerts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []testutil.AlertmanagerAlert
	for _, a := range all {
		if a.Labels["check"] == check {
			out = append(out, a)
		}
	}
	return out
}

// TestAlertsDatabaseOutage is the bar, through the module and the
// environment only: a real PostgreSQL stopped gives, within 15 s, an active
// alert labelled check="database" in a real Alertmanager and a signed
// webhook POST naming it (verified with an independent HMAC); started
// again, the alert resolves within 15 s and a recovery POST arrives. The
// webhook secret appears in no log line, metric or response.
func TestAlertsDatabaseOutage(t *testing.T) {
	pg := testutil.StartPostgres(t)
	am := testutil.StartAlertmanager(t)
	hook := newHookReceiver(t)
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	secret := "whsec_" + base64.StdEncoding.EncodeToString(key)

	quietEnv(t)
	t.Setenv("HEALTH_ALERTMANAGER_URL", am.URL())
	t.Setenv("HEALTH_WEBHOOK_URLS", "ops="+hook.URL+"/hooks/health")
	t.Setenv("HEALTH_WEBHOOK_SECRET", secret)
	t.Setenv("HEALTH_SERVICE_NAME", "orders")
	t.Setenv("HEALTH_INSTANCE", "orders-7d9f")
	t.Setenv("HEALTH_METRICS_PATH", "/metrics")
	t.Setenv("HEALTH_ALERT_ERROR_RATE_THRESHOLD", "0") // the status alert only, here
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	reg := prometheus.NewRegistry()
	pool := newPool(t, pg.DSN()+"&connect_timeout=1")
	var e *echo.Echo
	app := fxtest.New(t, fx.NopLogger, fx.Provide(echo.New), fx.Supply(pool, logger),
		fx.Supply(fx.Annotate(reg, fx.As(new(prometheus.Registerer)))),
		healthfx.Module, fx.Populate(&e))
	app.RequireStart()

	down := time.Now()
	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	eventually(t, 15*time.Second, "an active alert for the database", func() bool {
		return len(activeAlerts(t, am, "database")) > 0
	})
	t.Logf("alert active in Alertmanager %v after the database stopped", time.Since(down).Round(time.Millisecond))
	a := activeAlerts(t, am, "database")[0]
	if d := a.Annotations["description"]; a.Labels["alertname"] != alerting.AlertUnhealthy || a.Labels["service"] != "orders" ||
		a.Labels["instance"] != "orders-7d9f" || a.Labels["severity"] != "critical" || d == "" || strings.Contains(d, pg.Password()) || strings.Contains(d, pg.Addr()) {
		t.Fatalf("alert %+v", a)
	}
	eventually(t, 15*time.Second, "a webhook POST naming the database", func() bool {
		_, ok := hook.find("database", alerting.KindUnhealthy)
		return ok
	})
	req, _ := hook.find("database", alerting.KindUnhealthy)
	verifySignature(t, key, req)
	if req.p.Service != "orders" || req.p.Severity != "critical" || req.p.Status != "unhealthy" || req.p.Message != a.Annotations["description"] {
		t.Fatalf("payload %s", req.body)
	}

	up := time.Now()
	if err := pg.Start(); err != nil {
		t.Fatal(err)
	}
	eventually(t, 15*time.Second, "the alert resolved", func() bool { return len(activeAlerts(t, am, "database")) == 0 })
	t.Logf("alert resolved %v after the database started", time.Since(up).Round(time.Millisecond))
	eventually(t, 15*time.Second, "a recovery POST", func() bool {
		_, ok := hook.find("database", alerting.KindRecovered)
		return ok
	})
	req, _ = hook.find("database", alerting.KindRecovered)
	verifySignature(t, key, req)
	if req.p.OutageSeconds == nil || *req.p.OutageSeconds <= 0 || req.p.PreviousStatus != "unhealthy" {
		t.Fatalf("recovery payload %s", req.body)
	}

	code, metrics := get(t, e, "/metrics", "")
	if code != 200 || !strings.Contains(metrics, `health_alerts_sent_total{sink="alertmanager"}`) ||
		!strings.Contains(metrics, `health_alerts_sent_total{sink="ops"}`) || !strings.Contains(metrics, `health_alerts_queue_length{sink="ops"}`) {
		t.Fatalf("metrics: %d\n%s", code, metrics)
	}
	app.RequireStop()
	hook.mu.Lock()
	defer hook.mu.Unlock()
	for _, where := range append([]string{logs.String(), metrics}, func() (out []string) {
		for _, r := range hook.reqs {
			out = append(out, string(r.body))
		}
		return out
	}()...) {
		for _, s := range []string{secret, secret[6:], string(key)} {
			if strings.Contains(where, s) {
				t.Fatalf("the webhook secret leaked: %q", where)
			}
		}
	}
}

// verifySignature checks the Standard Webhooks signature of req with an
// HMAC computed here, independently of package alerting.
func verifySignature(t *testing.T, key []byte, req hookRequest) {
	t.Helper()
	id, ts := req.header.Get("webhook-id"), req.header.Get("webhook-timestamp")
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "." + string(req.body)))
	if want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)); id == "" || ts == "" || req.header.Get("webhook-signature") != want {
		t.Fatalf("signature %q, want %q", req.header.Get("webhook-signature"), want)
	}
}

// syncBuffer is a bytes.Buffer safe for the logger's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestAlertSinkContributed: a Publisher of the app's own, contributed with
// AsAlertSink, receives the events; per-check thresholds come through
// AlertOptions; a failing start still delivers its alert (fx's rollback
// flushes the dispatcher).
func TestAlertSinkContributed(t *testing.T) {
	quietEnv(t)
	got := make(chan alerting.Event, 16)
	pub := alerting.PublisherFunc(func(_ context.Context, e alerting.Event) error { got <- e; return nil })
	app := fx.New(fx.NopLogger, fx.Provide(echo.New),
		healthfx.SupplyCheck(checks.Check{Name: "payments", Func: checks.FromFunc(func(context.Context) error {
			return checks.Permanent(checks.NewSafeError("payments refused the key", nil))
		})}),
		healthfx.AsAlertSink(func() alerting.Sink { return alerting.Sink{Name: "mine", Publisher: pub} }),
		healthfx.AlertOptions(alerting.WithService("orders")),
		healthfx.Module)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := app.Start(ctx); err == nil {
		_ = app.Stop(ctx)
		t.Fatal("a permanent failure of a required check must fail the start")
	}
	select {
	case e := <-got:
		if e.Check != "payments" || e.Kind != alerting.KindUnhealthy || e.Service != "orders" || e.Message != "payments refused the key" {
			t.Fatalf("event %+v", e)
		}
	default:
		t.Fatal("the failed start delivered no alert")
	}
}
