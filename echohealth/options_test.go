package echohealth_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/echofx/healthcheck/httphealth"
)

func TestPrefixes(t *testing.T) {
	cases := []struct {
		prefix string
		paths  []string
	}{
		{"/health/", []string{"/health/", "/health", "/health/live", "/health/ready"}},
		{"/a/b", []string{"/a/b/", "/a/b", "/a/b/live", "/a/b/ready"}},
		{"", []string{"/", "/live", "/ready"}},
		{"/", []string{"/", "/live", "/ready"}},
	}
	for _, tc := range cases {
		t.Run(tc.prefix, func(t *testing.T) {
			e := newEcho(t, newRunner(t), httphealth.WithPrefix(tc.prefix))
			for _, p := range tc.paths {
				for _, m := range []string{http.MethodGet, http.MethodHead} {
					if rec := do(e, m, p); rec.Code != 200 {
						t.Errorf("%s %s: %d", m, p, rec.Code)
					}
				}
			}
			if got := e.Reverse(httphealth.RouteName); got != strings.TrimRight(tc.prefix, "/")+"/" {
				t.Errorf("Reverse = %q", got)
			}
		})
	}
}
