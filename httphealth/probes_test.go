package httphealth_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/httphealth"
)

func TestLiveRoute(t *testing.T) {
	var calls atomic.Int32
	counting := checks.Check{Name: "database", Func: func(context.Context) checks.Report {
		calls.Add(1)
		return checks.Report{Status: checks.StatusUnhealthy, Message: "down"}
	}}
	cases := []struct {
		name     string
		opts     []httphealth.Option
		wantCode int
		wantBody string
	}{
		{"default", nil, 200, okJSON},
		{"live", []httphealth.Option{httphealth.WithLiveness(liveness(true))}, 200, okJSON},
		{"not live", []httphealth.Option{httphealth.WithLiveness(liveness(false))}, 503, `{"status":"error","error":"not live"}`},
		{"not ready is still live", []httphealth.Option{httphealth.WithReadiness(&readiness{reason: "draining"})}, 200, okJSON},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newMux(t, newRunner(t, counting), tc.opts...)
			for _, method := range []string{http.MethodGet, http.MethodHead} {
				rec := do(e, method, "/healthcheck/live")
				want := tc.wantBody
				if method == http.MethodHead {
					want = ""
				}
				if rec.Code != tc.wantCode || rec.Body.String() != want {
					t.Errorf("%s: %d %s, want %d %s", method, rec.Code, rec.Body, tc.wantCode, want)
				}
				assertHealthHeaders(t, rec.Header(), "application/json")
			}
		})
	}
	if n := calls.Load(); n != 0 {
		t.Fatalf("/live ran the check %d times", n)
	}
}

func TestReadyRoute(t *testing.T) {
	cases := []struct {
		name      string
		readiness httphealth.Readiness
		check     checks.Status
		opts      []httphealth.Option
		wantCode  int
		wantBody  string
	}{
		{"nil readiness, healthy", nil, checks.StatusHealthy, nil, 200, okJSON},
		{"ready, healthy", &readiness{ready: true}, checks.StatusHealthy, nil, 200, okJSON},
		{"ready, degraded", &readiness{ready: true}, checks.StatusDegraded, nil, 200, degradedJSON},
		{"starting", &readiness{reason: "starting"}, checks.StatusHealthy, nil, 503, `{"status":"error","error":"starting"}`},
		{"draining", &readiness{reason: "draining"}, checks.StatusHealthy, nil, 503, `{"status":"error","error":"draining"}`},
		{"no reason", &readiness{}, checks.StatusHealthy, nil, 503, `{"status":"error","error":"not ready"}`},
		{"ready, unhealthy", &readiness{ready: true}, checks.StatusUnhealthy, nil, 503, dbMissingRaw},
		{"unhealthy ignores failure status", nil, checks.StatusUnhealthy,
			[]httphealth.Option{httphealth.WithFailureStatus(500)}, 503, dbMissingRaw},
		{"unhealthy, hidden errors", nil, checks.StatusUnhealthy,
			[]httphealth.Option{httphealth.WithPublicErrors(false)}, 503, `{"status":"error","error":"unhealthy"}`},
		{"draining, hidden errors shows reason", &readiness{reason: "draining"}, checks.StatusUnhealthy,
			[]httphealth.Option{httphealth.WithPublicErrors(false)}, 503, `{"status":"error","error":"draining"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := append([]httphealth.Option{httphealth.WithReadiness(tc.readiness)}, tc.opts...)
			e := newMux(t, newRunner(t, dbCheck(tc.check)), opts...)
			for _, method := range []string{http.MethodGet, http.MethodHead} {
				rec := do(e, method, "/healthcheck/ready")
				want := tc.wantBody
				if method == http.MethodHead {
					want = ""
				}
				if rec.Code != tc.wantCode || rec.Body.String() != want {
					t.Errorf("%s: %d %s, want %d %s", method, rec.Code, rec.Body, tc.wantCode, want)
				}
				assertHealthHeaders(t, rec.Header(), "application/json")
			}
		})
	}
}

// Readiness changes are seen on the next request.
func TestReadyRouteFollowsReadiness(t *testing.T) {
	r := &readiness{reason: "starting"}
	e := newMux(t, newRunner(t, dbCheck(checks.StatusHealthy)), httphealth.WithReadiness(r))
	steps := []struct {
		ready  bool
		reason string
		code   int
	}{{false, "starting", 503}, {true, "", 200}, {false, "draining", 503}}
	for _, s := range steps {
		r.ready, r.reason = s.ready, s.reason
		if rec := do(e, http.MethodGet, "/healthcheck/ready"); rec.Code != s.code {
			t.Fatalf("%+v: code %d, body %s", s, rec.Code, rec.Body)
		}
	}
}
