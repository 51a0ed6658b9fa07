package httphealth_test

import (
	"context"
	"github.com/echofx/healthcheck/internal/testutil/checktest"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/checks/pgcheck"
	"github.com/echofx/healthcheck/httphealth"
	"github.com/echofx/healthcheck/internal/testutil"
)

func newPool(t *testing.T, dsn string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// get requests url over the network and returns status and body.
func get(t *testing.T, client *http.Client, url string, header ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.Header.Get("Cache-Control") != "no-store" || res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("%s: health headers missing: %v", url, res.Header)
	}
	return res.StatusCode, string(b)
}

// TestRealServer serves the routes over loopback with a real PostgreSQL.
func TestRealServer(t *testing.T) {
	pg := testutil.StartPostgres(t)
	good := newRunner(t, checktest.Must(pgcheck.New(newPool(t, pg.DSN()), pgcheck.Config{})))
	bad := newRunner(t, checktest.Must(pgcheck.New(newPool(t, pg.DSNFor("database_not_exist")), pgcheck.Config{})))
	auth, err := httphealth.NewJWT(httphealth.JWTConfig{Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	token := "Bearer " + testutil.MintHS256(testSecret, validClaims())

	serve := func(r *checks.Runner) string {
		e := newMux(t, r, httphealth.WithDetailed(auth))
		srv := newServer(t, e)
		return srv
	}
	goodURL, badURL := serve(good), serve(bad)
	client := &http.Client{Timeout: 10 * time.Second}
	t.Cleanup(client.CloseIdleConnections)

	if code, body := get(t, client, goodURL+"/healthcheck/"); code != 200 || body != okJSON {
		t.Fatalf("healthy: %d %s", code, body)
	}
	for _, path := range []string{"/healthcheck/", "/healthcheck"} {
		res, err := client.Head(goodURL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 || res.ContentLength != int64(len(okJSON)) {
			t.Fatalf("HEAD %s: %d, Content-Length %d", path, res.StatusCode, res.ContentLength)
		}
	}
	if code, body := get(t, client, badURL+"/healthcheck/"); code != 500 || body != dbMissingRaw {
		t.Fatalf("missing database: %d %s, want 500 %s", code, body, dbMissingRaw)
	}
	if code, body := get(t, client, badURL+"/healthcheck/ready"); code != 503 || body != dbMissingRaw {
		t.Fatalf("missing database /ready: %d %s", code, body)
	}

	// No body of any route reveals the connection settings.
	secrets := []string{pg.Password(), pg.Addr(), pg.DSN(), pg.DSNFor("database_not_exist"), pg.Host() + ":"}
	userRE := regexp.MustCompile(`\b` + regexp.QuoteMeta(pg.User()) + `\b`)
	routes := []struct {
		path   string
		header []string
	}{
		{"/healthcheck/", nil},
		{"/healthcheck", nil},
		{"/healthcheck/ready", nil},
		{"/healthcheck/live", nil},
		{"/healthcheck/detailed", []string{"Authorization", token}},
		{"/healthcheck/detailed?history=1", []string{"Authorization", token}},
		{"/healthcheck/detailed/database?history=1", []string{"Authorization", token}},
		{"/healthcheck/detailed", []string{"Authorization", token, "Accept", "application/health+json"}},
		{"/healthcheck/detailed", nil},
	}
	for _, base := range []string{goodURL, badURL} {
		for _, rt := range routes {
			code, body := get(t, client, base+rt.path, rt.header...)
			if code == 0 || body == "" {
				t.Fatalf("%s: empty response", rt.path)
			}
			for _, s := range secrets {
				if strings.Contains(body, s) {
					t.Errorf("%s%s (%d) reveals %q: %s", base, rt.path, code, s, body)
				}
			}
			if userRE.MatchString(body) {
				t.Errorf("%s (%d) reveals the user name: %s", rt.path, code, body)
			}
		}
	}
	// The detailed route shows the pool details and the error.
	_, body := get(t, client, badURL+"/healthcheck/detailed", "Authorization", token)
	for _, want := range []string{`"status":"unhealthy"`, `"max_conns":`, `"error":"database \"database_not_exist\" does not exist"`, `"database":"required"`} {
		if !strings.Contains(body, want) {
			t.Errorf("detailed body lacks %s: %s", want, body)
		}
	}
}

// newServer serves e on a loopback port until the test ends.
func newServer(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptestNewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestPausedPostgres: with the database frozen (SIGSTOP), the public route
// keeps answering from the cached result without waiting, turns 500 once
// the background refresh times out, and 200 again after Resume.
func TestPausedPostgres(t *testing.T) {
	pg := testutil.StartPostgres(t)
	const timeout = time.Second
	c := checktest.Must(pgcheck.New(newPool(t, pg.DSN()), pgcheck.Config{}))
	c.TTL = 50 * time.Millisecond
	c.Timeout = timeout
	c.Interval = 100 * time.Millisecond
	// Well past the refresh's timeout, so that the 500 is the timed-out
	// refresh's result, never "stale" (which a loaded machine reached first
	// with the default 100ms + 1s).
	c.MaxStaleness = 5 * timeout
	runner := newRunner(t, c)
	e := newMux(t, runner)
	url := newServer(t, e) + "/healthcheck/"
	client := &http.Client{Timeout: 10 * time.Second}
	t.Cleanup(client.CloseIdleConnections)

	timed := func() (int, string, time.Duration) {
		start := time.Now()
		code, body := get(t, client, url)
		return code, body, time.Since(start)
	}

	// Requests are paced by a ticker, as a prober's are.
	pace := func(d time.Duration) *time.Ticker {
		tick := time.NewTicker(d)
		t.Cleanup(tick.Stop)
		return tick
	}
	var healthy []time.Duration
	tick := pace(5 * time.Millisecond)
	for range 20 {
		code, body, d := timed()
		if code != 200 {
			t.Fatalf("healthy phase: %d %s", code, body)
		}
		healthy = append(healthy, d)
		<-tick.C
	}
	slices.Sort(healthy)
	t.Logf("healthy phase: median %v, max %v", healthy[len(healthy)/2], healthy[len(healthy)-1])

	if err := pg.Pause(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pg.Resume() })
	paused := time.Now()
	var served []time.Duration
	var failBody string
	tick = pace(10 * time.Millisecond)
	for time.Since(paused) < 10*time.Second {
		code, body, d := timed()
		if d >= timeout {
			t.Fatalf("a request waited %v (>= the check timeout) while paused", d)
		}
		if code == 500 {
			failBody = body
			break
		}
		if code != 200 {
			t.Fatalf("paused: %d %s", code, body)
		}
		served = append(served, d)
		<-tick.C
	}
	if failBody == "" {
		t.Fatal("the route never turned 500 while PostgreSQL was paused")
	}
	turned := time.Since(paused)
	if !strings.Contains(failBody, "timeout") {
		t.Errorf("failure body %s, want a timeout", failBody)
	}
	slices.Sort(served)
	if len(served) > 0 {
		t.Logf("paused: %d requests served from cache, max %v; turned 500 after %v: %s",
			len(served), served[len(served)-1], turned, failBody)
	}
	if turned < timeout/2 {
		t.Errorf("turned 500 after %v, before the refresh could time out", turned)
	}

	if err := pg.Resume(); err != nil {
		t.Fatal(err)
	}
	resumed := time.Now()
	tick = pace(20 * time.Millisecond)
	for {
		code, body, d := timed()
		if d >= timeout {
			t.Errorf("a request waited %v after Resume", d)
		}
		if code == 200 && body == okJSON {
			t.Logf("200 again %v after Resume", time.Since(resumed))
			break
		}
		if time.Since(resumed) > 15*time.Second {
			t.Fatalf("still %d %s 15s after Resume", code, body)
		}
		<-tick.C
	}
}
