package httphealth_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/httphealth"
)

// tokenAuth accepts "Authorization: Bearer good".
var tokenAuth = httphealth.AuthenticatorFunc(func(r *http.Request) error {
	if r.Header.Get("Authorization") != "Bearer good" {
		return errors.New("bad token")
	}
	return nil
})

const unauthorizedJSON = `{"status":"error","error":"unauthorized"}`

// detailedFixture: database (basic, required, healthy, with details),
// cache (standard, optional, degraded), disk (comprehensive, required,
// unhealthy).
// The database check takes took (in TestDetailedFormat, 2 ms of its
// synctest bubble's clock, so that its response time is not zero).
func detailedFixture(t *testing.T, took time.Duration) http.Handler {
	t.Helper()
	runner := newRunner(t,
		checks.Check{Name: "database", Level: checks.LevelBasic, Func: func(context.Context) checks.Report {
			if took > 0 {
				time.Sleep(took) // the bubble's clock: returns at once
			}
			return checks.Report{Details: map[string]any{"total_conns": 3, "note": "<ok>"}}
		}},
		checks.Check{Name: "cache", Level: checks.LevelStandard, Criticality: checks.Optional,
			Func: fixed(checks.StatusDegraded, "slow response")},
		checks.Check{Name: "disk", Level: checks.LevelComprehensive, Func: fixed(checks.StatusUnhealthy, "disk: 99% full")},
	)
	runner.Run(context.Background())
	runner.Run(context.Background()) // cached; runs nothing
	return newMux(t, runner, httphealth.WithDetailed(tokenAuth), httphealth.WithVersion("1.2.3"))
}

type detailedBody struct {
	Status       string                     `json:"status"`
	Timestamp    string                     `json:"timestamp"`
	Version      *string                    `json:"version"`
	Checks       map[string]json.RawMessage `json:"checks"`
	Dependencies map[string]string          `json:"dependencies"`
}

type checkBody struct {
	Status              string          `json:"status"`
	ResponseTimeMS      *float64        `json:"response_time_ms"`
	Details             map[string]any  `json:"details"`
	Error               *string         `json:"error"`
	LastSuccess         *string         `json:"last_success"`
	ConsecutiveFailures *int            `json:"consecutive_failures"`
	Availability        *float64        `json:"availability"`
	History             json.RawMessage `json:"history"`
}

func getDetailed(t *testing.T, e http.Handler, target string, header ...string) (detailedBody, map[string]checkBody) {
	t.Helper()
	rec := do(e, http.MethodGet, target, append([]string{"Authorization", "Bearer good"}, header...)...)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", target, rec.Code, rec.Body)
	}
	assertHealthHeaders(t, rec.Header(), "application/json")
	dec := json.NewDecoder(rec.Body)
	dec.DisallowUnknownFields()
	var d detailedBody
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("decode %s: %v", target, err)
	}
	cs := map[string]checkBody{}
	for name, raw := range d.Checks {
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.DisallowUnknownFields()
		var c checkBody
		if err := dec.Decode(&c); err != nil {
			t.Fatalf("decode check %s: %v (%s)", name, err, raw)
		}
		cs[name] = c
	}
	return d, cs
}

