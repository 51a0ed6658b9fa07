package httpx_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/echofx/healthcheck/internal/httpx"
)

// MetricsPathRule judges a path without its leading slash by its first
// segment too ("ready" was read as "eady").
func TestMetricsPathRuleWithoutSlash(t *testing.T) {
	if rule := httpx.MetricsPathRule("", "ready"); !strings.Contains(rule, "must not start with /ready") {
		t.Fatalf(`MetricsPathRule("", "ready") = %q, want the /ready rule`, rule)
	}
}

func TestValidDegradedStatus(t *testing.T) {
	for code, want := range map[int]bool{200: true, 207: true, 503: true, 204: false, 205: false, 304: false, 199: false, 600: false, 299: false} {
		if got := httpx.ValidDegradedStatus(code); got != want {
			t.Errorf("ValidDegradedStatus(%d) = %v, want %v", code, got, want)
		}
	}
}

// SetPathValue unescapes a value matched on the escaped path, as
// http.ServeMux would have, and keeps an invalid escape raw.
func TestSetPathValue(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/healthcheck/detailed/a%2Fb", nil)
	httpx.SetPathValue(r, "check", "a%2Fb")
	if got := r.PathValue("check"); got != "a/b" {
		t.Errorf("escaped: %q", got)
	}
	httpx.SetPathValue(r, "check", "a%zz")
	if got := r.PathValue("check"); got != "a%zz" {
		t.Errorf("invalid escape: %q", got)
	}
	r = httptest.NewRequest(http.MethodGet, "/healthcheck/detailed/ab", nil)
	httpx.SetPathValue(r, "check", "a%41")
	if got := r.PathValue("check"); got != "a%41" {
		t.Errorf("unescaped path: %q", got)
	}
}
