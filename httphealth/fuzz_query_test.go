package httphealth_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/httphealth"
)

// FuzzDetailedQuery sends arbitrary raw query strings to GET
// /healthcheck/detailed with a valid token. Whatever the query, the route
// must not panic and must answer 200 (the report) or 400 (a client error),
// never 404 or 5xx, with a valid UTF-8 JSON body of the expected shape and
// the JSON content type.
func FuzzDetailedQuery(f *testing.F) {
	// Built once: every execution reads the same cached results.
	const forever = 1 << 62
	fixedCheck := func(name string, l checks.Level, c checks.Criticality, rep checks.Report) checks.Check {
		return checks.Check{Name: name, Level: l, Criticality: c, TTL: forever, Interval: forever, MaxStaleness: forever,
			Func: func(context.Context) checks.Report { return rep }}
	}
	runner := newRunner(f,
		fixedCheck("database", checks.LevelBasic, checks.Required,
			checks.Report{Details: map[string]any{"total_conns": 3, "note": "<ok> & \u2028"}}),
		fixedCheck("cache", checks.LevelStandard, checks.Optional,
			checks.Report{Status: checks.StatusDegraded, Message: "slow response"}),
		fixedCheck("disk", checks.LevelComprehensive, checks.Required,
			checks.Report{Status: checks.StatusUnhealthy, Message: "disk: 99% full \xff\"<>"}),
		fixedCheck("odd<&>'name", checks.LevelStandard, checks.Optional, checks.Report{}),
		fixedCheck("x+y%41", checks.LevelBasic, checks.Optional, checks.Report{}),
	)
	names := map[string]bool{}
	for _, c := range runner.Checks() {
		names[c.Name] = true
	}
	for _, c := range runner.Checks() { // some history for history=1
		for range 3 {
			if _, err := runner.Refresh(context.Background(), c.Name); err != nil {
				f.Fatal(err)
			}
		}
	}
	e := newMux(f, runner, httphealth.WithDetailed(tokenAuth), httphealth.WithVersion("v\"1<"))

	for _, q := range []string{
		"",
		"level=basic", "level=standard", "level=comprehensive", "level=BASIC", "level=%20Standard%09",
		"level=", "level", "level=all", "level=basic&level=bogus", "level=bogus&level=basic", "LEVEL=bogus",
		"check=database", "check=database,cache", "check=database&check=cache", "check=database,,+cache,",
		"check=nope", "check=database,nope", "check=%64atabase", "check=odd%3C%26%3E'name", "check=x%2By%2541",
		"check=x+y%41", "check=", "check", "check[]=database", "check=%E2%80%A8", "check=%ff", "check=database%00",
		"exclude=disk", "exclude=disk,cache", "exclude=nope", "check=disk&exclude=disk", "exclude=&exclude=,",
		"history=1", "history=true", "history=0", "history=F", "history=maybe", "history=", "history=1&history=",
		"history=%31", "history=+1+",
		"level=basic&check=disk&exclude=database&history=1",
		"level=standard&check=cache,database&exclude=cache&history=true",
		";", "a=1;b=2", "check=database;level=bogus", "%", "%zz", "%zz=1&level=basic", "&&&", "=", "==&=",
		"check=database#frag", "junk=1&level=comprehensive&junk=2&check=disk&check=database",
		"level=basic&level=standard&level=comprehensive&level=basic",
		"check=" + strings.Repeat("database,", 200),
		"x=" + strings.Repeat("%41", 300),
	} {
		f.Add(q)
	}

	f.Fuzz(func(t *testing.T, rawQuery string) {
		req := httptest.NewRequest(http.MethodGet, "/healthcheck/detailed", nil)
		req.URL.RawQuery = rawQuery
		req.Header.Set("Authorization", "Bearer good")
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req) // a panic fails the fuzz run
		body := rec.Body.Bytes()

		if rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest {
			t.Fatalf("?%s: status %d, want 200 or 400: %s", rawQuery, rec.Code, body)
		}
		if !json.Valid(body) || !utf8.Valid(body) {
			t.Fatalf("?%s: body is not valid UTF-8 JSON: %q", rawQuery, body)
		}
		if ct := rec.Header().Get("Content-Type"); ct != httphealth.MIMEJSON {
			t.Fatalf("?%s: Content-Type %q, want %q", rawQuery, ct, httphealth.MIMEJSON)
		}
		assertHealthHeaders(t, rec.Header(), httphealth.MIMEJSON)

		if rec.Code == http.StatusBadRequest {
			var eb struct{ Status, Error string }
			if err := json.Unmarshal(body, &eb); err != nil || eb.Status != "error" || eb.Error == "" {
				t.Fatalf("?%s: 400 body %s (%v)", rawQuery, body, err)
			}
			return
		}
		var d struct {
			Status       checks.Status              `json:"status"` // a known status name
			Checks       map[string]json.RawMessage `json:"checks"`
			Dependencies map[string]string          `json:"dependencies"`
		}
		if err := json.Unmarshal(body, &d); err != nil || d.Checks == nil || d.Dependencies == nil {
			t.Fatalf("?%s: 200 body %s (%v)", rawQuery, body, err)
		}
		if len(d.Checks) != len(d.Dependencies) {
			t.Fatalf("?%s: %d checks but %d dependencies: %s", rawQuery, len(d.Checks), len(d.Dependencies), body)
		}
		for name := range d.Checks {
			if !names[name] {
				t.Fatalf("?%s: unregistered check %q: %s", rawQuery, name, body)
			}
			if _, ok := d.Dependencies[name]; !ok {
				t.Fatalf("?%s: check %q has no dependency entry: %s", rawQuery, name, body)
			}
		}
	})
}
