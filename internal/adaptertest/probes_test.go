package adaptertest_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/httphealth"
)

// startup is a settable httphealth.Startup.
type startup struct {
	started bool
	reason  string
}

func (s *startup) Started() (bool, string) { return s.started, s.reason }

// TestStartupRoute: 503 while the gate waits, 200 once it passed, and
// still 200 while draining (when /ready fails).
func TestStartupRoute(t *testing.T) {
	forEach(t, func(t *testing.T, a adapter) {
		runner := newRunner(t, checks.Check{Name: "db", Func: fixed(checks.StatusHealthy, "")})
		st := &startup{reason: "starting"}
		rd := &readiness{reason: "starting"}
		m := a.mount(t, runner, nil, httphealth.WithReadiness(rd), httphealth.WithStartup(st))
		path := a.base + "/healthcheck/startup"
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			rec := do(m.handler, method, path)
			if rec.Code != 503 {
				t.Fatalf("%s starting = %d", method, rec.Code)
			}
			assertHealthHeaders(t, rec.Header(), method+" startup")
		}
		if rec := do(m.handler, http.MethodGet, path); rec.Body.String() != `{"status":"error","error":"starting"}` {
			t.Errorf("starting body = %s", rec.Body)
		}
		st.started, st.reason = true, ""
		rd.ready, rd.reason = true, ""
		if rec := do(m.handler, http.MethodGet, path); rec.Code != 200 || rec.Body.String() != okJSON {
			t.Errorf("started = %d %s", rec.Code, rec.Body)
		}
		rd.ready, rd.reason = false, "draining"
		if rec := do(m.handler, http.MethodGet, path); rec.Code != 200 {
			t.Errorf("draining /startup = %d, want 200", rec.Code)
		}
		if rec := do(m.handler, http.MethodGet, a.base+"/healthcheck/ready"); rec.Code != 503 {
			t.Errorf("draining /ready = %d, want 503", rec.Code)
		}
	})
}

// TestStartupFromReadiness: a Readiness that is also a Startup (as
// *lifecycle.Lifecycle) drives /startup without WithStartup; without
// either the route answers 200; WithoutStartup removes it.
func TestStartupFromReadiness(t *testing.T) {
	forEach(t, func(t *testing.T, a adapter) {
		runner := newRunner(t, checks.Check{Name: "db", Func: fixed(checks.StatusHealthy, "")})
		both := &readyStartup{startup: startup{reason: "startup failed"}}
		m := a.mount(t, runner, nil, httphealth.WithReadiness(both))
		if rec := do(m.handler, http.MethodGet, a.base+"/healthcheck/startup"); rec.Code != 503 || rec.Body.String() != `{"status":"error","error":"startup failed"}` {
			t.Errorf("from readiness = %d %s", rec.Code, rec.Body)
		}
		m = a.mount(t, runner, nil)
		if rec := do(m.handler, http.MethodGet, a.base+"/healthcheck/startup"); rec.Code != 200 {
			t.Errorf("no startup = %d", rec.Code)
		}
		m = a.mount(t, runner, nil, httphealth.WithoutStartup())
		if rec := do(m.handler, http.MethodGet, a.base+"/healthcheck/startup"); rec.Code != 404 && rec.Code != 405 {
			t.Errorf("WithoutStartup = %d", rec.Code)
		}
	})
}

type readyStartup struct {
	readiness
	startup
}

// groupChecks are the checks of the group tests: db fails (required),
// cache is slow (degraded), mq is an optional check that fails.
func groupChecks() []checks.Check {
	return []checks.Check{
		{Name: "db", Func: fixed(checks.StatusUnhealthy, "connection refused")},
		{Name: "cache", Func: fixed(checks.StatusDegraded, "slow")},
		{Name: "mq", Criticality: checks.Optional, Level: checks.LevelComprehensive, Func: fixed(checks.StatusUnhealthy, "down")},
		{Name: "disk", Func: fixed(checks.StatusHealthy, "")},
	}
}

var testGroups = httphealth.WithGroups(
	checks.Group{Name: "core", Checks: []string{"db", "disk"}},
	checks.Group{Name: "caching", Checks: []string{"cache"}},
	checks.Group{Name: "ok", Checks: []string{"disk"}},
	checks.Group{Name: "extra", Checks: []string{"mq", "disk"}},
)

