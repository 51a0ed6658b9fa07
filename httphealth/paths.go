package httphealth

import (
	"fmt"
	"strings"
)

// routeSegments are the first path segments of the routes under the
// prefix: those served today and those reserved for routes to come
// (group, startup). With an empty prefix they are the paths that a
// metrics route must keep off; a new route's first segment belongs here.
var routeSegments = []string{"live", "ready", "detailed", "status", "group", "startup"}

// CheckMetricsPath reports whether a metrics route at path (WithMetrics)
// may share a router with the health routes under prefix (WithPrefix),
// both taken as those options take them (a trailing "/" dropped). The
// rule, which holds for every route this package adds now or later:
//
//   - with a prefix, path must lie outside it: neither the prefix itself
//     nor anything under prefix + "/";
//   - with the empty prefix (routes at the root), path must not be "/"
//     nor start with the segment of a health route, served or not:
//     live, ready, detailed, status, group or startup.
//
// So no metrics path can shadow a health route or be shadowed by one
// (e.g. "/healthcheck/detailed/database" would otherwise answer
// Prometheus text where a check's details are expected). It returns nil
// or a *ConfigError for "WithMetrics" wrapping ErrInvalidConfig whose
// Detail states the rule. New applies it; healthfx checks the same rule
// when it loads its configuration.
func CheckMetricsPath(prefix, path string) error {
	prefix = strings.TrimRight(prefix, "/")
	p := strings.TrimRight(path, "/")
	switch {
	case p == "":
		return configErr("WithMetrics", ErrInvalidConfig, fmt.Sprintf(`%q: the metrics route needs a path of its own, such as "/metrics"`, path))
	case prefix != "" && (p == prefix || strings.HasPrefix(p, prefix+"/")):
		return configErr("WithMetrics", ErrInvalidConfig, fmt.Sprintf(`%q: must lie outside the health prefix %q, where it would shadow a health route or be shadowed by one`, path, prefix))
	case prefix == "":
		first, _, _ := strings.Cut(strings.TrimLeft(p, "/"), "/")
		for _, s := range routeSegments {
			if first == s {
				return configErr("WithMetrics", ErrInvalidConfig, fmt.Sprintf(`%q: with the routes at the root, must not start with /%s (the segment of a health route: %s)`, path, s, strings.Join(routeSegments, ", ")))
			}
		}
	}
	return nil
}
