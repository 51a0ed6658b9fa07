package browsertest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/httphealth"
	"github.com/echofx/healthcheck/internal/testutil/browser"
)

// WriteScreenshot1000Env names the environment variable that, when set,
// is a path TestStatusPage1000Checks writes its screenshot (the top of
// the page) to: that is how docs/status-page-1000.png is made.
const WriteScreenshot1000Env = "HEALTHCHECK_WRITE_SCREENSHOT_1000"

// maxRefreshBytes bounds one refresh of the page at 1,000 checks.
const maxRefreshBytes = 1 << 20

// byteCounter counts the body bytes of each detailed response.
type byteCounter struct {
	next  http.Handler
	mu    sync.Mutex
	sizes []int
}

type countingWriter struct {
	http.ResponseWriter
	n int
}

func (w *countingWriter) Write(b []byte) (int, error) {
	n, err := w.ResponseWriter.Write(b)
	w.n += n
	return n, err
}

func (c *byteCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/healthcheck/detailed" {
		c.next.ServeHTTP(w, r)
		return
	}
	cw := &countingWriter{ResponseWriter: w}
	c.next.ServeHTTP(cw, r)
	c.mu.Lock()
	c.sizes = append(c.sizes, cw.n)
	c.mu.Unlock()
}

func (c *byteCounter) snapshot() []int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]int(nil), c.sizes...)
}