// TestGroups: each group answers like the public route over its checks.
func TestGroups(t *testing.T) {
	forEach(t, func(t *testing.T, a adapter) {
		runner := newRunner(t, groupChecks()...)
		m := a.mount(t, runner, nil, testGroups, httphealth.WithLevel(checks.LevelBasic))
		for _, tc := range []struct {
			group string
			code  int
			body  string
		}{
			{"core", 500, `{"status":"error","error":"db: connection refused"}`},
			{"caching", 200, degradedJSON},
			{"ok", 200, okJSON},
			{"extra", 200, degradedJSON}, // an optional failure only degrades, whatever the level
			{"nope", 404, `{"status":"error","error":"unknown group"}`},
		} {
			for _, method := range []string{http.MethodGet, http.MethodHead} {
				rec := do(m.handler, method, a.base+"/healthcheck/group/"+tc.group)
				if rec.Code != tc.code {
					t.Errorf("%s group %s = %d, want %d", method, tc.group, rec.Code, tc.code)
				}
				assertHealthHeaders(t, rec.Header(), method+" group "+tc.group)
				if method == http.MethodGet && rec.Body.String() != tc.body {
					t.Errorf("group %s = %s, want %s", tc.group, rec.Body, tc.body)
				}
				if method == http.MethodHead && rec.Body.Len() != 0 {
					t.Errorf("HEAD group %s has a body", tc.group)
				}
			}
		}
		m = a.mount(t, runner, nil, testGroups, httphealth.WithPublicErrors(false), httphealth.WithFailureStatus(503))
		if rec := do(m.handler, http.MethodGet, a.base+"/healthcheck/group/core"); rec.Code != 503 || rec.Body.String() != `{"status":"error","error":"unhealthy"}` {
			t.Errorf("core without public errors = %d %s", rec.Code, rec.Body)
		}
		rec := do(m.handler, http.MethodGet, a.base+"/healthcheck/group/core", "Accept", httphealth.MIMEHealthJSON)
		if rec.Code != 503 || rec.Header().Get("Content-Type") != httphealth.MIMEHealthJSON ||
			!strings.HasPrefix(rec.Body.String(), `{"status":"fail"`) || !strings.Contains(rec.Body.String(), `"db:responseTime"`) ||
			strings.Contains(rec.Body.String(), "refused") || strings.Contains(rec.Body.String(), "cache") {
			t.Errorf("core as health+json = %d %q %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
		}
	})
}

// TestGroupUnknownCheck: a group naming an unregistered check is refused,
// naming the group and the check.
func TestGroupUnknownCheck(t *testing.T) {
	runner := newRunner(t, groupChecks()...)
	_, err := httphealth.New(runner, httphealth.WithGroups(checks.Group{Name: "core", Checks: []string{"db", "migrations"}}))
	if !errors.Is(err, checks.ErrInvalidConfig) || !strings.Contains(err.Error(), "WithGroups") ||
		!strings.Contains(err.Error(), `"core"`) || !strings.Contains(err.Error(), `"migrations"`) {
		t.Fatalf("err = %v", err)
	}
}

// TestDegradedStatus: WithDegradedStatus sets the code of a degraded
// public route, /ready and group; healthy stays 200.
func TestDegradedStatus(t *testing.T) {
	forEach(t, func(t *testing.T, a adapter) {
		runner := newRunner(t, groupChecks()[1:]...) // cache degraded, mq optional down, disk ok
		m := a.mount(t, runner, nil, httphealth.WithGroups(
			checks.Group{Name: "caching", Checks: []string{"cache"}}, checks.Group{Name: "ok", Checks: []string{"disk"}}),
			httphealth.WithDegradedStatus(207))
		for path, want := range map[string]int{
			"/healthcheck/": 207, "/healthcheck": 207, "/healthcheck/ready": 207, "/healthcheck/group/caching": 207,
			"/healthcheck/group/ok": 200, "/healthcheck/live": 200, "/healthcheck/ready?verbose": 207,
		} {
			if rec := do(m.handler, http.MethodGet, a.base+path); rec.Code != want {
				t.Errorf("GET %s = %d, want %d", path, rec.Code, want)
			}
		}
	})
	runner := newRunner(t, groupChecks()...)
	for _, code := range []int{0, 199, 204, 304, 600, 299} {
		if _, err := httphealth.New(runner, httphealth.WithDegradedStatus(code)); !errors.Is(err, checks.ErrInvalidConfig) || !strings.Contains(err.Error(), "WithDegradedStatus") {
			t.Errorf("WithDegradedStatus(%d): %v", code, err)
		}
	}
}
