package httphealth_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/httphealth"
)

// TestDetailedCompact: compact=N sends the healthy checks compact once the
// answer holds more than N checks; the others keep their series, without
// history; without compact, or at most N checks, nothing changes.
func TestDetailedCompact(t *testing.T) {
	runner := checks.NewRunner()
	defer runner.Close()
	for i := range 30 {
		f := checks.FromFunc(func(context.Context) error { return nil })
		if i == 3 {
			f = checks.FromFunc(func(context.Context) error { return errors.New("down") })
		}
		if err := runner.Register(checks.Check{Name: fmt.Sprintf("c%02d", i), Func: f}); err != nil {
			t.Fatal(err)
		}
	}
	runner.Run(context.Background())
	h, err := httphealth.New(runner, httphealth.WithDetailed(httphealth.AuthenticatorFunc(func(*http.Request) error { return nil })))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	if err := h.Mount(mux); err != nil {
		t.Fatal(err)
	}
	get := func(query string) (int, map[string]map[string]any, int) {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthcheck/detailed?"+query, nil))
		var body struct {
			Checks map[string]map[string]any `json:"checks"`
		}
		_ = json.Unmarshal(rec.Body.Bytes(), &body)
		return rec.Code, body.Checks, rec.Body.Len()
	}
	_, full, fullLen := get("series=1&history=1")
	code, compact, compactLen := get("series=1&history=1&compact=24")
	if code != http.StatusOK || len(compact) != 30 {
		t.Fatalf("compact: HTTP %d, %d checks", code, len(compact))
	}
	ok, bad := compact["c00"], compact["c03"]
	if ok["compact"] != true || ok["details"] != nil || ok["history"] != nil || ok["status"] != "healthy" {
		t.Errorf("healthy check not compact: %v", ok)
	}
	if tr, _ := ok["trends"].(map[string]any); tr["short"] == nil || tr["long"] != nil || tr["series"] != nil {
		t.Errorf("compact trends %v, want the short window only", tr)
	}
	if tr, _ := bad["trends"].(map[string]any); bad["compact"] != nil || tr["series"] == nil || bad["history"] != nil || bad["error"] != "down" {
		t.Errorf("failing check %v, want it whole with its series and without history", bad)
	}
	if full["c00"]["compact"] != nil || full["c00"]["history"] == nil {
		t.Errorf("without compact the answer changed: %v", full["c00"])
	}
	if compactLen*4 > fullLen {
		t.Errorf("compact answer %d bytes, full %d: want at most a quarter", compactLen, fullLen)
	}
	if _, few, _ := get("series=1&compact=30"); few["c00"]["compact"] != nil {
		t.Errorf("30 checks with compact=30 compacted: %v", few["c00"])
	}
	for _, q := range []string{"compact=-1", "compact=x"} {
		if code, _, _ := get(q); code != http.StatusBadRequest {
			t.Errorf("%s: HTTP %d, want 400", q, code)
		}
	}
}

// TestDetailedCompactWithoutTrends: with trends off, compact=N keeps the
// history of the checks sent whole: it is their only sparkline.
func TestDetailedCompactWithoutTrends(t *testing.T) {
	runner := checks.NewRunner(checks.WithTrendWindows(0, 0))
	defer runner.Close()
	for _, name := range []string{"a", "b"} {
		f := checks.FromFunc(func(context.Context) error { return errors.New("down") })
		if err := runner.Register(checks.Check{Name: name, Func: f}); err != nil {
			t.Fatal(err)
		}
	}
	runner.Run(context.Background())
	h, err := httphealth.New(runner, httphealth.WithDetailed(httphealth.AuthenticatorFunc(func(*http.Request) error { return nil })))
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	routeHandler(t, h, "healthcheck:detailed").ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthcheck/detailed?series=1&history=1&compact=0", nil))
	var body struct {
		Checks map[string]map[string]any `json:"checks"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if body.Checks["a"]["history"] == nil {
		t.Errorf("trends off: the failing check lost its history: %v", body.Checks["a"])
	}
	rec = httptest.NewRecorder()
	routeHandler(t, h, "healthcheck:detailed").ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthcheck/detailed?series=1", nil))
	if !json.Valid(rec.Body.Bytes()) {
		t.Errorf("trends off, series=1: invalid JSON %s", rec.Body)
	}
}
