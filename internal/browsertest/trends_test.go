package browsertest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/httphealth"
	"github.com/echofx/healthcheck/internal/testutil/browser"
)

// maxREADMEScreenshot bounds the committed screenshot.
const maxREADMEScreenshot = 200 << 10

// TestStatusPageTrends renders the trends of the detailed JSON (served
// from a fixture of the agreed shape, the page and the public route by the
// real handlers): success rates, percentiles, sparklines with failures and
// gaps, the transitions newest first, the downstream services split out by
// their "downstream" flag with their nested statuses, and the print
// layout. With HEALTHCHECK_WRITE_SCREENSHOT=<path> it also writes the
// README's screenshot there.
func TestStatusPageTrends(t *testing.T) {
	const token = "fixture-token-for-the-status-page"
	runner := checks.NewRunner()
	t.Cleanup(runner.Close)
	must(t, runner.Register(checks.Check{Name: "search", Criticality: checks.Optional,
		Func: checks.FromFunc(func(context.Context) error { return errors.New("slow") })}))
	h, err := httphealth.New(runner, httphealth.WithDetailed(httphealth.AuthenticatorFunc(func(*http.Request) error {
		return errors.New("the fixture answers the detailed route")
	})))
	must(t, err)
	mux := http.NewServeMux()
	must(t, h.Mount(mux))
	detailed := fixtureHandler(token, httphealth.Unauthorized)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthcheck/detailed" {
			detailed.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)

	ctx := browser.StartBrowser(t)
	rec := watch(t, ctx)
	do(t, ctx, setup(1100, 800), chromedp.Navigate(srv.URL+"/healthcheck/status"))
	waitFor(t, ctx, `document.documentElement.dataset.state === 'public'`, pageTimeout)
	do(t, ctx, chromedp.SendKeys(chromedp.ID("token"), token), chromedp.Click(chromedp.ID("token-submit")))
	waitFor(t, ctx, `document.documentElement.dataset.state === 'detailed'`, pageTimeout)

	card := func(name, sel string) string {
		return eval[string](t, ctx, `[...document.querySelectorAll('[data-check="`+name+`"] `+sel+`')].map(e => e.textContent).join('|')`)
	}
	tests := []struct{ name, got, want string }{
		{"checks", eval[string](t, ctx, `[...document.querySelectorAll('#checks article')].map(e => e.dataset.check + '=' + e.dataset.status).join(' ')`),
			"search=degraded database=healthy redis=healthy"},
		{"downstream", eval[string](t, ctx, `[...document.querySelectorAll('#downstream article')].map(e => e.dataset.check + '=' + e.dataset.status).join(' ')`),
			"billing=unhealthy orders=degraded"},
		{"nested", eval[string](t, ctx, `[...document.querySelectorAll('#downstream [data-check="orders"] li[data-check]')].map(e => e.dataset.check + '=' + e.dataset.status).join(' ')`),
			"database=healthy payments=degraded queue=healthy"},
		{"database stats", card("database", ".stat dd"), "1.8 ms|99.58 %|99.84 %"},
		{"search stats", card("search", ".stat dd"), "1412 ms|100 %|100 %"},
		{"percentiles", eval[string](t, ctx, `document.querySelector('[data-check="database"] > .caption').textContent`), "p50 1.7 ms · p95 3.9 ms over 1h"},
		{"timeline newest first", card("database", ".timeline li span:first-of-type"),
			"unhealthy → healthy|healthy → unhealthy|unhealthy → healthy|healthy → unhealthy"},
		{"timeline entry", card("billing", ".timeline li time") + " " + eval[string](t, ctx, `document.querySelector('[data-check="billing"] .timeline time').dateTime`) + " " +
			card("billing", ".timeline li span"), "Mar 14 14:55:26 2026-03-14T14:55:26Z healthy → unhealthy|: connection refused"},
		{"version", eval[string](t, ctx, `document.getElementById('version').textContent`), "2.7.0"},
		{"overall", eval[string](t, ctx, `document.getElementById('overall').textContent`), "degraded"},
		{"database failures marked", fmt.Sprint(eval[int](t, ctx, `document.querySelectorAll('[data-check="database"] svg.spark rect.fail').length`)), "1"},
		{"billing failures marked", fmt.Sprint(eval[int](t, ctx, `document.querySelectorAll('[data-check="billing"] svg.spark rect.fail').length`)), "14"},
		{"search gap splits the line", fmt.Sprint(eval[int](t, ctx, `document.querySelectorAll('[data-check="search"] svg.spark polyline').length`)), "2"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}

	// Print: the token box goes, the statuses stay.
	do(t, ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		return err
	}))
	if d := eval[string](t, ctx, `getComputedStyle(document.getElementById('auth')).display`); d != "none" {
		t.Errorf("printed, the token box is displayed (%s)", d)
	}
	if n := eval[int](t, ctx, `[...document.querySelectorAll('article .card-head .badge')].filter(b => b.offsetParent !== null && b.textContent).length`); n != 5 {
		t.Errorf("printed, %d status words are visible, want 5", n)
	}
	screenshot(t, ctx, "status-print.png")
	do(t, ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{})
		return err
	}))

	_, shot := screenshot(t, ctx, "status-trends.png")
	small := recompress(t, shot)
	if len(small) >= maxREADMEScreenshot {
		t.Errorf("the screenshot is %d bytes, want under %d for the README", len(small), maxREADMEScreenshot)
	}
	if path := os.Getenv(WriteScreenshotEnv); path != "" {
		must(t, os.WriteFile(path, small, 0o644))
		t.Logf("README screenshot: %s (%d bytes)", path, len(small))
	}
	do(t, ctx, chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2), chromedp.EmulateMobile))
	if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 360 {
		t.Errorf("at phone width the page is %d px wide: it scrolls sideways", w)
	}
	screenshot(t, ctx, "status-trends-phone.png")

	rec.checkRequests(t, srv.URL, "/healthcheck/detailed", token)
	rec.checkNoErrors(t)
}

