package alerting_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/echofx/healthcheck/alerting"
	"github.com/echofx/healthcheck/checks"
)

// receiver is a real HTTP server on loopback that records what it gets and
// answers with the status codes it is told, in turn (200 once they run
// out).
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	codes    []int
	requests chan received
}

type received struct {
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T, codes ...int) *receiver {
	rc := &receiver{codes: codes, requests: make(chan received, 100)}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		code := 200
		if len(rc.codes) > 0 {
			code, rc.codes = rc.codes[0], rc.codes[1:]
		}
		rc.mu.Unlock()
		rc.requests <- received{r.Header.Clone(), b}
		w.WriteHeader(code)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) next(t *testing.T) received {
	t.Helper()
	select {
	case r := <-rc.requests:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("no request")
		return received{}
	}
}

// TestWebhookSigned: the JSON payload, signed per Standard Webhooks,
// verified here with an independent HMAC; a 500 is retried with the same
// webhook-id; the secret appears in no log line, stat or request body.
func TestWebhookSigned(t *testing.T) {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	secret := "whsec_" + base64.StdEncoding.EncodeToString(key)
	rc := newReceiver(t, 500)
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	r := newRunner(t)
	c := addSwitchable(t, r, "database", checks.StatusUnhealthy)
	sink, err := alerting.Webhook("ops", rc.URL+"/hook?token=abc", alerting.WebhookConfig{Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	d, err := alerting.New(r, alerting.WithSink(sink), alerting.WithService("orders"), alerting.WithLogger(logger),
		alerting.WithRetry(3, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	d.Start()
	refresh(t, r, "database")
	first, second := rc.next(t), rc.next(t) // the 500, then the retry
	for _, got := range []received{first, second} {
		id, ts, sig := got.header.Get("webhook-id"), got.header.Get("webhook-timestamp"), got.header.Get("webhook-signature")
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(id + "." + ts + "." + string(got.body)))
		want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
		if id == "" || sig != want {
			t.Fatalf("signature %q, want %q", sig, want)
		}
		if n, err := strconv.ParseInt(ts, 10, 64); err != nil || time.Since(time.Unix(n, 0)).Abs() > time.Minute {
			t.Fatalf("timestamp %q", ts)
		}
	}
	if first.header.Get("webhook-id") != second.header.Get("webhook-id") {
		t.Fatal("a retry must keep the webhook-id")
	}
	var p map[string]any
	if err := json.Unmarshal(second.body, &p); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{
		"event": "unhealthy", "alert": "CheckUnhealthy", "firing": true, "check": "database", "status": "unhealthy",
		"previous_status": "unknown", "message": "connection refused", "severity": "critical", "service": "orders",
		"id": second.header.Get("webhook-id"),
	} {
		if p[k] != want {
			t.Errorf("payload %s = %v, want %v", k, p[k], want)
		}
	}
	if _, ok := p["time"]; !ok {
		t.Error("payload has no time")
	}

	c.set(checks.StatusHealthy)
	refresh(t, r, "database")
	got := rc.next(t)
	if err := json.Unmarshal(got.body, &p); err != nil {
		t.Fatal(err)
	}
	if p["event"] != "recovered" || p["firing"] != false || p["outage_seconds"] == nil || p["previous_status"] != "unhealthy" {
		t.Fatalf("recovery payload: %s", got.body)
	}
	stop(t, d)

	st := d.Stats()
	if len(st) != 1 || st[0].Name != "ops" || st[0].Sent != 2 || st[0].Retries != 1 {
		t.Fatalf("stats %+v", st)
	}
	for _, where := range []string{logs.String(), fmt.Sprintf("%+v", st), string(first.body), string(got.body)} {
		for _, s := range []string{secret, secret[6:], string(key), "token=abc"} {
			if strings.Contains(where, s) {
				t.Fatalf("secret leaked into %q", where)
			}
		}
	}
}

func TestWebhookSlackFormat(t *testing.T) {
	rc := newReceiver(t)
	r := newRunner(t)
	addSwitchable(t, r, "database", checks.StatusUnhealthy)
	sink, err := alerting.Webhook("chat", rc.URL, alerting.WebhookConfig{Format: alerting.FormatSlack})
	if err != nil {
		t.Fatal(err)
	}
	d, err := alerting.New(r, alerting.WithSink(sink), alerting.WithService("orders"),
		alerting.WithStatusURL("https://orders.example/healthcheck/status"))
	if err != nil {
		t.Fatal(err)
	}
	d.Start()
	defer stop(t, d)
	refresh(t, r, "database")
	got := rc.next(t)
	var p map[string]string
	if err := json.Unmarshal(got.body, &p); err != nil {
		t.Fatal(err)
	}
	want := ":red_circle: orders: database unhealthy: connection refused (critical) <https://orders.example/healthcheck/status|status>"
	if len(p) != 1 || p["text"] != want {
		t.Fatalf("slack body %s, want text %q", got.body, want)
	}
	if got.header.Get("webhook-signature") != "" {
		t.Fatal("signed without a secret")
	}
}

func TestWebhookConfigErrors(t *testing.T) {
	for _, tt := range []struct{ url, secret string }{
		{"ftp://x/hook", ""},
		{"/relative", ""},
		{"http://x/hook", "tiny"},
		{"http://x/hook", "whsec_!!!notbase64"},
		{"http://x/hook", "whsec_" + base64.StdEncoding.EncodeToString([]byte("16 bytes only!!!"))},
	} {
		_, err := alerting.Webhook("ops", tt.url, alerting.WebhookConfig{Secret: tt.secret})
		if err == nil {
			t.Errorf("Webhook(%q, %q) = nil error", tt.url, tt.secret)
			continue
		}
		if tt.secret != "" && strings.Contains(err.Error(), tt.secret) || strings.Contains(err.Error(), tt.url) {
			t.Errorf("error repeats its input: %v", err)
		}
	}
	if _, err := alerting.Webhook("ops", "http://x", alerting.WebhookConfig{Secret: "0123456789abcdef0123456789abcdef"}); err != nil {
		t.Errorf("a 32-byte plain secret: %v", err)
	}
}

// TestWebhookSecretFollowsTheJWTRule: the webhook secret follows the JWT
// secret's rule (internal/secret): at least 32 bytes, not blank, not one
// byte repeated; the error is a *checks.ConfigError naming the setting
// and never the secret.
func TestWebhookSecretFollowsTheJWTRule(t *testing.T) {
	for _, tt := range []struct{ secret, want string }{
		{"0123456789abcdef01234567", "shorter than 32 bytes (got 24)"},
		{"whsec_" + base64.StdEncoding.EncodeToString([]byte("0123456789abcdef01234567")), "shorter than 32 bytes (got 24)"},
		{strings.Repeat("k", 40), "one byte repeated"},
		{strings.Repeat(" ", 40), "blank or white space only"},
		{"whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 32)), "one byte repeated"},
		{strings.Repeat("ab", 33), "want a key of 32 to 64 bytes, got 66"},
	} {
		_, err := alerting.Webhook("ops", "http://x/hook", alerting.WebhookConfig{Secret: tt.secret})
		ce, ok := errors.AsType[*checks.ConfigError](err)
		if !ok || ce.Setting != "WebhookConfig.Secret" || !strings.Contains(ce.Reason, tt.want) {
			t.Errorf("secret %q: err = %v, want a ConfigError of WebhookConfig.Secret saying %q", tt.secret, err, tt.want)
			continue
		}
		if strings.Contains(err.Error(), tt.secret) {
			t.Errorf("error repeats the secret: %v", err)
		}
	}
}

// TestWebhookUnsignedSendsID: without a secret a webhook still sends
// webhook-id (the event's ID, kept on a retry) and webhook-timestamp, and
// no signature.
func TestWebhookUnsignedSendsID(t *testing.T) {
	rc := newReceiver(t, 500)
	r := newRunner(t)
	addSwitchable(t, r, "database", checks.StatusUnhealthy)
	sink, err := alerting.Webhook("ops", rc.URL, alerting.WebhookConfig{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := alerting.New(r, alerting.WithSink(sink), alerting.WithRetry(3, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	d.Start()
	defer stop(t, d)
	refresh(t, r, "database")
	first, second := rc.next(t), rc.next(t) // the 500, then the retry
	var p map[string]any
	if err := json.Unmarshal(first.body, &p); err != nil {
		t.Fatal(err)
	}
	for _, got := range []received{first, second} {
		if id := got.header.Get("webhook-id"); id == "" || id != p["id"] {
			t.Fatalf("webhook-id %q, want the event's ID %v", id, p["id"])
		}
		if _, err := strconv.ParseInt(got.header.Get("webhook-timestamp"), 10, 64); err != nil {
			t.Fatalf("webhook-timestamp %q", got.header.Get("webhook-timestamp"))
		}
		if s := got.header.Get("webhook-signature"); s != "" {
			t.Fatalf("unsigned webhook sent a signature %q", s)
		}
	}
}

// TestWebhookTimeoutAboveDefault: a sink's Timeout above DefaultTimeout is
// not capped by the transport: a receiver answering after DefaultTimeout +
// 1 s is a delivery under a Timeout of DefaultTimeout + 5 s. It takes
// about 6 s, so it runs in parallel and is skipped under -short.
func TestWebhookTimeoutAboveDefault(t *testing.T) {
	if testing.Short() {
		t.Skip("takes DefaultTimeout + 1 s")
	}
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		select { // the answer's headers come after DefaultTimeout
		case <-time.After(alerting.DefaultTimeout + time.Second):
		case <-r.Context().Done():
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	r := newRunner(t)
	addSwitchable(t, r, "database", checks.StatusUnhealthy)
	sink, err := alerting.Webhook("slow", srv.URL, alerting.WebhookConfig{Timeout: alerting.DefaultTimeout + 5*time.Second})
	if err != nil {
		t.Fatal(err)
	}
	d, err := alerting.New(r, alerting.WithSink(sink), alerting.WithRetry(1, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	d.Start()
	refresh(t, r, "database")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := d.Stop(ctx); err != nil { // flushes: waits for the delivery
		t.Fatal(err)
	}
	if st := d.Stats()[0]; st.Sent != 2 || st.Failed != 0 { // the alert, and its resolution at Stop
		t.Fatalf("stats %+v", st)
	}
}
