package browsertest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/internal/testutil"
	"github.com/echofx/healthcheck/internal/testutil/browser"
)

// pageTimeout bounds every wait for the page: generous, on a busy machine.
const pageTimeout = 20 * time.Second

// TestStatusPage drives the status page of a real service in Chromium:
// the public view, a refused token, the token flow, a stopped database,
// and the requests the page made along the way.
func TestStatusPage(t *testing.T) {
	svc := startService(t)
	waitStatus(t, svc.Runner, "orders", checks.StatusHealthy, pageTimeout)
	ctx := browser.StartBrowser(t)
	rec := watch(t, ctx)
	page := svc.URL + svc.Prefix + "/status?refresh=1"
	do(t, ctx, setup(1280, 900), chromedp.Navigate(page))
	refreshes := func() int { return eval[int](t, ctx, `Number(document.documentElement.dataset.refreshes)`) }

	t.Run("public view", func(t *testing.T) {
		waitFor(t, ctx, `document.documentElement.dataset.state === 'public'`, pageTimeout)
		// "search" is optional and failing: the public route says degraded.
		if got := eval[string](t, ctx, `document.getElementById('overall').textContent`); got != "degraded" {
			t.Fatalf("overall %q, want degraded", got)
		}
		if cls := eval[string](t, ctx, `document.getElementById('overall').className`); !strings.Contains(cls, "st-degraded") {
			t.Errorf("overall badge class %q: the status is not coloured", cls)
		}
		text := eval[string](t, ctx, `document.body.innerText`)
		for _, secret := range []string{"database", "cache", "search", "orders", "index is rebuilding", testVersion} {
			if strings.Contains(text, secret) {
				t.Errorf("the public view shows %q:\n%s", secret, text)
			}
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('[data-check]').length`); n != 0 {
			t.Errorf("the public view has %d check rows", n)
		}
	})

	t.Run("bad token refused", func(t *testing.T) {
		bad := testutil.MintHS256([]byte("not-the-secret-but-32-bytes-long-anyway"), testutil.ValidClaims("", "", time.Hour))
		do(t, ctx, chromedp.SendKeys(chromedp.ID("token"), bad), chromedp.Click(chromedp.ID("token-submit")))
		waitFor(t, ctx, `document.documentElement.dataset.token === 'rejected'`, pageTimeout)
		msg := eval[string](t, ctx, `document.getElementById('token-msg').textContent`)
		if !strings.Contains(msg, "Token rejected") {
			t.Errorf("message %q, want it to say the token was rejected", msg)
		}
		if v := eval[string](t, ctx, `document.getElementById('token').value`); v != "" {
			t.Errorf("the token field still holds %q", v)
		}
		if kept := eval[int](t, ctx, `sessionStorage.length + localStorage.length`); kept != 0 {
			t.Errorf("%d items kept in storage after a rejected token", kept)
		}
		waitFor(t, ctx, `document.documentElement.dataset.state === 'public'`, pageTimeout)
		if n := eval[int](t, ctx, `document.querySelectorAll('[data-check]').length`); n != 0 {
			t.Errorf("%d check rows shown with a rejected token", n)
		}
		reqs := rec.checkRequests(t, svc.URL, svc.Prefix+"/detailed", bad)
		if !sentTo(reqs, svc.Prefix+"/detailed", "Bearer "+bad) {
			t.Error("the rejected token was never sent to the detailed route")
		}
	})

	t.Run("token shows the checks", func(t *testing.T) {
		do(t, ctx, chromedp.SendKeys(chromedp.ID("token"), svc.Token), chromedp.Click(chromedp.ID("token-submit")))
		waitFor(t, ctx, `document.documentElement.dataset.state === 'detailed'`, pageTimeout)
		rows := eval[[]string](t, ctx, `[...document.querySelectorAll('#checks article[data-check]')].map(e => e.dataset.check + '=' + e.dataset.status)`)
		if want := []string{"search=unhealthy", "cache=healthy", "database=healthy"}; fmt.Sprint(rows) != fmt.Sprint(want) {
			t.Errorf("check rows %v, want %v", rows, want)
		}
		down := eval[[]string](t, ctx, `[...document.querySelectorAll('#downstream article[data-check]')].map(e => e.dataset.check + '=' + e.dataset.status)`)
		if fmt.Sprint(down) != "[orders=healthy]" {
			t.Errorf("downstream rows %v, want [orders=healthy]", down)
		}
		waitFor(t, ctx, `document.querySelectorAll('#downstream [data-check="orders"] li[data-check]').length === 2`, pageTimeout)
		nested := eval[[]string](t, ctx, `[...document.querySelectorAll('#downstream li[data-check]')].map(e => e.dataset.check + '=' + e.dataset.status)`)
		if fmt.Sprint(nested) != "[fx-rates=healthy ledger=healthy]" {
			t.Errorf("the downstream's checks %v, want [fx-rates=healthy ledger=healthy]", nested)
		}
		if v := eval[string](t, ctx, `document.getElementById('version').textContent`); v != testVersion {
			t.Errorf("version %q, want %q", v, testVersion)
		}
		if got := eval[string](t, ctx, `document.getElementById('overall').textContent`); got != "degraded" {
			t.Errorf("overall %q, want degraded", got)
		}
		if msg := eval[string](t, ctx, `document.querySelector('[data-check="search"] .msg').textContent`); msg != "index is rebuilding" {
			t.Errorf("search's message %q", msg)
		}
		// A sparkline per check: from the trend series, or from the
		// recent runs while the detailed JSON carries no trends.
		waitFor(t, ctx, `document.querySelectorAll('#checks svg.spark polyline').length >= 3`, pageTimeout)
		if v := eval[string](t, ctx, `document.getElementById('refreshed').textContent`); v == "never" || v == "" {
			t.Errorf("last refreshed %q", v)
		}
		if v := eval[string](t, ctx, `document.getElementById('token').value`); v != "" {
			t.Error("the token is left in the field")
		}
		// The token is kept for the tab only.
		if eval[bool](t, ctx, `sessionStorage.getItem('healthcheck.status.token') === `+jsString(svc.Token)+` && localStorage.length === 0 && document.cookie === ''`) != true {
			t.Error("the token is not in sessionStorage alone")
		}
		screenshot(t, ctx, "status-desktop.png")
		do(t, ctx, chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2), chromedp.EmulateMobile))
		if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 360 {
			t.Errorf("at phone width the page is %d px wide: it scrolls sideways", w)
		}
		screenshot(t, ctx, "status-phone.png")
		do(t, ctx, chromedp.EmulateViewport(1280, 900))
	})

	t.Run("stopped database shows within one refresh", func(t *testing.T) {
		if err := svc.PG.Stop(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = svc.PG.Start() })
		waitStatus(t, svc.Runner, "database", checks.StatusUnhealthy, pageTimeout)
		// Refreshes completed when the runner knew: the one in flight may
		// have been answered before; the next one must show it.
		n := refreshes()
		waitFor(t, ctx, `document.querySelector('#checks [data-check="database"]')?.dataset.status === 'unhealthy'`, pageTimeout)
		if got := refreshes(); got > n+2 {
			t.Errorf("the stopped database showed after %d refreshes, want within one (%d then %d)", got-n, n, got)
		}
		if got := eval[string](t, ctx, `document.getElementById('overall').textContent`); got != "unhealthy" {
			t.Errorf("overall %q, want unhealthy", got)
		}
		if msg := eval[string](t, ctx, `document.querySelector('[data-check="database"] .msg')?.textContent || ''`); msg == "" {
			t.Error("the database's failure has no message")
		}
		screenshot(t, ctx, "status-database-down.png")
	})

	// Over the whole session: nothing left the origin and the token was
	// only ever a header to the detailed route.
	reqs := rec.checkRequests(t, svc.URL, svc.Prefix+"/detailed", svc.Token)
	if !sentTo(reqs, svc.Prefix+"/detailed", "Bearer "+svc.Token) {
		t.Error("the token was never sent to the detailed route")
	}
	rec.checkNoErrors(t)
}

// sentTo reports whether a request to path carried the Authorization auth.
func sentTo(reqs []request, path, auth string) bool {
	for _, q := range reqs {
		if strings.Contains(q.URL, path) && q.Authorization == auth {
			return true
		}
	}
	return false
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`).Replace(s) + "'"
}