// recompress re-encodes a PNG at the best compression.
func recompress(t *testing.T, b []byte) []byte {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	must(t, err)
	var out bytes.Buffer
	must(t, (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&out, img))
	return out.Bytes()
}

// TestStatusPagePublicMessage: without a token the page shows the public
// route's failure message only when both the public route and the page
// are set to show it.
func TestStatusPagePublicMessage(t *testing.T) {
	const msg = `database "orders" does not exist`
	runner := checks.NewRunner()
	t.Cleanup(runner.Close)
	must(t, runner.Register(checks.Check{Name: "database",
		Func: checks.FromFunc(func(context.Context) error { return checks.NewSafeError(msg, nil) })}))
	allow := httphealth.WithDetailed(httphealth.AuthenticatorFunc(func(*http.Request) error { return nil }))
	ctx := browser.StartBrowser(t)
	for _, tt := range []struct {
		name string
		opts []httphealth.Option
		want bool
	}{
		{"default", []httphealth.Option{allow}, false},
		{"page and public route show it", []httphealth.Option{allow, httphealth.WithStatusPagePublicErrors(true)}, true},
		{"public route hides it", []httphealth.Option{allow, httphealth.WithStatusPagePublicErrors(true), httphealth.WithPublicErrors(false)}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := mount(t, runner, tt.opts...)
			do(t, ctx, chromedp.Navigate(srv.URL+"/healthcheck/status"))
			waitFor(t, ctx, `document.documentElement.dataset.state === 'public'`, pageTimeout)
			if got := eval[string](t, ctx, `document.getElementById('overall').textContent`); got != "unhealthy" {
				t.Errorf("overall %q, want unhealthy", got)
			}
			text := eval[string](t, ctx, `document.body.innerText`)
			if shown := strings.Contains(text, msg); shown != tt.want {
				t.Errorf("message shown: %v, want %v\n%s", shown, tt.want, text)
			}
			if strings.Contains(text, "database\n") || eval[int](t, ctx, `document.querySelectorAll('[data-check]').length`) != 0 {
				t.Error("the public view lists checks")
			}
		})
	}
}
