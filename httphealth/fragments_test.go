package httphealth_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
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
