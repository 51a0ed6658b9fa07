// Package httpx holds the HTTP rules that more than one package of this
// module applies: httphealth's routes and the Echo adapters, and healthfx
// when it loads its configuration, so that each rule is written once.
package httpx

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// RouteSegments are the first path segments of httphealth's routes under
// the prefix: those served today and those reserved for routes to come.
// With an empty prefix they are the paths that a metrics route must keep
// off; a new route's first segment belongs here.
var RouteSegments = []string{"live", "ready", "detailed", "status", "group", "startup"}

// MetricsPathRule returns the rule that a metrics route at path breaks
// beside the health routes under prefix (both taken with a trailing "/"
// dropped), or "" when it breaks none:
//
//   - with a prefix, path must lie outside it: neither the prefix itself
//     nor anything under prefix + "/";
//   - with the empty prefix (routes at the root), path must not be "/"
//     nor start with one of RouteSegments, served or not.
//
// So no metrics path can shadow a health route or be shadowed by one. The
// text names the prefix "the health prefix"; healthfx swaps in its
// variable's name.
func MetricsPathRule(prefix, path string) string {
	prefix = strings.TrimRight(prefix, "/")
	p := strings.TrimRight(path, "/")
	switch {
	case p == "":
		return fmt.Sprintf(`%q: the metrics route needs a path of its own, such as "/metrics"`, path)
	case prefix != "" && (p == prefix || strings.HasPrefix(p, prefix+"/")):
		return fmt.Sprintf(`%q: must lie outside the health prefix %q, where it would shadow a health route or be shadowed by one`, path, prefix)
	case prefix == "":
		first, _, _ := strings.Cut(strings.TrimLeft(p, "/"), "/")
		for _, s := range RouteSegments {
			if first == s {
				return fmt.Sprintf(`%q: with the routes at the root, must not start with /%s (the segment of a health route: %s)`, path, s, strings.Join(RouteSegments, ", "))
			}
		}
	}
	return ""
}

// ValidDegradedStatus reports whether code may answer a degraded probe: a
// status from 200 to 599 that net/http knows (http.StatusText), except
// 204, 205 and 304, which carry no body.
func ValidDegradedStatus(code int) bool {
	switch code {
	case http.StatusNoContent, http.StatusResetContent, http.StatusNotModified:
		return false
	}
	return code >= 200 && code <= 599 && http.StatusText(code) != ""
}

// SetPathValue sets r's path parameter name to value, unescaping value
// first when the router matched the escaped path (r.URL.RawPath set), as
// Echo's routers do, so a handler reads with r.PathValue what
// http.ServeMux would have set. An invalid escape sets the raw value.
func SetPathValue(r *http.Request, name, value string) {
	if r.URL.RawPath != "" {
		if v, err := url.PathUnescape(value); err == nil {
			value = v
		}
	}
	r.SetPathValue(name, value)
}
