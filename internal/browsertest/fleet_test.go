package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/httphealth"
	"github.com/echofx/healthcheck/internal/testutil"
	"github.com/echofx/healthcheck/internal/testutil/browser"
)

// The fleet JSON (GET {prefix}/fleet), as the page expects it.
type (
	fleetDoc struct {
		Service     string                `json:"service"`
		GeneratedAt string                `json:"generated_at"`
		Instances   []fleetInstance       `json:"instances"`
		Checks      map[string]fleetCheck `json:"checks"`
	}
	fleetInstance struct {
		Instance  string `json:"instance"`
		Version   string `json:"version"`
		Status    string `json:"status"`
		LastSeen  string `json:"last_seen"`
		StartedAt string `json:"started_at"`
	}
	fleetCheck struct {
		Availability map[string]float64 `json:"availability"`
		Days         []fleetDay         `json:"days"`
		Transitions  []fleetTransition  `json:"transitions"`
	}
	fleetDay struct {
		Day          string   `json:"day"`
		Availability *float64 `json:"availability"`
	}
	fleetTransition struct {
		Time     string `json:"time"`
		Instance string `json:"instance"`
		From     string `json:"from"`
		To       string `json:"to"`
		Message  string `json:"message"`
	}
)

// fleetNow is the fleet fixture's clock.
var fleetNow = time.Date(2026, 11, 9, 12, 0, 0, 0, time.UTC)

// fleetScript is a message that would run if the page set it as HTML.
const fleetScript = `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">`

// fleetDays is 30 days ending at fleetNow, oldest first: avail(i) is day
// i's availability, nil for no data.
func fleetDays(avail func(i int) *float64) []fleetDay {
	out := make([]fleetDay, 30)
	for i := range out {
		out[i] = fleetDay{Day: fleetNow.AddDate(0, 0, i-29).Format(time.DateOnly), Availability: avail(i)}
	}
	return out
}

func ptr(f float64) *float64 { return &f }

// fleetFixture is three instances, one gone, and two checks: "database",
// with no data for its first five days, one day under 99.9 % and one
// under 99 %, and "search", up all month.
func fleetFixture() fleetDoc {
	ago := func(d time.Duration) string { return rfc(fleetNow.Add(-d)) }
	return fleetDoc{
		Service: "orders", GeneratedAt: rfc(fleetNow),
		Instances: []fleetInstance{
			{Instance: "orders-7f9c-a", Version: "2.7.1", Status: "healthy", LastSeen: ago(4 * time.Second), StartedAt: ago(3 * time.Hour)},
			{Instance: "orders-5d2e-b", Version: "2.7.0", Status: "gone", LastSeen: ago(3 * time.Hour), StartedAt: ago(50 * time.Hour)},
			{Instance: "orders-7f9c-c", Version: "2.7.1", Status: "degraded", LastSeen: ago(2 * time.Second), StartedAt: ago(3 * time.Hour)},
		},
		Checks: map[string]fleetCheck{
			"database": {
				Availability: map[string]float64{"24h": 0.9993, "7d": 0.9871, "30d": 0.9962},
				Days: fleetDays(func(i int) *float64 {
					switch {
					case i < 5:
						return nil
					case i == 20:
						return ptr(0.995)
					case i == 26:
						return ptr(0.9)
					}
					return ptr(1)
				}),
				Transitions: []fleetTransition{
					{Time: ago(19 * time.Minute), Instance: "orders-7f9c-c", From: "unhealthy", To: "healthy"},
					{Time: ago(20 * time.Minute), Instance: "orders-7f9c-c", From: "healthy", To: "unhealthy", Message: fleetScript},
					{Time: ago(3 * 24 * time.Hour), Instance: "orders-5d2e-b", From: "unhealthy", To: "healthy"},
					{Time: ago(3*24*time.Hour + 2*time.Hour), Instance: "orders-5d2e-b", From: "healthy", To: "unhealthy", Message: "connection refused"},
					{Time: ago(9 * 24 * time.Hour), Instance: "orders-5d2e-b", From: "degraded", To: "healthy"},
					{Time: ago(9*24*time.Hour + time.Hour), Instance: "orders-5d2e-b", From: "healthy", To: "degraded", Message: "slow"},
				},
			},
			"search": {
				Availability: map[string]float64{"24h": 1, "7d": 1, "30d": 1},
				Days:         fleetDays(func(int) *float64 { return ptr(1) }),
				Transitions:  []fleetTransition{},
			},
		},
	}
}

