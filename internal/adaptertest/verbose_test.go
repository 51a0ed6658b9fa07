package adaptertest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/httphealth"
)

// TestVerbose: ?verbose answers text, one line per check and a last line,
// never a failure's reason, with the codes of the JSON answer; ?exclude
// leaves a check out.
func TestVerbose(t *testing.T) {
	forEach(t, func(t *testing.T, a adapter) {
		runner := newRunner(t, groupChecks()...)
		rd := &readiness{ready: true}
		st := &startup{reason: "starting"}
		m := a.mount(t, runner, nil, testGroups, httphealth.WithReadiness(rd), httphealth.WithStartup(st))
		for _, tc := range []struct {
			path string
			code int
			body string
		}{
			{"/healthcheck/?verbose", 500, "[+]cache degraded\n[-]db failed: reason withheld\n[+]disk ok\n[-]mq failed: reason withheld (optional)\nhealth check failed\n"},
			{"/healthcheck/?verbose&exclude=db", 200, "[+]cache degraded\n[+]db excluded: ok\n[+]disk ok\n[-]mq failed: reason withheld (optional)\nhealth check passed\n"},
			{"/healthcheck/ready?verbose=1", 503, "[+]readiness ok\n[+]cache degraded\n[-]db failed: reason withheld\n[+]disk ok\n[-]mq failed: reason withheld (optional)\nready check failed\n"},
			{"/healthcheck/ready?verbose&exclude=db,nope", 200, "[+]readiness ok\n[+]cache degraded\n[+]db excluded: ok\n[+]disk ok\n[-]mq failed: reason withheld (optional)\nready check passed\n"},
			{"/healthcheck/live?verbose", 200, "[+]ping ok\nlive check passed\n"},
			{"/healthcheck/startup?verbose", 503, "[-]startup failed: starting\nstartup check failed\n"},
			{"/healthcheck/group/core?verbose", 500, "[-]db failed: reason withheld\n[+]disk ok\ngroup core check failed\n"},
			{"/healthcheck/group/core?verbose&exclude=db", 200, "[+]db excluded: ok\n[+]disk ok\ngroup core check passed\n"},
		} {
			for _, method := range []string{http.MethodGet, http.MethodHead} {
				rec := do(m.handler, method, a.base+tc.path)
				if rec.Code != tc.code {
					t.Errorf("%s %s = %d, want %d", method, tc.path, rec.Code, tc.code)
				}
				if ct := rec.Header().Get("Content-Type"); ct != "text/plain; charset=utf-8" || rec.Header().Get("Cache-Control") != "no-store" ||
					rec.Header().Get("X-Content-Type-Options") != "nosniff" {
					t.Errorf("%s %s: headers %v", method, tc.path, rec.Header())
				}
				want := tc.body
				if method == http.MethodHead {
					want = ""
				}
				if rec.Body.String() != want {
					t.Errorf("%s %s =\n%s\nwant\n%s", method, tc.path, rec.Body, want)
				}
				if strings.Contains(rec.Body.String(), "refused") {
					t.Errorf("%s shows a reason", tc.path)
				}
			}
		}
		// exclude without verbose: JSON, the check left out of the status.
		if rec := do(m.handler, http.MethodGet, a.base+"/healthcheck/?exclude=db"); rec.Code != 200 || rec.Body.String() != degradedJSON {
			t.Errorf("exclude=db = %d %s", rec.Code, rec.Body)
		}
		if rec := do(m.handler, http.MethodGet, a.base+"/healthcheck/?verbose=0"); rec.Code != 500 || !strings.HasPrefix(rec.Body.String(), "{") {
			t.Errorf("verbose=0 = %d %s", rec.Code, rec.Body)
		}
		if rec := do(m.handler, http.MethodGet, a.base+"/healthcheck/?cachebust=1"); rec.Code != 500 || rec.Body.String() != `{"status":"error","error":"db: connection refused"}` {
			t.Errorf("other query = %d %s", rec.Code, rec.Body)
		}
		rd.ready, rd.reason = false, "draining"
		st.started, st.reason = true, ""
		if rec := do(m.handler, http.MethodGet, a.base+"/healthcheck/ready?verbose&exclude=db"); rec.Code != 503 ||
			!strings.HasPrefix(rec.Body.String(), "[-]readiness failed: draining\n") || !strings.HasSuffix(rec.Body.String(), "ready check failed\n") {
			t.Errorf("draining ready?verbose = %d %s", rec.Code, rec.Body)
		}
		if rec := do(m.handler, http.MethodGet, a.base+"/healthcheck/ready?exclude=db"); rec.Code != 503 || rec.Body.String() != `{"status":"error","error":"draining"}` {
			t.Errorf("draining ready?exclude = %d %s", rec.Code, rec.Body)
		}
		if rec := do(m.handler, http.MethodGet, a.base+"/healthcheck/startup?verbose"); rec.Code != 200 || rec.Body.String() != "[+]startup ok\nstartup check passed\n" {
			t.Errorf("started startup?verbose = %d %s", rec.Code, rec.Body)
		}
	})
}

// TestVerboseLiveFails: /live?verbose when the liveness says false.
func TestVerboseLiveFails(t *testing.T) {
	forEach(t, func(t *testing.T, a adapter) {
		m := a.mount(t, newRunner(t, checks.Check{Name: "db", Func: fixed(checks.StatusHealthy, "")}), nil, httphealth.WithLiveness(notLive{}))
		if rec := do(m.handler, http.MethodGet, a.base+"/healthcheck/live?verbose"); rec.Code != 503 || rec.Body.String() != "[-]ping failed: not live\nlive check failed\n" {
			t.Errorf("live?verbose = %d %s", rec.Code, rec.Body)
		}
	})
}

type notLive struct{}

func (notLive) Live() bool { return false }