// TestStatusPage1000Checks: with 1,000 checks, 3 of them failing and 100
// flapping (each with dozens of transitions, and degraded when the page
// reads them: the worst case), the page shows a summary at the top, the
// failing and degraded checks first and the healthy ones compact (in full
// on demand), and each refresh fetches at most 1 MB: none once nothing
// changed (a 304).
func TestStatusPage1000Checks(t *testing.T) {
	runner := checks.NewRunner()
	t.Cleanup(runner.Close)
	var cs []checks.Check
	flips := make([]atomic.Int64, 100)
	for i := range 1000 {
		c := checks.Check{Name: fmt.Sprintf("service-%04d", i), TTL: time.Hour, MaxStaleness: 2 * time.Hour, Func: checks.FromFunc(func(context.Context) error { return nil })}
		switch {
		case i%333 == 7: // 3 failing: service-0007, service-0340, service-0673
			c.Func = checks.FromFunc(func(context.Context) error { return errors.New("connection refused") })
		case i%10 == 5: // 100 flapping
			n := &flips[i/10]
			c.Criticality = checks.Optional
			c.Func = func(context.Context) checks.Report {
				if n.Add(1)%2 == 0 {
					return checks.Report{Status: checks.StatusDegraded, Message: "slow response (1.2s)"}
				}
				return checks.Report{}
			}
		}
		cs = append(cs, c)
	}
	must(t, runner.Register(cs...))
	ctx0 := context.Background()
	runner.Run(ctx0)
	for i := range 1000 {
		if i%10 != 5 || i%333 == 7 {
			continue
		}
		for range 59 { // 60 runs, 59 transitions, ending degraded
			_, err := runner.Refresh(ctx0, cs[i].Name)
			must(t, err)
		}
	}
	h, err := httphealth.New(runner, httphealth.WithDetailed(httphealth.AuthenticatorFunc(func(*http.Request) error { return nil })))
	must(t, err)
	mux := http.NewServeMux()
	must(t, h.Mount(mux))
	counter := &byteCounter{next: mux}
	srv := httptest.NewServer(counter)
	t.Cleanup(srv.Close)

	ctx := browser.StartBrowser(t)
	rec := watch(t, ctx)
	do(t, ctx, setup(1100, 900), chromedp.Navigate(srv.URL+"/healthcheck/status?refresh=1"))
	waitFor(t, ctx, `document.documentElement.dataset.state === 'public'`, pageTimeout)
	do(t, ctx, chromedp.SendKeys(chromedp.ID("token"), "any-token-the-test-authenticator-takes"), chromedp.Click(chromedp.ID("token-submit")))
	waitFor(t, ctx, `document.documentElement.dataset.state === 'detailed'`, pageTimeout)
	start := eval[int](t, ctx, `Number(document.documentElement.dataset.refreshes)`)
	waitFor(t, ctx, fmt.Sprintf(`Number(document.documentElement.dataset.refreshes) >= %d`, start+2), pageTimeout)

	// The summary comes first, above the token box and the cards.
	summary := eval[string](t, ctx, `document.getElementById('summary').textContent`)
	if summary != "3 of 1,000 checks failing, 100 degraded" {
		t.Errorf("summary %q, want %q", summary, "3 of 1,000 checks failing, 100 degraded")
	}
	if !eval[bool](t, ctx, `(() => { const s = document.getElementById('summary'), a = document.querySelector('article[data-check]');
		return s.getBoundingClientRect().bottom <= document.getElementById('auth').getBoundingClientRect().top && s.getBoundingClientRect().bottom <= a.getBoundingClientRect().top; })()`) {
		t.Error("the summary is not at the top")
	}

	// Failing, then degraded, then healthy (compact), each by name.
	order := eval[[]string](t, ctx, `[...document.querySelectorAll('article[data-check]')].map(e => e.dataset.status + ' ' + e.dataset.check + (e.classList.contains('compact') ? ' compact' : ''))`)
	if len(order) != 1000 {
		t.Fatalf("%d cards, want 1000", len(order))
	}
	want := []string{"unhealthy service-0007", "unhealthy service-0340", "unhealthy service-0673", "degraded service-0005", "degraded service-0015"}
	if got := order[:5]; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("first cards %q, want %q", got, want)
	}
	if got := order[102]; got != "degraded service-0995" {
		t.Errorf("card 103 %q, want the last degraded one", got)
	}
	for _, o := range order[103:] {
		if !strings.HasPrefix(o, "healthy ") || !strings.HasSuffix(o, " compact") {
			t.Fatalf("after the failing and degraded cards: %q, want compact healthy ones only", o)
		}
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('#checks svg.spark').length`); n != 103 {
		t.Errorf("%d sparklines, want one per failing or degraded check (103)", n)
	}
	height := eval[int](t, ctx, `document.documentElement.scrollHeight`)
	t.Logf("page height with 1,000 checks: %d px", height)

	sizes := counter.snapshot()
	if len(sizes) < 3 {
		t.Fatalf("%d detailed responses, want at least 3", len(sizes))
	}
	for i, n := range sizes {
		if n > maxRefreshBytes {
			t.Errorf("refresh %d fetched %d bytes of JSON, want at most %d", i+1, n, maxRefreshBytes)
		}
	}
	t.Logf("bytes per refresh: %v", sizes)
	// Unchanged, the page revalidates: a 304 without a body.
	unchanged := 0
	for _, n := range sizes[1:] {
		if n == 0 {
			unchanged++
		}
	}
	if unchanged == 0 {
		t.Errorf("no refresh after the first came without a body (304): %v", sizes)
	}

	if path := os.Getenv(WriteScreenshot1000Env); path != "" {
		shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		must(t, err)
		small := recompress(t, shot)
		must(t, os.WriteFile(path, small, 0o644))
		t.Logf("screenshot: %s (%d bytes)", path, len(small))
	}

	// On demand: a click on a healthy tile shows that check in full, its
	// series fetched for it alone; "Less" makes it a tile again.
	// Clicks go through the page's own click(): a card whose data changed
	// is rebuilt on a refresh, so a node found by one DevTools call may be
	// gone by the next.
	click := func(sel string) {
		t.Helper()
		if !eval[bool](t, ctx, `(() => { const e = document.querySelector('`+sel+`'); if (e) e.click(); return !!e; })()`) {
			t.Fatalf("nothing to click at %s", sel)
		}
	}
	click(`#healthy [data-check="service-0001"]`)
	waitFor(t, ctx, `document.querySelector('#checks [data-check="service-0001"] svg.spark') !== null`, pageTimeout)
	if got := eval[string](t, ctx, `[...document.querySelectorAll('#checks article[data-check]')].slice(-1)[0].dataset.check`); got != "service-0001" {
		t.Errorf("the expanded check is not after the degraded ones: last full card %q", got)
	}
	click(`#checks [data-check="service-0001"] button.less`)
	waitFor(t, ctx, `document.querySelector('#healthy [data-check="service-0001"]') !== null`, pageTimeout)
	var expandedAsked bool
	reqs, _ := rec.snapshot()
	for _, q := range reqs {
		if strings.Contains(q.URL, "check=service-0001") && !strings.Contains(q.URL, "compact=") {
			expandedAsked = true
		}
	}
	if !expandedAsked {
		t.Error("no request asked for service-0001 alone")
	}

	for _, q := range rec.checkRequests(t, srv.URL, "/healthcheck/detailed", "") {
		if strings.Contains(q.URL, "/healthcheck/detailed") && !strings.Contains(q.URL, "compact=") && !strings.Contains(q.URL, "check=") {
			t.Errorf("the page asked %s without compact= or check=", q.URL)
		}
	}
	_, errs := rec.snapshot()
	for _, e := range errs {
		if !strings.Contains(e, "status of 500") && !fleetAbsent(e) { // the public route answers 500: 3 required checks fail
			t.Errorf("page error: %s", e)
		}
	}
}
