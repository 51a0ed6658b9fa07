package adaptertest_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/httphealth"
	"github.com/echofx/healthcheck/internal/testutil"
	"github.com/echofx/healthcheck/lifecycle"
)

// TestGroupsFollowTheLifecycle: a group answers 503 with /ready's reason
// while the instance starts, drains or is in maintenance, so that it can
// be a readiness probe; 200 (or its checks' answer) once ready.
func TestGroupsFollowTheLifecycle(t *testing.T) {
	forEach(t, func(t *testing.T, a adapter) {
		runner := newRunner(t, groupChecks()...)
		rd := &readiness{}
		m := a.mount(t, runner, nil, testGroups, httphealth.WithReadiness(rd))
		for _, reason := range []string{"starting", "draining", "maintenance"} {
			rd.ready, rd.reason = false, reason
			for _, g := range []string{"ok", "core"} {
				rec := do(m.handler, http.MethodGet, a.base+"/healthcheck/group/"+g)
				if want := `{"status":"error","error":"` + reason + `"}`; rec.Code != 503 || rec.Body.String() != want {
					t.Errorf("%s: group %s = %d %s, want 503 %s", reason, g, rec.Code, rec.Body, want)
				}
				if rec := do(m.handler, http.MethodHead, a.base+"/healthcheck/group/"+g); rec.Code != 503 {
					t.Errorf("%s: HEAD group %s = %d", reason, g, rec.Code)
				}
			}
			rec := do(m.handler, http.MethodGet, a.base+"/healthcheck/group/ok?verbose")
			if rec.Code != 503 || !strings.HasPrefix(rec.Body.String(), "[-]readiness failed: "+reason+"\n") || !strings.HasSuffix(rec.Body.String(), "group ok check failed\n") {
				t.Errorf("%s: verbose group = %d %q", reason, rec.Code, rec.Body)
			}
			if rec := do(m.handler, http.MethodGet, a.base+"/healthcheck/group/ok", "Accept", httphealth.MIMEHealthJSON); rec.Code != 503 {
				t.Errorf("%s: health+json group = %d", reason, rec.Code)
			}
		}
		rd.ready, rd.reason = true, ""
		if rec := do(m.handler, http.MethodGet, a.base+"/healthcheck/group/ok"); rec.Code != 200 || rec.Body.String() != okJSON {
			t.Errorf("ready: group ok = %d %s", rec.Code, rec.Body)
		}
		if rec := do(m.handler, http.MethodGet, a.base+"/healthcheck/group/core"); rec.Code != 500 {
			t.Errorf("ready: group core = %d", rec.Code)
		}
		if rec := do(m.handler, http.MethodGet, a.base+"/healthcheck/group/ok?verbose"); rec.Code != 200 || strings.Contains(rec.Body.String(), "readiness") {
			t.Errorf("ready: verbose group = %d %q", rec.Code, rec.Body)
		}
	})
}

// scopedToken is a valid token of the suite with these scopes and sub.
func scopedToken(sub, scope string) string {
	c := testutil.ValidClaims(testIssuer, testAudience, time.Hour)
	c["sub"] = sub
	if scope != "" {
		c["scope"] = scope
	}
	return testutil.MintHS256(testSecret, c)
}

