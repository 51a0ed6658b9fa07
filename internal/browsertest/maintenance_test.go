package browsertest

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/httphealth"
	"github.com/echofx/healthcheck/internal/testutil"
	"github.com/echofx/healthcheck/internal/testutil/browser"
	"github.com/echofx/healthcheck/lifecycle"
)

// TestStatusPageMaintenance: while the replica is in a maintenance window
// the page shows a banner with the reason, who and the end (from the
// detailed answer's "maintenance"), and drops it once the window ended.
func TestStatusPageMaintenance(t *testing.T) {
	runner := checks.NewRunner()
	t.Cleanup(runner.Close)
	must(t, runner.Register(checks.Check{Name: "alpha", Interval: time.Hour, Func: checks.FromFunc(func(context.Context) error { return nil })}))
	lc, err := lifecycle.New(runner, lifecycle.WithDrainDelay(0), lifecycle.WithLogger(slog.New(slog.DiscardHandler)))
	must(t, err)
	must(t, lc.Start(context.Background()))
	t.Cleanup(func() { _ = lc.Stop(context.Background()) })
	secret := []byte("maintenance-test-secret-of-32-bytes-at-least")
	auth, err := httphealth.NewJWT(httphealth.JWTConfig{Secret: secret})
	must(t, err)
	srv := mount(t, runner, httphealth.WithDetailed(auth), httphealth.WithReadiness(lc))

	ctx := browser.StartBrowser(t)
	rec := watch(t, ctx)
	do(t, ctx, setup(1100, 800), chromedp.Navigate(srv.URL+"/healthcheck/status?refresh=1"))
	waitFor(t, ctx, `document.documentElement.dataset.state === 'public'`, pageTimeout)
	token := testutil.MintHS256(secret, testutil.ValidClaims("", "", time.Hour))
	do(t, ctx, chromedp.SendKeys(chromedp.ID("token"), token), chromedp.Click(chromedp.ID("token-submit")))
	waitFor(t, ctx, `document.documentElement.dataset.state === 'detailed' && document.documentElement.dataset.maintenance === 'off'`, pageTimeout)
	if !eval[bool](t, ctx, `document.getElementById('maintenance').hidden`) {
		t.Fatal("banner shown without maintenance")
	}

	if _, err := lc.EnterMaintenance("replacing a disk", "alice", 2*time.Hour); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, `document.documentElement.dataset.maintenance === 'on'`, pageTimeout)
	text := eval[string](t, ctx, `(() => { const b = document.getElementById('maintenance'); return b.hidden ? '' : b.textContent; })()`)
	if !strings.HasPrefix(text, "In maintenance until ") || !strings.Contains(text, ": replacing a disk (by alice)") {
		t.Fatalf("banner %q", text)
	}
	screenshot(t, ctx, "maintenance")

	lc.EndMaintenance("alice")
	waitFor(t, ctx, `document.documentElement.dataset.maintenance === 'off' && document.getElementById('maintenance').hidden`, pageTimeout)
	rec.checkNoErrors(t)
}
