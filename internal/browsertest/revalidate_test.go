package browsertest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/httphealth"
	"github.com/echofx/healthcheck/internal/testutil"
	"github.com/echofx/healthcheck/internal/testutil/browser"
)

// detailedCounter counts the requests to the detailed route and their
// answers' status codes, and wakes those waiting on them.
type detailedCounter struct {
	next    http.Handler
	path    string
	mu      sync.Mutex
	codes   []int
	changed chan struct{} // closed and replaced on each request
}

type codeWriter struct {
	http.ResponseWriter
	code int
}

func (w *codeWriter) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}

func (c *detailedCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != c.path {
		c.next.ServeHTTP(w, r)
		return
	}
	cw := &codeWriter{ResponseWriter: w, code: http.StatusOK}
	c.next.ServeHTTP(cw, r)
	c.mu.Lock()
	c.codes = append(c.codes, cw.code)
	close(c.changed)
	c.changed = make(chan struct{})
	c.mu.Unlock()
}

// count returns how many detailed requests were answered, and how many of
// them with code.
func (c *detailedCounter) count(code int) (all, with int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range c.codes {
		if k == code {
			with++
		}
	}
	return len(c.codes), with
}

// wait waits until cond holds of the counts, failing the test after timeout.
func (c *detailedCounter) wait(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		ch := c.changed
		c.mu.Unlock()
		if cond() {
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			all, n304 := c.count(http.StatusNotModified)
			t.Fatalf("waiting for %s: %d detailed requests, %d of them 304, after %v", what, all, n304, timeout)
		}
	}
}

// TestStatusPageRevalidates: the page revalidates the detailed answer, so
// an unchanged one is a 304 that leaves the cards as they are (a marker
// set on a card survives), a changed check rebuilds its card only, and a
// hidden tab makes no request until it is shown again.
func TestStatusPageRevalidates(t *testing.T) {
	clk := testutil.NewFakeClock(time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)) // the answers do not move with the minute
	runner := checks.NewRunner(checks.WithClock(clk))
	t.Cleanup(runner.Close)
	var betaRuns atomic.Int64
	must(t, runner.Register(
		checks.Check{Name: "alpha", TTL: time.Hour, Func: checks.FromFunc(func(context.Context) error { return nil })},
		checks.Check{Name: "beta", TTL: time.Hour, Func: func(context.Context) checks.Report {
			return checks.Report{Details: map[string]any{"run": betaRuns.Add(1)}}
		}},
	))
	runner.Run(context.Background())
	secret := []byte("revalidate-test-secret-of-32-bytes-at-least")
	auth, err := httphealth.NewJWT(httphealth.JWTConfig{Secret: secret})
	must(t, err)
	h, err := httphealth.New(runner, httphealth.WithDetailed(auth))
	must(t, err)
	mux := http.NewServeMux()
	must(t, h.Mount(mux))
	counter := &detailedCounter{next: mux, path: "/healthcheck/detailed", changed: make(chan struct{})}
	srv := httptest.NewServer(counter)
	t.Cleanup(srv.Close)

	ctx := browser.StartBrowser(t)
	rec := watch(t, ctx)
	do(t, ctx, setup(1100, 800), chromedp.Navigate(srv.URL+"/healthcheck/status?refresh=1"))
	waitFor(t, ctx, `document.documentElement.dataset.state === 'public'`, pageTimeout)
	token := testutil.MintHS256(secret, testutil.ValidClaims("", "", time.Hour))
	do(t, ctx, chromedp.SendKeys(chromedp.ID("token"), token), chromedp.Click(chromedp.ID("token-submit")))
	waitFor(t, ctx, `document.documentElement.dataset.state === 'detailed' && document.querySelectorAll('#checks article[data-check]').length === 2`, pageTimeout)
	mark := `document.querySelectorAll('#checks article[data-check]').forEach(a => { a.dataset.marker = 'kept'; }), true`
	marked := func(name string) bool {
		return eval[bool](t, ctx, `document.querySelector('#checks article[data-check="`+name+`"]')?.dataset.marker === 'kept'`)
	}

	t.Run("unchanged: 304, the cards kept", func(t *testing.T) {
		eval[bool](t, ctx, mark)
		draws := eval[int](t, ctx, `Number(document.documentElement.dataset.draws)`)
		_, n := counter.count(http.StatusNotModified)
		counter.wait(t, "three 304s", pageTimeout, func() bool { _, k := counter.count(http.StatusNotModified); return k >= n+3 })
		if !marked("alpha") || !marked("beta") {
			t.Error("a card was rebuilt although the detailed route answered 304")
		}
		if got := eval[int](t, ctx, `Number(document.documentElement.dataset.draws)`); got != draws {
			t.Errorf("the page was drawn %d times more on 304s", got-draws)
		}
	})

	t.Run("a changed check rebuilds its card only", func(t *testing.T) {
		eval[bool](t, ctx, mark)
		if _, err := runner.Refresh(context.Background(), "beta"); err != nil {
			t.Fatal(err)
		}
		_, ok := counter.count(http.StatusOK)
		counter.wait(t, "a 200 after the new result", pageTimeout, func() bool { _, k := counter.count(http.StatusOK); return k > ok })
		waitFor(t, ctx, `document.querySelector('#checks article[data-check="beta"]')?.dataset.marker === undefined`, pageTimeout)
		if !marked("alpha") {
			t.Error("alpha's card was rebuilt although only beta changed")
		}
	})

	t.Run("hidden tab makes no request", func(t *testing.T) {
		// Hidden as the page sees it: visibilityState and hidden say so
		// and visibilitychange fires (the page's own code must stop).
		eval[bool](t, ctx, `Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' }),
			Object.defineProperty(document, 'hidden', { configurable: true, get: () => true }),
			document.dispatchEvent(new Event('visibilitychange')), true`)
		// A request in flight when the tab hid may still land: count from
		// a refresh period later.
		t0 := eval[float64](t, ctx, `performance.now()`)
		waitFor(t, ctx, fmt.Sprintf(`performance.now() > %f`, t0+1500), pageTimeout)
		before, _ := counter.count(0)
		waitFor(t, ctx, fmt.Sprintf(`performance.now() > %f`, t0+5500), pageTimeout) // four refresh periods
		if after, _ := counter.count(0); after != before {
			t.Errorf("%d detailed requests in four refresh periods of a hidden tab, want none", after-before)
		}
		refreshes := eval[int](t, ctx, `Number(document.documentElement.dataset.refreshes)`)
		eval[bool](t, ctx, `delete document.visibilityState, delete document.hidden,
			document.dispatchEvent(new Event('visibilitychange')), true`)
		counter.wait(t, "a request once the tab is shown", pageTimeout, func() bool { n, _ := counter.count(0); return n > before })
		waitFor(t, ctx, fmt.Sprintf(`Number(document.documentElement.dataset.refreshes) >= %d`, refreshes+2), pageTimeout) // and it goes on
	})

	rec.checkRequests(t, srv.URL, "/healthcheck/detailed", token)
	rec.checkNoErrors(t)
}
