package httphealth_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/httphealth"
	"github.com/echofx/healthcheck/internal/testutil"
)

// TestDetailedShowsEachNewResult runs a check twice at the same clock
// reading (a fake or coarse clock) with different details and the same
// status: the detailed route must show the second result, not a fragment
// cached from the first.
func TestDetailedShowsEachNewResult(t *testing.T) {
	clock := testutil.NewFakeClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	r := checks.NewRunner(checks.WithClock(clock))
	t.Cleanup(r.Close)
	var n atomic.Int64
	if err := r.Register(checks.Check{Name: "pool", Func: func(context.Context) checks.Report {
		return checks.Report{Status: checks.StatusHealthy, Details: map[string]any{"run": n.Add(1)}}
	}}); err != nil {
		t.Fatal(err)
	}
	h, err := httphealth.New(r, httphealth.WithDetailed(statusAllowAll))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	if err := h.Mount(mux); err != nil {
		t.Fatal(err)
	}
	run := func() float64 {
		t.Helper()
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthcheck/detailed", nil))
		var body struct {
			Checks map[string]struct {
				Details map[string]float64 `json:"details"`
			} `json:"checks"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("%v: %s", err, rec.Body)
		}
		return body.Checks["pool"].Details["run"]
	}
	ctx := context.Background()
	for want := 1.0; want <= 2; want++ {
		if _, err := r.Refresh(ctx, "pool"); err != nil {
			t.Fatal(err)
		}
		if got := run(); got != want {
			t.Fatalf("detailed shows run %v, want %v", got, want)
		}
	}
}

// TestDetailsNotEncodable: details that JSON cannot encode are reported,
// not dropped silently, and the response stays valid JSON.
func TestDetailsNotEncodable(t *testing.T) {
	runner := checks.NewRunner()
	defer runner.Close()
	if err := runner.Register(checks.Check{Name: "odd", Func: func(context.Context) checks.Report {
		return checks.Report{Details: map[string]any{"ratio": math.NaN()}}
	}}); err != nil {
		t.Fatal(err)
	}
	runner.Run(context.Background())
	h, err := httphealth.New(runner, httphealth.WithDetailed(httphealth.AuthenticatorFunc(func(*http.Request) error { return nil })))
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	routeHandler(t, h, "healthcheck:detailed").ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthcheck/detailed", nil))
	if !json.Valid(rec.Body.Bytes()) || !strings.Contains(rec.Body.String(), `"details":{"error":"details not encodable"}`) {
		t.Fatalf("body %s", rec.Body)
	}
}

// TestMetricsPathTakenByAHealthRoute: WithMetrics on the path of one of
// the health routes is an error naming it, not a silent clash.
func TestMetricsPathTakenByAHealthRoute(t *testing.T) {
	runner := checks.NewRunner()
	defer runner.Close()
	_, err := httphealth.New(runner, httphealth.WithMetrics("/healthcheck/live", http.NotFoundHandler()))
	if !errors.Is(err, httphealth.ErrDuplicateRoute) || !strings.Contains(err.Error(), "healthcheck:live") {
		t.Fatalf("err = %v", err)
	}
}