// fleetHandler serves the fixture with an ETag, answering 304 to a
// request that has it, and keeps the Authorization headers it was sent.
type fleetHandler struct {
	body  []byte
	mu    sync.Mutex
	auths []string
}

const fleetETag = `"fleet-1"`

func newFleetHandler(t *testing.T) *fleetHandler {
	b, err := json.Marshal(fleetFixture())
	must(t, err)
	return &fleetHandler{body: b}
}

func (f *fleetHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.auths = append(f.auths, r.Header.Get("Authorization"))
	f.mu.Unlock()
	w.Header().Set("ETag", fleetETag)
	w.Header().Set("Cache-Control", "no-store")
	if r.Header.Get("If-None-Match") == fleetETag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(f.body)
}

func (f *fleetHandler) authorizations() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.auths...)
}

// fleetService serves a runner's status page and detailed route, with
// fleet (when not nil) as {prefix}/fleet, and counts the fleet requests.
// It returns the server, the counter and a valid token.
func fleetService(t *testing.T, fleet http.Handler, opts ...httphealth.Option) (*httptest.Server, *detailedCounter, string) {
	t.Helper()
	clk := testutil.NewFakeClock(fleetNow)
	runner := checks.NewRunner(checks.WithClock(clk))
	t.Cleanup(runner.Close)
	must(t, runner.Register(checks.Check{Name: "alpha", TTL: time.Hour, Func: checks.FromFunc(func(context.Context) error { return nil })}))
	runner.Run(context.Background())
	secret := []byte("fleet-test-secret-of-32-bytes-at-least-long")
	auth, err := httphealth.NewJWT(httphealth.JWTConfig{Secret: secret})
	must(t, err)
	h, err := httphealth.New(runner, append([]httphealth.Option{httphealth.WithDetailed(auth)}, opts...)...)
	must(t, err)
	mux := http.NewServeMux()
	must(t, h.Mount(mux))
	if fleet != nil {
		mux.Handle("GET /healthcheck/fleet", fleet)
	}
	counter := &detailedCounter{next: mux, path: "/healthcheck/fleet", changed: make(chan struct{})}
	srv := httptest.NewServer(counter)
	t.Cleanup(srv.Close)
	return srv, counter, testutil.MintHS256(secret, testutil.ValidClaims("", "", time.Hour))
}

// openWithToken opens the status page of srv, refreshing every second,
// and submits token once the public view is shown.
func openWithToken(t *testing.T, srv *httptest.Server, token string) (context.Context, *recorder) {
	t.Helper()
	ctx := browser.StartBrowser(t)
	rec := watch(t, ctx)
	do(t, ctx, setup(1100, 900), chromedp.Navigate(srv.URL+"/healthcheck/status?refresh=1"))
	waitFor(t, ctx, `document.documentElement.dataset.state === 'public'`, pageTimeout)
	do(t, ctx, chromedp.SendKeys(chromedp.ID("token"), token), chromedp.Click(chromedp.ID("token-submit")))
	waitFor(t, ctx, `document.documentElement.dataset.state === 'detailed'`, pageTimeout)
	return ctx, rec
}

