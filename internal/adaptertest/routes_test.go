package adaptertest_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/httphealth"
)

// TestRoutes requests every route with every method on every adapter.
func TestRoutes(t *testing.T) {
	forEach(t, func(t *testing.T, a adapter) {
		runner := newRunner(t, checks.Check{Name: "db", Func: fixed(checks.StatusHealthy, "")})
		jc := jwtConfig()
		rd := &readiness{ready: true}
		m := a.mount(t, runner, &jc, httphealth.WithReadiness(rd),
			httphealth.WithGroups(checks.Group{Name: "core", Checks: []string{"db"}}),
			httphealth.WithFleet(fleetJSON(`{"service":"orders"}`)))
		auth := "Bearer " + validToken()
		for _, tc := range []struct {
			path, auth string
			code       int
			body       string // "" = any JSON
		}{
			{"/healthcheck/", "", 200, okJSON},
			{"/healthcheck", "", 200, okJSON},
			{"/healthcheck/live", "", 200, okJSON},
			{"/healthcheck/ready", "", 200, okJSON},
			{"/healthcheck/startup", "", 200, okJSON},
			{"/healthcheck/group/core", "", 200, okJSON},
			{"/healthcheck/group/nope", "", 404, `{"status":"error","error":"unknown group"}`},
			{"/healthcheck/detailed", "", 401, unauthorizedJSON},
			{"/healthcheck/detailed", auth, 200, ""},
			{"/healthcheck/detailed/db", auth, 200, ""},
			{"/healthcheck/detailed/db", "", 401, unauthorizedJSON},
			{"/healthcheck/detailed/nope", auth, 404, `{"status":"error","error":"unknown check"}`},
			{"/healthcheck/detailed?level=bogus", auth, 400, ""},
			{"/healthcheck/fleet", "", 401, unauthorizedJSON},
			{"/healthcheck/fleet", auth, 200, `{"service":"orders"}`},
		} {
			for _, method := range []string{http.MethodGet, http.MethodHead} {
				rec := do(m.handler, method, a.base+tc.path, "Authorization", tc.auth)
				if rec.Code != tc.code {
					t.Errorf("%s %s = %d, want %d (%s)", method, tc.path, rec.Code, tc.code, rec.Body)
					continue
				}
				assertHealthHeaders(t, rec.Header(), method+" "+tc.path)
				switch {
				case method == http.MethodHead && rec.Body.Len() != 0:
					t.Errorf("HEAD %s has a body: %s", tc.path, rec.Body)
				case method == http.MethodGet && tc.body != "" && rec.Body.String() != tc.body:
					t.Errorf("GET %s = %s, want %s", tc.path, rec.Body, tc.body)
				case method == http.MethodGet && !strings.HasPrefix(rec.Body.String(), "{"):
					t.Errorf("GET %s: not JSON: %s", tc.path, rec.Body)
				}
			}
		}
		for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
			if rec := do(m.handler, method, a.base+"/healthcheck/"); rec.Code < 400 {
				t.Errorf("%s /healthcheck/ = %d, want a client error", method, rec.Code)
			}
		}
		if rec := do(m.handler, http.MethodGet, a.base+"/healthcheck/unknown"); rec.Code != http.StatusNotFound {
			t.Errorf("unknown path under the prefix = %d, want 404", rec.Code)
		}
		rd.ready, rd.reason = false, "draining"
		if rec := do(m.handler, http.MethodGet, a.base+"/healthcheck/ready"); rec.Code != 503 || rec.Body.String() != `{"status":"error","error":"draining"}` {
			t.Errorf("draining /ready = %d %s", rec.Code, rec.Body)
		}
		if rec := do(m.handler, http.MethodGet, a.base+"/healthcheck/"); rec.Code != 200 {
			t.Errorf("draining public route = %d, want 200 (readiness is /ready's only)", rec.Code)
		}
	})
}

// TestStatuses checks the public route and /ready for each status.
func TestStatuses(t *testing.T) {
	for _, tc := range []struct {
		name              string
		check             checks.Check
		public, ready     int
		publicBody, rBody string
	}{
		{"healthy", checks.Check{Name: "db", Func: fixed(checks.StatusHealthy, "")}, 200, 200, okJSON, okJSON},
		{"degraded", checks.Check{Name: "db", Func: fixed(checks.StatusDegraded, "slow")}, 200, 200, degradedJSON, degradedJSON},
		{"optional unhealthy", checks.Check{Name: "cache", Criticality: checks.Optional, Func: fixed(checks.StatusUnhealthy, "down")}, 200, 200, degradedJSON, degradedJSON},
		{"unhealthy", checks.Check{Name: "db", Func: fixed(checks.StatusUnhealthy, "connection refused")}, 500, 503,
			`{"status":"error","error":"db: connection refused"}`, `{"status":"error","error":"db: connection refused"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			forEach(t, func(t *testing.T, a adapter) {
				runner := newRunner(t, tc.check)
				m := a.mount(t, runner, nil)
				for _, path := range []string{"/healthcheck/", "/healthcheck"} {
					if rec := do(m.handler, http.MethodGet, a.base+path); rec.Code != tc.public || rec.Body.String() != tc.publicBody {
						t.Errorf("GET %s = %d %s, want %d %s", path, rec.Code, rec.Body, tc.public, tc.publicBody)
					}
				}
				if rec := do(m.handler, http.MethodGet, a.base+"/healthcheck/ready"); rec.Code != tc.ready || rec.Body.String() != tc.rBody {
					t.Errorf("GET /ready = %d %s, want %d %s", rec.Code, rec.Body, tc.ready, tc.rBody)
				}
			})
		})
	}
}

// assertHealthHeaders checks the headers every health response carries.
func assertHealthHeaders(t testing.TB, h http.Header, what string) {
	t.Helper()
	if got := h.Get("Content-Type"); !strings.HasPrefix(got, "application/") || !strings.Contains(got, "json") {
		t.Errorf("%s: Content-Type = %q", what, got)
	}
	if got := h.Get("Cache-Control"); got != "no-store" {
		t.Errorf("%s: Cache-Control = %q", what, got)
	}
	if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options = %q", what, got)
	}
}

// fleetJSON is an httphealth.FleetSource answering its own bytes.
type fleetJSON string

func (f fleetJSON) Fleet(context.Context) ([]byte, error) { return []byte(f), nil }
