package httphealth_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDetailedHealthJSON(t *testing.T) {
	e := detailedFixture(t, 0)
	cases := []struct {
		target, accept string
		wantCode       int
		wantStatus     string
		wantKeys       []string
	}{
		{"/healthcheck/detailed", "application/health+json", 503, "fail", []string{"cache:responseTime", "database:responseTime", "disk:responseTime"}},
		{"/healthcheck/detailed?level=standard", "application/json;q=0.5, application/health+json", 200, "warn", []string{"cache:responseTime", "database:responseTime"}},
		{"/healthcheck/detailed?level=basic", "Application/Health+JSON; charset=utf-8", 200, "pass", []string{"database:responseTime"}},
		{"/healthcheck/detailed/disk", "application/health+json", 503, "fail", []string{"disk:responseTime"}},
	}
	for _, tc := range cases {
		t.Run(tc.target, func(t *testing.T) {
			rec := do(e, http.MethodGet, tc.target, "Authorization", "Bearer good", "Accept", tc.accept)
			if rec.Code != tc.wantCode {
				t.Fatalf("code = %d, want %d: %s", rec.Code, tc.wantCode, rec.Body)
			}
			assertHealthHeaders(t, rec.Header(), "application/health+json")
			var body struct {
				Status  string `json:"status"`
				Version string `json:"version"`
				Checks  map[string][]struct {
					Status        string   `json:"status"`
					ObservedValue *float64 `json:"observedValue"`
					ObservedUnit  string   `json:"observedUnit"`
					Time          string   `json:"time"`
					Output        *string  `json:"output"`
				} `json:"checks"`
			}
			dec := json.NewDecoder(rec.Body)
			dec.DisallowUnknownFields()
			if err := dec.Decode(&body); err != nil {
				t.Fatal(err)
			}
			if body.Status != tc.wantStatus || body.Version != "1.2.3" {
				t.Errorf("status %q version %q", body.Status, body.Version)
			}
			if got := keys(body.Checks); !slices.Equal(got, tc.wantKeys) {
				t.Errorf("checks = %v, want %v", got, tc.wantKeys)
			}
			for k, list := range body.Checks {
				if len(list) != 1 {
					t.Fatalf("%s: %d entries", k, len(list))
				}
				c := list[0]
				if c.ObservedValue == nil || c.ObservedUnit != "ms" {
					t.Errorf("%s = %+v", k, c)
				}
				if _, err := time.Parse(time.RFC3339Nano, c.Time); err != nil {
					t.Errorf("%s time: %v", k, err)
				}
				wantOutput := map[string]string{"cache:responseTime": "slow response", "disk:responseTime": "disk: 99% full"}[k]
				if (c.Output == nil && wantOutput != "") || (c.Output != nil && *c.Output != wantOutput) {
					t.Errorf("%s output = %v, want %q", k, c.Output, wantOutput)
				}
				wantStatus := map[string]string{"cache:responseTime": "warn", "database:responseTime": "pass", "disk:responseTime": "fail"}[k]
				if c.Status != wantStatus {
					t.Errorf("%s status = %q, want %q", k, c.Status, wantStatus)
				}
			}
		})
	}
	// q=0 refuses the IETF format.
	rec := do(e, http.MethodGet, "/healthcheck/detailed", "Authorization", "Bearer good", "Accept", "application/health+json;q=0, application/json")
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Errorf("q=0: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
}
