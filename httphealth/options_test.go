package httphealth_test

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
			h, err := httphealth.New(newRunner(t), httphealth.WithPrefix(tc.prefix))
			if err != nil {
				t.Fatal(err)
			}
			e := http.NewServeMux()
			if err := h.Mount(e); err != nil {
				t.Fatal(err)
			}
			for _, p := range tc.paths {
				for _, m := range []string{http.MethodGet, http.MethodHead} {
					if rec := do(e, m, p); rec.Code != 200 {
						t.Errorf("%s %s: %d", m, p, rec.Code)
					}
				}
			}
			for _, rt := range h.Routes() {
				if rt.Name == httphealth.RouteName && rt.Path != strings.TrimRight(tc.prefix, "/")+"/" {
					t.Errorf("%s at %q", httphealth.RouteName, rt.Path)
				}
			}
		})
	}
}