func keys[M ~map[string]V, V any](m M) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestDetailedFormat(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := detailedFixture(t, 2*time.Millisecond)
		d, cs := getDetailed(t, e, "/healthcheck/detailed")
		if d.Status != "unhealthy" {
			t.Errorf("status = %q", d.Status)
		}
		ts, err := time.Parse(time.RFC3339, d.Timestamp)
		if err != nil || !strings.HasSuffix(d.Timestamp, "Z") || time.Since(ts) > time.Minute {
			t.Errorf("timestamp = %q (%v)", d.Timestamp, err)
		}
		if d.Version == nil || *d.Version != "1.2.3" {
			t.Errorf("version = %v", d.Version)
		}
		if got := keys(cs); !slices.Equal(got, []string{"cache", "database", "disk"}) {
			t.Errorf("checks = %v", got)
		}
		wantDeps := map[string]string{"cache": "optional", "database": "required", "disk": "required"}
		if !mapsEqual(d.Dependencies, wantDeps) {
			t.Errorf("dependencies = %v", d.Dependencies)
		}

		db := cs["database"]
		if db.Status != "healthy" || db.Error != nil || db.LastSuccess == nil || db.History != nil {
			t.Errorf("database = %+v", db)
		}
		if db.ResponseTimeMS == nil || *db.ResponseTimeMS < 1 {
			t.Errorf("database response_time_ms = %v", db.ResponseTimeMS)
		}
		if db.Details["total_conns"] != float64(3) || db.Details["note"] != "<ok>" {
			t.Errorf("database details = %v", db.Details)
		}
		if db.ConsecutiveFailures == nil || *db.ConsecutiveFailures != 0 || db.Availability == nil || *db.Availability != 1 {
			t.Errorf("database counters = %+v", db)
		}
		if _, err := time.Parse(time.RFC3339Nano, *db.LastSuccess); err != nil {
			t.Errorf("last_success: %v", err)
		}

		cache := cs["cache"]
		if cache.Status != "degraded" || cache.Error == nil || *cache.Error != "slow response" || cache.Details != nil {
			t.Errorf("cache = %+v", cache)
		}
		disk := cs["disk"]
		if disk.Status != "unhealthy" || *disk.Error != "disk: 99% full" || disk.LastSuccess != nil ||
			*disk.ConsecutiveFailures != 1 || *disk.Availability != 0 {
			t.Errorf("disk = %+v", disk)
		}
	})
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestDetailedQuery(t *testing.T) {
	e := detailedFixture(t, 0)
	cases := []struct {
		query      string
		wantStatus string
		wantChecks []string
	}{
		{"", "unhealthy", []string{"cache", "database", "disk"}},
		{"?level=comprehensive", "unhealthy", []string{"cache", "database", "disk"}},
		{"?level=standard", "degraded", []string{"cache", "database"}},
		{"?level=basic", "healthy", []string{"database"}},
		{"?level=BASIC", "healthy", []string{"database"}},
		{"?check=database", "healthy", []string{"database"}},
		{"?check=database,disk", "unhealthy", []string{"database", "disk"}},
		{"?check=database&check=cache", "degraded", []string{"cache", "database"}},
		{"?check=database,+cache,", "degraded", []string{"cache", "database"}},
		{"?exclude=disk", "degraded", []string{"cache", "database"}},
		{"?exclude=disk,cache", "healthy", []string{"database"}},
		{"?check=disk&exclude=disk", "healthy", []string{}},
		{"?level=basic&check=disk", "healthy", []string{}},
		{"?history=0", "unhealthy", []string{"cache", "database", "disk"}},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			d, cs := getDetailed(t, e, "/healthcheck/detailed"+tc.query)
			if d.Status != tc.wantStatus {
				t.Errorf("status = %q, want %q", d.Status, tc.wantStatus)
			}
			if got := keys(cs); !slices.Equal(got, tc.wantChecks) {
				t.Errorf("checks = %v, want %v", got, tc.wantChecks)
			}
			if got := keys(d.Dependencies); !slices.Equal(got, tc.wantChecks) {
				t.Errorf("dependencies = %v, want %v", got, tc.wantChecks)
			}
		})
	}
}

func TestDetailedHistory(t *testing.T) {
	var n int
	runner := newRunner(t, checks.Check{Name: "flaky", Func: func(context.Context) checks.Report {
		n++
		if n%2 == 0 {
			return checks.Report{Status: checks.StatusUnhealthy, Message: "flaky: odd"}
		}
		return checks.Report{}
	}})
	for range 4 {
		if _, err := runner.Refresh(context.Background(), "flaky"); err != nil {
			t.Fatal(err)
		}
	}
	e := newMux(t, runner, httphealth.WithDetailed(tokenAuth))
	for _, target := range []string{"/healthcheck/detailed?history=1", "/healthcheck/detailed/flaky?history=true"} {
		_, cs := getDetailed(t, e, target)
		var hist []struct {
			Status         string   `json:"status"`
			ResponseTimeMS *float64 `json:"response_time_ms"`
			Time           string   `json:"time"`
			Error          *string  `json:"error"`
		}
		if err := json.Unmarshal(cs["flaky"].History, &hist); err != nil {
			t.Fatalf("%s: history %s: %v", target, cs["flaky"].History, err)
		}
		if len(hist) != 4 {
			t.Fatalf("%s: %d history entries, want 4", target, len(hist))
		}
		for i, h := range hist {
			wantStatus, wantErr := "healthy", false
			if i%2 == 1 {
				wantStatus, wantErr = "unhealthy", true
			}
			if h.Status != wantStatus || (h.Error != nil) != wantErr || h.ResponseTimeMS == nil {
				t.Errorf("%s: entry %d = %+v", target, i, h)
			}
			if _, err := time.Parse(time.RFC3339Nano, h.Time); err != nil {
				t.Errorf("%s: entry %d time: %v", target, i, err)
			}
		}
		if a := cs["flaky"].Availability; a == nil || *a != 0.5 {
			t.Errorf("availability = %v", a)
		}
	}
}

