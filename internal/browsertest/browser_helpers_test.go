package browsertest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// WriteScreenshotEnv names the environment variable that, when set, is a
// path TestStatusPageTrends also writes its desktop screenshot to.
const WriteScreenshotEnv = "HEALTHCHECK_WRITE_SCREENSHOT"

// ScreenshotDirEnv names the environment variable that, when set, is a
// directory every screenshot is also copied to (e.g. CI artifacts).
const ScreenshotDirEnv = "HEALTHCHECK_SCREENSHOT_DIR"

// request is one request the page made, as the browser reported it.
type request struct {
	URL           string
	Authorization string
}

// recorder keeps every request, uncaught exception and error-level log
// entry (CSP and Trusted Types violations among them) of a tab.
type recorder struct {
	mu       sync.Mutex
	requests []request
	errors   []string
}

// watch starts recording the tab of ctx.
func watch(t *testing.T, ctx context.Context) *recorder {
	t.Helper()
	rec := &recorder{}
	err := chromedp.Listen(ctx, func(ev any) {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			auth, _ := e.Request.Headers["Authorization"].(string)
			rec.requests = append(rec.requests, request{URL: e.Request.URL + e.Request.URLFragment, Authorization: auth})
		case *runtime.EventExceptionThrown:
			rec.errors = append(rec.errors, "exception: "+e.ExceptionDetails.Text+" "+exceptionText(e.ExceptionDetails))
		case *cdplog.EventEntryAdded:
			if e.Entry.Level == cdplog.EntryLevelError {
				rec.errors = append(rec.errors, fmt.Sprintf("log %s: %s %s", e.Entry.Source, e.Entry.Text, e.Entry.URL))
			}
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError {
				rec.errors = append(rec.errors, "console.error")
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func (r *recorder) snapshot() ([]request, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]request(nil), r.requests...), append([]string(nil), r.errors...)
}

// checkRequests fails the test when a request left origin, when the token
// appears in any URL, or when the token went anywhere but the
// Authorization header of the detailed route or of its sibling fleet route
// ({prefix}/fleet, which the page asks once a token is accepted). It
// returns the requests.
func (r *recorder) checkRequests(t *testing.T, origin, detailedPath, token string) []request {
	t.Helper()
	reqs, _ := r.snapshot()
	if len(reqs) == 0 {
		t.Fatal("no request recorded")
	}
	for _, q := range reqs {
		u, err := url.Parse(q.URL)
		if err != nil {
			t.Errorf("unparsable request URL %q", q.URL)
			continue
		}
		if u.Scheme+"://"+u.Host != origin && u.Scheme != "data" {
			t.Errorf("request left the origin %s: %s", origin, q.URL)
		}
		if token != "" && (strings.Contains(q.URL, token) || strings.Contains(q.URL, token[len(token)-16:])) {
			t.Errorf("the token appears in the URL %s", q.URL)
		}
		if q.Authorization != "" && (u.Path != detailedPath && u.Path != fleetPath(detailedPath) || !strings.HasPrefix(q.Authorization, "Bearer ")) {
			t.Errorf("Authorization %q sent to %s; want a Bearer header to %s or %s only", q.Authorization, q.URL, detailedPath, fleetPath(detailedPath))
		}
	}
	return reqs
}

// checkNoErrors fails the test on any exception or error logged by the
// page but Chromium's report of a 401 (a rejected token) and of a 404 from
// the fleet route (a service without a shared store).
func (r *recorder) checkNoErrors(t *testing.T) {
	t.Helper()
	_, errs := r.snapshot()
	for _, e := range errs {
		if strings.Contains(e, "401") { // the rejected token's request, logged by Chromium
			continue
		}
		if fleetAbsent(e) {
			continue
		}
		t.Errorf("page error: %s", e)
	}
}

// waitFor polls the JavaScript expression until it is truthy, failing the
// test after timeout with what describe evaluates to.
func waitFor(t *testing.T, ctx context.Context, expr string, timeout time.Duration) {
	t.Helper()
	pctx, cancel := context.WithTimeout(ctx, timeout+5*time.Second)
	defer cancel()
	_, err := chromedp.Run(pctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(timeout), chromedp.WithPollingInterval(50*time.Millisecond)))
	if err != nil {
		state, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify(document.documentElement.dataset) + " " + document.body.innerText.slice(0, 600)`))
		t.Fatalf("waiting for %s: %v\npage: %s", expr, err, state)
	}
}

// eval evaluates expr in the page.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// do runs the actions, failing the test on error.
func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// setup sets the viewport and the time zone (UTC, so screenshots do not
// depend on the machine's).
func setup(width, height int64) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.EmulateViewport(width, height),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "UTC"})
			return err
		}),
	)
}

// screenshot captures the full page as PNG, writes it under the test's
// temporary directory and returns its path.
func screenshot(t *testing.T, ctx context.Context, name string) (string, []byte) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if len(png) < 8 || string(png[1:4]) != "PNG" {
		t.Fatalf("screenshot %s is not a PNG", name)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", path, len(png))
	if dir := os.Getenv(ScreenshotDirEnv); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, t.Name()[:strings.IndexByte(t.Name()+"/", '/')]+"-"+name), png, 0o644); err != nil {
			t.Error(err)
		}
	}
	return path, png
}

// fleetAbsent reports whether the page error e is Chromium's report of
// the fleet route's 404: the page asks it once and, without a shared
// store, the route is absent.
func fleetAbsent(e string) bool {
	return strings.Contains(e, "status of 404") && strings.HasSuffix(e, "/fleet")
}

// fleetPath is the fleet route next to the detailed route detailedPath.
func fleetPath(detailedPath string) string {
	return strings.TrimSuffix(detailedPath, "detailed") + "fleet"
}

// exceptionText is the description of an exception's value, if any.
func exceptionText(d *runtime.ExceptionDetails) string {
	if d.Exception != nil {
		return d.Exception.Description
	}
	return ""
}