// TestStatusPageFleet: with a fleet route, the page shows the instances
// (the gone one greyed), per check a bar of 30 days coloured by
// availability with each day's title, the availability figures and the
// last transitions, server text as text; it sends the token, revalidates
// with the ETag, and asks nothing while the tab is hidden.
func TestStatusPageFleet(t *testing.T) {
	fleet := newFleetHandler(t)
	srv, counter, token := fleetService(t, fleet)
	ctx, rec := openWithToken(t, srv, token)
	waitFor(t, ctx, `document.documentElement.dataset.fleet === 'shown'`, pageTimeout)

	t.Run("instances", func(t *testing.T) {
		rows := eval[[]string](t, ctx, `[...document.querySelectorAll('#fleet tr[data-instance]')].map(r => r.dataset.instance + '=' + r.dataset.status)`)
		if want := []string{"orders-7f9c-c=degraded", "orders-7f9c-a=healthy", "orders-5d2e-b=gone"}; fmt.Sprint(rows) != fmt.Sprint(want) {
			t.Errorf("instances %v, want %v", rows, want)
		}
		if !eval[bool](t, ctx, `document.querySelector('#fleet tr[data-instance="orders-5d2e-b"]').classList.contains('gone')`) {
			t.Error("the gone instance is not marked gone")
		}
		// Coloured like the cards; gone greyed.
		for inst, like := range map[string]string{"orders-7f9c-a": "badge st-healthy", "orders-7f9c-c": "badge st-degraded", "orders-5d2e-b": "badge st-unknown"} {
			got := eval[string](t, ctx, `getComputedStyle(document.querySelector('#fleet tr[data-instance="`+inst+`"] .badge')).color`)
			if want := styleOf(t, ctx, like, "color"); got != want {
				t.Errorf("%s's badge has colour %s, want %s (%s)", inst, got, want, like)
			}
		}
		if got := eval[string](t, ctx, `document.querySelector('#fleet tr[data-instance="orders-7f9c-a"] td:nth-of-type(3)').textContent`); got != "4 s ago" {
			t.Errorf("last seen %q, want 4 s ago", got)
		}
		if got := eval[string](t, ctx, `document.querySelector('#fleet caption').textContent`); got != "Instances: 3, 1 gone" {
			t.Errorf("caption %q", got)
		}
	})

	t.Run("30-day bars", func(t *testing.T) {
		names := eval[[]string](t, ctx, `[...document.querySelectorAll('#fleet article[data-check]')].map(a => a.dataset.check)`)
		if fmt.Sprint(names) != "[database search]" {
			t.Fatalf("fleet checks %v, want [database search]", names)
		}
		for name, doc := range fleetFixture().Checks {
			sel := `#fleet article[data-check="` + name + `"] .days .day`
			levels := eval[[]string](t, ctx, `[...document.querySelectorAll('`+sel+`')].map(s => s.dataset.level)`)
			titles := eval[[]string](t, ctx, `[...document.querySelectorAll('`+sel+`')].map(s => s.title)`)
			if len(levels) != 30 || len(titles) != 30 {
				t.Fatalf("%s: %d segments, want 30", name, len(levels))
			}
			for i, d := range doc.Days {
				level, title := "none", d.Day+": no data"
				if a := d.Availability; a != nil {
					switch {
					case *a >= 0.999:
						level = "ok"
					case *a >= 0.99:
						level = "warn"
					default:
						level = "bad"
					}
					title = map[float64]string{1: d.Day + ": 100 %", 0.995: d.Day + ": 99.50 %", 0.9: d.Day + ": 90.0 %"}[*a]
				}
				if levels[i] != level || titles[i] != title {
					t.Errorf("%s day %d: %s %q, want %s %q", name, i, levels[i], titles[i], level, title)
				}
			}
		}
		// The colours are those of the statuses; no data is grey.
		for lv, like := range map[string]string{"ok": "badge st-healthy", "warn": "badge st-degraded", "bad": "badge st-unhealthy"} {
			got := eval[string](t, ctx, `getComputedStyle(document.querySelector('#fleet .day.d-`+lv+`')).backgroundColor`)
			if want := styleOf(t, ctx, like, "color"); got != want {
				t.Errorf("a %s day is %s, want %s (%s)", lv, got, want, like)
			}
		}
		got := eval[string](t, ctx, `getComputedStyle(document.querySelector('#fleet .day.d-none')).backgroundColor`)
		if want := styleOf(t, ctx, "badge st-unknown", "backgroundColor"); got != want {
			t.Errorf("a day without data is %s, want grey %s", got, want)
		}
		label := eval[string](t, ctx, `document.querySelector('#fleet article[data-check="database"] .days').getAttribute('aria-label')`)
		if want := "Availability per day over the last 30 days: 23 at 99.90 % or more, 1 below 99.90 %, 1 below 99.00 %, 5 without data; worst 90.0 % on 2026-11-06"; label != want {
			t.Errorf("the bar's text alternative is %q, want %q", label, want)
		}
		figures := eval[[]string](t, ctx, `[...document.querySelectorAll('#fleet article[data-check="database"] .stat')].map(s => s.dataset.window + '=' + s.querySelector('dd').textContent)`)
		if fmt.Sprint(figures) != "[24h=99.93 % 7d=98.7 % 30d=99.62 %]" {
			t.Errorf("availability figures %v", figures)
		}
	})

	t.Run("transitions, server text as text", func(t *testing.T) {
		items := eval[[]string](t, ctx, `[...document.querySelectorAll('#fleet article[data-check="database"] .timeline li')].map(li => li.textContent)`)
		if len(items) != 5 {
			t.Fatalf("%d transitions shown, want the last 5: %q", len(items), items)
		}
		if !strings.Contains(items[1], "orders-7f9c-c") || !strings.Contains(items[1], "healthy \u2192 unhealthy: "+fleetScript) {
			t.Errorf("the second transition reads %q", items[1])
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('#fleet script, #fleet img').length`); n != 0 {
			t.Errorf("the server's text made %d elements", n)
		}
		if eval[bool](t, ctx, `window.__pwned !== undefined`) {
			t.Error("the server's text ran")
		}
		if got := eval[string](t, ctx, `document.querySelector('#fleet article[data-check="search"] .tl').textContent`); got != "Transitions: none" {
			t.Errorf("search's transitions read %q", got)
		}
	})

	t.Run("token sent, revalidated", func(t *testing.T) {
		for _, a := range fleet.authorizations() {
			if a != "Bearer "+token {
				t.Errorf("the fleet route was sent Authorization %q", a)
			}
		}
		draws := eval[int](t, ctx, `Number(document.documentElement.dataset.fleetDraws)`)
		_, n := counter.count(http.StatusNotModified)
		counter.wait(t, "two 304s", pageTimeout, func() bool { _, k := counter.count(http.StatusNotModified); return k >= n+2 })
		if got := eval[int](t, ctx, `Number(document.documentElement.dataset.fleetDraws)`); got != draws {
			t.Errorf("the fleet view was drawn %d times more on 304s", got-draws)
		}
		screenshot(t, ctx, "status-fleet.png")
		do(t, ctx, chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2), chromedp.EmulateMobile))
		if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 360 {
			t.Errorf("at phone width the page with the fleet view is %d px wide: it scrolls sideways", w)
		}
		screenshot(t, ctx, "status-fleet-phone.png")
		do(t, ctx, chromedp.EmulateViewport(1100, 900))
	})

	t.Run("hidden tab makes no request", func(t *testing.T) {
		eval[bool](t, ctx, `Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' }),
			Object.defineProperty(document, 'hidden', { configurable: true, get: () => true }),
			document.dispatchEvent(new Event('visibilitychange')), true`)
		t0 := eval[float64](t, ctx, `performance.now()`)
		waitFor(t, ctx, fmt.Sprintf(`performance.now() > %f`, t0+1500), pageTimeout) // what was in flight has landed
		before, _ := counter.count(0)
		waitFor(t, ctx, fmt.Sprintf(`performance.now() > %f`, t0+5500), pageTimeout) // four refresh periods
		if after, _ := counter.count(0); after != before {
			t.Errorf("%d fleet requests in four refresh periods of a hidden tab, want none", after-before)
		}
		eval[bool](t, ctx, `delete document.visibilityState, delete document.hidden,
			document.dispatchEvent(new Event('visibilitychange')), true`)
		counter.wait(t, "a fleet request once the tab is shown", pageTimeout, func() bool { n, _ := counter.count(0); return n > before })
	})

	t.Run("forgotten token hides the view", func(t *testing.T) {
		do(t, ctx, chromedp.Click(chromedp.ID("token-forget")))
		waitFor(t, ctx, `document.documentElement.dataset.state === 'public' && document.getElementById('fleet-section').hidden && document.querySelectorAll('#fleet *').length === 0`, pageTimeout)
	})

	rec.checkRequests(t, srv.URL, "/healthcheck/detailed", token)
	rec.checkNoErrors(t)
}

// TestStatusPageFleetAbsent: without a fleet route (no store) the page
// asks once, shows no fleet view and does not ask again; without a token
// it does not ask at all.
func TestStatusPageFleetAbsent(t *testing.T) {
	srv, counter, token := fleetService(t, nil)
	ctx := browser.StartBrowser(t)
	rec := watch(t, ctx)
	do(t, ctx, setup(1100, 800), chromedp.Navigate(srv.URL+"/healthcheck/status?refresh=1"))
	waitFor(t, ctx, `Number(document.documentElement.dataset.refreshes) >= 3`, pageTimeout)
	if n, _ := counter.count(0); n != 0 {
		t.Errorf("%d fleet requests without a token, want none", n)
	}
	do(t, ctx, chromedp.SendKeys(chromedp.ID("token"), token), chromedp.Click(chromedp.ID("token-submit")))
	waitFor(t, ctx, `document.documentElement.dataset.fleet === 'absent'`, pageTimeout)
	n := eval[int](t, ctx, `Number(document.documentElement.dataset.refreshes)`)
	waitFor(t, ctx, fmt.Sprintf(`Number(document.documentElement.dataset.refreshes) >= %d`, n+3), pageTimeout)
	if all, n404 := counter.count(http.StatusNotFound); all != 1 || n404 != 1 {
		t.Errorf("%d fleet requests (%d answered 404), want one 404", all, n404)
	}
	if !eval[bool](t, ctx, `document.getElementById('fleet-section').hidden && document.querySelectorAll('#fleet *').length === 0 && document.documentElement.dataset.state === 'detailed'`) {
		t.Error("a fleet view is shown without a fleet route")
	}
	rec.checkRequests(t, srv.URL, "/healthcheck/detailed", token)
	rec.checkNoErrors(t)
}

// styleOf is the computed style property prop of an element of class cls
// added to the page for the while.
func styleOf(t *testing.T, ctx context.Context, cls, prop string) string {
	t.Helper()
	return eval[string](t, ctx, `(() => { const e = document.createElement('span'); e.className = `+jsString(cls)+
		`; document.body.append(e); const v = getComputedStyle(e)[`+jsString(prop)+`]; e.remove(); return v; })()`)
}

// fixedFleet is a FleetSource that answers the same JSON every time.
type fixedFleet []byte

func (f fixedFleet) Fleet(context.Context) ([]byte, error) { return f, nil }

// TestStatusPageFleetRoute: the page draws the fleet view from httphealth's
// own route (WithFleet, behind the detailed route's authentication).
func TestStatusPageFleetRoute(t *testing.T) {
	b, err := json.Marshal(fleetFixture())
	must(t, err)
	srv, counter, token := fleetService(t, nil, httphealth.WithFleet(fixedFleet(b)))
	ctx, rec := openWithToken(t, srv, token)
	waitFor(t, ctx, `document.documentElement.dataset.fleet === 'shown'`, pageTimeout)
	if n := eval[int](t, ctx, `document.querySelectorAll('#fleet tr[data-instance]').length`); n != 3 {
		t.Errorf("%d instances shown, want 3", n)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('#fleet tr.gone[data-status="gone"]').length`); n != 1 {
		t.Errorf("%d gone instances shown, want 1", n)
	}
	if got := eval[[]int](t, ctx, `[...document.querySelectorAll('#fleet article[data-check]')].map(a => a.querySelectorAll('.days .day').length)`); fmt.Sprint(got) != "[30 30]" {
		t.Errorf("day segments per check %v, want [30 30]", got)
	}
	counter.wait(t, "fleet refreshes answered 200", pageTimeout, func() bool { _, ok := counter.count(http.StatusOK); return ok >= 2 })
	rec.checkRequests(t, srv.URL, "/healthcheck/detailed", token)
	rec.checkNoErrors(t)
}