func TestDetailedCheckRoute(t *testing.T) {
	e := detailedFixture(t, 0)
	d, cs := getDetailed(t, e, "/healthcheck/detailed/cache")
	if d.Status != "degraded" || !slices.Equal(keys(cs), []string{"cache"}) || d.Dependencies["cache"] != "optional" {
		t.Fatalf("detailed/cache = %+v", d)
	}
	for _, target := range []string{"/healthcheck/detailed/nope", "/healthcheck/detailed/%64isk%2F"} {
		rec := do(e, http.MethodGet, target, "Authorization", "Bearer good")
		if rec.Code != http.StatusNotFound || rec.Body.String() != `{"status":"error","error":"unknown check"}` {
			t.Errorf("%s: %d %s", target, rec.Code, rec.Body)
		}
		assertHealthHeaders(t, rec.Header(), "application/json")
	}
	// Escaped names are unescaped.
	if d, _ := getDetailed(t, e, "/healthcheck/detailed/%64isk"); d.Status != "unhealthy" {
		t.Errorf("escaped name: %+v", d)
	}
}

func TestDetailedClientErrors(t *testing.T) {
	e := detailedFixture(t, 0)
	cases := []struct{ target, body string }{
		{"/healthcheck/detailed?level=full", `{"status":"error","error":"invalid level: want basic, standard or comprehensive"}`},
		{"/healthcheck/detailed?level=", `{"status":"error","error":"invalid level: want basic, standard or comprehensive"}`},
		{"/healthcheck/detailed?history=maybe", `{"status":"error","error":"invalid history: want 0 or 1"}`},
		{"/healthcheck/detailed/database?history=maybe", `{"status":"error","error":"invalid history: want 0 or 1"}`},
		{"/healthcheck/detailed?check=nope", `{"status":"error","error":"unknown check"}`},
		{"/healthcheck/detailed?check=database,nope", `{"status":"error","error":"unknown check"}`},
		{"/healthcheck/detailed?exclude=nope", `{"status":"error","error":"unknown check"}`},
	}
	for _, tc := range cases {
		rec := do(e, http.MethodGet, tc.target, "Authorization", "Bearer good")
		if rec.Code != http.StatusBadRequest || rec.Body.String() != tc.body {
			t.Errorf("%s: %d %s", tc.target, rec.Code, rec.Body)
		}
		assertHealthHeaders(t, rec.Header(), "application/json")
	}
}

// Authentication comes first: without a token every detailed request is
// 401, whatever the check name or query.
func TestDetailedUnauthorized(t *testing.T) {
	e := detailedFixture(t, 0)
	for _, target := range []string{
		"/healthcheck/detailed", "/healthcheck/detailed/database", "/healthcheck/detailed/nope",
		"/healthcheck/detailed?level=bogus", "/healthcheck/detailed?history=1",
	} {
		for _, auth := range []string{"", "Bearer bad", "Basic Z29vZA=="} {
			var hdr []string
			if auth != "" {
				hdr = []string{"Authorization", auth}
			}
			rec := do(e, http.MethodGet, target, hdr...)
			if rec.Code != http.StatusUnauthorized || rec.Body.String() != unauthorizedJSON {
				t.Errorf("%s with %q: %d %s", target, auth, rec.Code, rec.Body)
			}
			if got := rec.Header().Get("WWW-Authenticate"); got != "Bearer" {
				t.Errorf("WWW-Authenticate = %q", got)
			}
			assertHealthHeaders(t, rec.Header(), "application/json")
		}
	}
}

// The detailed route never waits on a dependency once a result exists.
func TestDetailedUsesCachedResults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		block := make(chan struct{})
		defer close(block)
		var runs atomic.Int32
		runner := newRunner(t, checks.Check{Name: "slow", TTL: time.Millisecond, Timeout: 10 * time.Second, MaxStaleness: time.Hour,
			Func: func(ctx context.Context) checks.Report {
				if runs.Add(1) == 1 {
					return checks.Report{}
				}
				select {
				case <-block:
				case <-ctx.Done():
				}
				return checks.Report{}
			}})
		runner.Run(context.Background())
		time.Sleep(5 * time.Millisecond) // the bubble's clock: the 1 ms TTL expires at once
		e := newMux(t, runner, httphealth.WithDetailed(tokenAuth))
		start := time.Now()
		for range 5 {
			if d, _ := getDetailed(t, e, "/healthcheck/detailed"); d.Status != "healthy" {
				t.Fatalf("status %q", d.Status)
			}
		}
		if el := time.Since(start); el > 5*time.Second {
			t.Fatalf("detailed waited on a hanging check: %v", el)
		}
	})
}
