package httphealth_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/httphealth"
)

const (
	okJSON       = `{"status":"success","data":{"health":"ok"}}`
	degradedJSON = `{"status":"success","data":{"health":"degraded"}}`
	dbMissing    = `database "database_not_exist" does not exist`
	dbMissingRaw = `{"status":"error","error":"database \"database_not_exist\" does not exist"}`
)

func dbCheck(s checks.Status) checks.Check {
	f := fixed(s, "")
	if s == checks.StatusUnhealthy {
		f = func(context.Context) checks.Report {
			return checks.Report{Err: checks.NewSafeError(dbMissing, errors.New("pgconn: secret details"))}
		}
	}
	return checks.Check{Name: "database", Func: f}
}

func TestPublicRoute(t *testing.T) {
	cases := []struct {
		name     string
		checks   []checks.Check
		opts     []httphealth.Option
		wantCode int
		wantBody string
	}{
		{"healthy", []checks.Check{dbCheck(checks.StatusHealthy)}, nil, 200, okJSON},
		{"no checks", nil, nil, 200, okJSON},
		{"degraded", []checks.Check{dbCheck(checks.StatusDegraded)}, nil, 200, degradedJSON},
		{"optional unhealthy is degraded", []checks.Check{
			dbCheck(checks.StatusHealthy),
			{Name: "redis", Criticality: checks.Optional, Func: fixed(checks.StatusUnhealthy, "connection refused")},
		}, nil, 200, degradedJSON},
		{"unhealthy", []checks.Check{dbCheck(checks.StatusUnhealthy)}, nil, 500, dbMissingRaw},
		{"unhealthy, name prefixed", []checks.Check{
			{Name: "redis", Func: fixed(checks.StatusUnhealthy, "connection refused")},
		}, nil, 500, `{"status":"error","error":"redis: connection refused"}`},
		{"two failures joined", []checks.Check{
			dbCheck(checks.StatusUnhealthy),
			{Name: "redis", Func: fixed(checks.StatusUnhealthy, "timeout")},
		}, nil, 500, `{"status":"error","error":"database \"database_not_exist\" does not exist; redis: timeout"}`},
		{"failure status 503", []checks.Check{dbCheck(checks.StatusUnhealthy)},
			[]httphealth.Option{httphealth.WithFailureStatus(http.StatusServiceUnavailable)}, 503, dbMissingRaw},
		{"hidden errors", []checks.Check{dbCheck(checks.StatusUnhealthy)},
			[]httphealth.Option{httphealth.WithPublicErrors(false)}, 500, `{"status":"error","error":"unhealthy"}`},
		{"message escaped", []checks.Check{
			{Name: "api", Func: fixed(checks.StatusUnhealthy, "api: <b>\"quoted\"</b>\n")},
		}, nil, 500, `{"status":"error","error":"api: \u003cb\u003e\"quoted\"\u003c/b\u003e"}`},
		{"level excludes failing check", []checks.Check{
			dbCheck(checks.StatusHealthy),
			{Name: "disk", Level: checks.LevelComprehensive, Func: fixed(checks.StatusUnhealthy, "full")},
		}, []httphealth.Option{httphealth.WithLevel(checks.LevelBasic)}, 200, okJSON},
		{"level includes failing check", []checks.Check{
			dbCheck(checks.StatusHealthy),
			{Name: "disk", Level: checks.LevelComprehensive, Func: fixed(checks.StatusUnhealthy, "full")},
		}, nil, 500, `{"status":"error","error":"disk: full"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newMux(t, newRunner(t, tc.checks...), tc.opts...)
			for _, path := range []string{"/healthcheck/", "/healthcheck"} {
				for _, method := range []string{http.MethodGet, http.MethodHead} {
					t.Run(method+" "+path, func(t *testing.T) {
						rec := do(e, method, path)
						if rec.Code != tc.wantCode {
							t.Fatalf("code = %d, want %d (body %s)", rec.Code, tc.wantCode, rec.Body)
						}
						assertHealthHeaders(t, rec.Header(), "application/json")
						if got := rec.Header().Get("Content-Length"); method == http.MethodHead && got != strconv.Itoa(len(tc.wantBody)) {
							t.Errorf("Content-Length = %q, want %d", got, len(tc.wantBody))
						}
						want := tc.wantBody
						if method == http.MethodHead {
							want = ""
						}
						if got := rec.Body.String(); got != want {
							t.Errorf("body = %s, want %s", got, want)
						}
					})
				}
			}
		})
	}
}

// The failure body follows the message when it changes.
func TestPublicRouteMessageChanges(t *testing.T) {
	var msg atomic.Value
	msg.Store("api: first")
	runner := newRunner(t, checks.Check{Name: "api", Func: func(context.Context) checks.Report {
		return checks.Report{Status: checks.StatusUnhealthy, Message: msg.Load().(string)}
	}})
	e := newMux(t, runner)
	for _, m := range []string{"api: first", "api: second", "api: first"} {
		msg.Store(m)
		if _, err := runner.Refresh(context.Background(), "api"); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			rec := do(e, http.MethodGet, "/healthcheck/")
			if want := `{"status":"error","error":"` + m + `"}`; rec.Body.String() != want {
				t.Fatalf("body = %s, want %s", rec.Body, want)
			}
		}
	}
}

// A client that goes away cancels its own wait only: the check it started
// completes for everyone, once.
func TestPublicRouteClientDisconnect(t *testing.T) {
	var calls atomic.Int32
	release, started := make(chan struct{}), make(chan struct{})
	runner := newRunner(t, checks.Check{Name: "database", Timeout: 5 * time.Second, Func: func(ctx context.Context) checks.Report {
		if calls.Add(1) == 1 {
			close(started)
		}
		select {
		case <-release:
			return checks.Report{}
		case <-ctx.Done():
			return checks.Report{Err: ctx.Err()}
		}
	}})
	e := newMux(t, runner)

	ctx, cancel := context.WithCancel(context.Background())
	req := httptest.NewRequest(http.MethodGet, "/healthcheck/", nil).WithContext(ctx)
	done := make(chan *httptest.ResponseRecorder)
	go func() {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		done <- rec
	}()
	<-started
	cancel()
	select {
	case <-done: // the disconnected client stops waiting
	case <-time.After(2 * time.Second):
		t.Fatal("request did not end when its context was cancelled")
	}
	close(release)

	rec := do(e, http.MethodGet, "/healthcheck/")
	if rec.Code != http.StatusOK || rec.Body.String() != okJSON {
		t.Fatalf("after disconnect: %d %s", rec.Code, rec.Body)
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("check ran %d times, want 1", n)
	}
	res, _ := runner.Snapshot().Result("database")
	if res.Status != checks.StatusHealthy || res.Message != "" {
		t.Fatalf("shared result = %v %q, want healthy", res.Status, res.Message)
	}
}
