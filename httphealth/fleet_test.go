package httphealth_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/httphealth"
)

// fleetFunc is an httphealth.FleetSource from a function.
type fleetFunc func(ctx context.Context) ([]byte, error)

func (f fleetFunc) Fleet(ctx context.Context) ([]byte, error) { return f(ctx) }

var allow = httphealth.AuthenticatorFunc(func(r *http.Request) error {
	if r.Header.Get("Authorization") != "Bearer ok" {
		return httphealth.ErrUnauthorized
	}
	return nil
})

func TestFleetRoute(t *testing.T) {
	runner := newRunner(t)
	var deadline time.Duration
	src := fleetFunc(func(ctx context.Context) ([]byte, error) {
		d, ok := ctx.Deadline()
		if !ok {
			return nil, errors.New("no deadline")
		}
		deadline = time.Until(d)
		return []byte(`{"service":"orders","instances":[]}`), nil
	})
	mux := newMux(t, runner, httphealth.WithDetailed(allow), httphealth.WithFleet(src))

	rec := do(mux, http.MethodGet, "/healthcheck/fleet")
	if rec.Code != 401 || rec.Body.String() != `{"status":"error","error":"unauthorized"}` {
		t.Errorf("unauthenticated: %d %s", rec.Code, rec.Body)
	}
	rec = do(mux, http.MethodGet, "/healthcheck/fleet", "Authorization", "Bearer ok")
	if rec.Code != 200 || rec.Body.String() != `{"service":"orders","instances":[]}` {
		t.Errorf("fleet: %d %s", rec.Code, rec.Body)
	}
	assertHealthHeaders(t, rec.Header(), httphealth.MIMEJSON)
	if deadline <= 0 || deadline > checks.DefaultTimeout {
		t.Errorf("the fleet read is bounded by %v, want at most %v", deadline, checks.DefaultTimeout)
	}
	rec = do(mux, http.MethodHead, "/healthcheck/fleet", "Authorization", "Bearer ok")
	if rec.Code != 200 || rec.Body.Len() != 0 || rec.Header().Get("Content-Length") != "35" {
		t.Errorf("HEAD: %d %q %v", rec.Code, rec.Body, rec.Header())
	}
}

// The database's error text is never sent: 503 "fleet unavailable".
func TestFleetRouteUnavailable(t *testing.T) {
	src := fleetFunc(func(ctx context.Context) ([]byte, error) {
		return nil, errors.New(`failed to connect to user=app host=10.0.0.7 database=orders: password authentication failed`)
	})
	mux := newMux(t, newRunner(t), httphealth.WithDetailed(allow), httphealth.WithFleet(src))
	rec := do(mux, http.MethodGet, "/healthcheck/fleet", "Authorization", "Bearer ok")
	if rec.Code != 503 || rec.Body.String() != `{"status":"error","error":"fleet unavailable"}` {
		t.Errorf("%d %s", rec.Code, rec.Body)
	}
}

// Without the detailed route, or without a store, there is no /fleet.
func TestFleetRouteAbsent(t *testing.T) {
	src := fleetFunc(func(context.Context) ([]byte, error) { return []byte(`{}`), nil })
	for name, opts := range map[string][]httphealth.Option{
		"no detailed": {httphealth.WithFleet(src)},
		"no store":    {httphealth.WithDetailed(allow), httphealth.WithFleet(nil)},
	} {
		h, err := httphealth.New(newRunner(t), opts...)
		if err != nil {
			t.Fatal(err)
		}
		for _, rt := range h.Routes() {
			if strings.HasSuffix(rt.Path, "/fleet") {
				t.Errorf("%s: route %s %s", name, rt.Method, rt.Path)
			}
		}
	}
}

// The fleet of a service's replicas, from a store they share (in a
// service: *pgstore.Store), behind the detailed route's authentication.
func ExampleWithFleet() {
	runner := checks.NewRunner()
	defer runner.Close()
	store := fleetFunc(func(context.Context) ([]byte, error) { // e.g. a *pgstore.Store
		return []byte(`{"service":"orders","instances":[{"instance":"web-1-4711","status":"healthy"}],"checks":{}}`), nil
	})
	auth := httphealth.AuthenticatorFunc(func(*http.Request) error { return nil }) // e.g. a *httphealth.JWT
	h, err := httphealth.New(runner, httphealth.WithDetailed(auth), httphealth.WithFleet(store))
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	if err := h.Mount(mux); err != nil {
		panic(err)
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthcheck/fleet", nil))
	fmt.Println(rec.Code, rec.Body.String())
	// Output:
	// 200 {"service":"orders","instances":[{"instance":"web-1-4711","status":"healthy"}],"checks":{}}
}