// doBody serves one request with a body through h.
func doBody(h http.Handler, method, target, body string, header ...string) *httptest.ResponseRecorder {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// startedLifecycle is a running lifecycle on clock over runner, stopped
// at cleanup.
func startedLifecycle(t *testing.T, runner *checks.Runner) *lifecycle.Lifecycle {
	t.Helper()
	lc, err := lifecycle.New(runner, lifecycle.WithDrainDelay(0), lifecycle.WithLogger(slog.New(slog.DiscardHandler)))
	must(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	must(t, lc.Start(ctx))
	t.Cleanup(func() { _ = lc.Stop(context.Background()) })
	return lc
}

// TestMaintenanceRoute: POST, GET and DELETE {prefix}/maintenance through
// every router: 401 without a valid token, 403 without the scope; in
// maintenance /ready and the groups answer 503 "maintenance" while /live,
// /startup and the public route are unchanged; the detailed route shows
// the window; it ends by itself at expiry (fake clock) or with DELETE;
// bad bodies get 400 with a message.
func TestMaintenanceRoute(t *testing.T) {
	forEach(t, func(t *testing.T, a adapter) {
		t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		clock := testutil.NewFakeClock(t0)
		runner := checks.NewRunner(checks.WithClock(clock))
		must(t, runner.Register(checks.Check{Name: "disk", Interval: time.Hour, Func: fixed(checks.StatusHealthy, "")}))
		t.Cleanup(runner.Close)
		lc := startedLifecycle(t, runner)
		jc := jwtConfig()
		m := a.mount(t, runner, &jc, httphealth.WithReadiness(lc),
			httphealth.WithGroups(checks.Group{Name: "core", Checks: []string{"disk"}}))
		base := a.base + "/healthcheck"
		path := base + "/maintenance"
		good := "Bearer " + scopedToken("alice", "openid "+httphealth.MaintenanceScope)

		for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
			for what, hdr := range map[string][]string{
				"no token":  nil,
				"bad token": {"Authorization", "Bearer x.y.z"},
			} {
				rec := doBody(m.handler, method, path, `{"reason":"x"}`, hdr...)
				if rec.Code != 401 || rec.Body.String() != unauthorizedJSON {
					t.Errorf("%s %s = %d %s, want 401", method, what, rec.Code, rec.Body)
				}
			}
			for what, tok := range map[string]string{
				"no scope":    scopedToken("bob", ""),
				"other scope": scopedToken("bob", "openid health:read"),
				"prefix only": scopedToken("bob", "health:maintenance:read"),
			} {
				rec := doBody(m.handler, method, path, `{"reason":"x"}`, "Authorization", "Bearer "+tok)
				if rec.Code != 403 || rec.Body.String() != `{"status":"error","error":"forbidden"}` {
					t.Errorf("%s %s = %d %s, want 403", method, what, rec.Code, rec.Body)
				}
			}
		}
		if lc.Maintenance().Active {
			t.Fatal("a refused request began maintenance")
		}
		if rec := doBody(m.handler, http.MethodGet, path, "", "Authorization", good); rec.Code != 200 || rec.Body.String() != `{"active":false}` {
			t.Fatalf("GET before = %d %s", rec.Code, rec.Body)
		}

		for body, want := range map[string]string{
			``:                             "empty body",
			`not json`:                     "not a JSON object",
			`{"reason":"x","for":"25h"}`:   `"for" 25h0m0s: want more than 0 and at most 24h`,
			`{"reason":"x","for":"-1m"}`:   "want more than 0",
			`{"reason":"x","for":"soon"}`:  `"for" "soon" is not a duration`,
			`{"for":"1h"}`:                 `"reason" is required`,
			`{"reason":"x","until":"1h"}`:  `unknown field "until"`,
			`{"reason":"x"}{"reason":"y"}`: "more than one JSON value",
			`{"reason":"` + strings.Repeat("x", 5000) + `"}`: "body over 4096 bytes",
		} {
			rec := doBody(m.handler, http.MethodPost, path, body, "Authorization", good)
			var e struct{ Error string }
			_ = json.Unmarshal(rec.Body.Bytes(), &e)
			if rec.Code != 400 || !strings.Contains(e.Error, want) {
				t.Errorf("POST %.40q = %d %s, want 400 with %q", body, rec.Code, rec.Body, want)
			}
		}

		rec := doBody(m.handler, http.MethodPost, path, `{"reason":"kernel upgrade","for":"30m"}`, "Authorization", good)
		if want := `{"active":true,"reason":"kernel upgrade","by":"alice","since":"2026-01-01T00:00:00Z","until":"2026-01-01T00:30:00Z"}`; rec.Code != 200 || rec.Body.String() != want {
			t.Fatalf("POST = %d %s, want %s", rec.Code, rec.Body, want)
		}
		inMaintenance := func(on bool) {
			t.Helper()
			want503 := map[string]int{"/ready": 200, "/group/core": 200}
			if on {
				want503 = map[string]int{"/ready": 503, "/group/core": 503}
			}
			for p, code := range want503 {
				rec := do(m.handler, http.MethodGet, base+p)
				if rec.Code != code || on && rec.Body.String() != `{"status":"error","error":"maintenance"}` {
					t.Errorf("maintenance %v: %s = %d %s", on, p, rec.Code, rec.Body)
				}
			}
			for _, p := range []string{"/live", "/startup", "/", ""} {
				if rec := do(m.handler, http.MethodGet, base+p); rec.Code != 200 {
					t.Errorf("maintenance %v: %q = %d, want 200", on, p, rec.Code)
				}
			}
		}
		inMaintenance(true)
		if rec := doBody(m.handler, http.MethodGet, path, "", "Authorization", good); !strings.Contains(rec.Body.String(), `"reason":"kernel upgrade"`) {
			t.Errorf("GET in maintenance = %s", rec.Body)
		}
		rec = do(m.handler, http.MethodGet, base+"/detailed", "Authorization", "Bearer "+validToken())
		var det struct {
			Maintenance map[string]any `json:"maintenance"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &det); err != nil || det.Maintenance["reason"] != "kernel upgrade" || det.Maintenance["until"] != "2026-01-01T00:30:00Z" {
			t.Errorf("detailed in maintenance: %v %s", err, rec.Body)
		}

		clock.Advance(30 * time.Minute) // expiry
		inMaintenance(false)
		if rec := do(m.handler, http.MethodGet, base+"/detailed", "Authorization", "Bearer "+validToken()); strings.Contains(rec.Body.String(), `"maintenance"`) {
			t.Errorf("detailed after expiry: %s", rec.Body)
		}

		if rec := doBody(m.handler, http.MethodPost, path, `{"reason":"again"}`, "Authorization", good); rec.Code != 200 ||
			!strings.Contains(rec.Body.String(), `"until":"2026-01-01T01:30:00Z"`) { // default 1 h
			t.Fatalf("POST default = %d %s", rec.Code, rec.Body)
		}
		inMaintenance(true)
		if rec := doBody(m.handler, http.MethodDelete, path, "", "Authorization", good); rec.Code != 200 || rec.Body.String() != `{"active":false}` {
			t.Fatalf("DELETE = %d %s", rec.Code, rec.Body)
		}
		inMaintenance(false)

		// No detailed route, no maintenance route.
		m = a.mount(t, runner, nil, httphealth.WithReadiness(lc))
		if rec := doBody(m.handler, http.MethodPost, path, `{"reason":"x"}`, "Authorization", good); rec.Code != 404 && rec.Code != 405 {
			t.Errorf("without the detailed route: POST = %d", rec.Code)
		}
	})
}

// An app's own Authenticator that does not implement ScopeAuthorizer
// never grants the scope; one that does decides.
type appAuth struct{ grant bool }

func (appAuth) Authenticate(*http.Request) error { return nil }

func (a appAuth) AuthorizeScope(_ *http.Request, scope string) (string, error) {
	if !a.grant || scope != httphealth.MaintenanceScope {
		return "", httphealth.ErrUnauthorized
	}
	return "ops-bot", nil
}

// TestMaintenanceAppAuthorizer: through every router, the app's own
// Authenticator authorizes the maintenance scope through
// ScopeAuthorizer, and the window records its subject.
func TestMaintenanceAppAuthorizer(t *testing.T) {
	forEach(t, func(t *testing.T, a adapter) {
		runner := newRunner(t, checks.Check{Name: "disk", Func: fixed(checks.StatusHealthy, "")})
		lc := startedLifecycle(t, runner)
		path := a.base + "/healthcheck/maintenance"
		for _, tc := range []struct {
			auth httphealth.Authenticator
			code int
		}{
			{httphealth.AuthenticatorFunc(func(*http.Request) error { return nil }), 403},
			{appAuth{grant: false}, 403},
			{appAuth{grant: true}, 200},
		} {
			m := a.mount(t, runner, nil, httphealth.WithReadiness(lc), httphealth.WithDetailed(tc.auth))
			if rec := doBody(m.handler, http.MethodPost, path, `{"reason":"deploy"}`); rec.Code != tc.code {
				t.Errorf("%T = %d %s, want %d", tc.auth, rec.Code, rec.Body, tc.code)
			}
		}
		if got := lc.Maintenance(); got.By != "ops-bot" || got.Reason != "deploy" {
			t.Errorf("window %+v", got)
		}
	})
}
