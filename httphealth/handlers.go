package httphealth

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/internal/httpx"
)

// Handlers are the health routes of one runner, as plain http.Handlers.
// Build them with New, then mount them with Mount (an *http.ServeMux) or
// through Routes (any other router; the Echo adapters do that). They are
// safe for concurrent use and hold no goroutine.
type Handlers struct {
	runner   *checks.Runner
	fast     fastPath // the runner's atomics read by the public route's fast path
	cfg      config
	failures msgCache // failure bodies of the public route and /ready
	reasons  msgCache // not-ready bodies of /ready
	frags    fragCache
	etags    etagState         // ETags of the detailed routes (etag.go)
	groups   map[string]*group // WithGroups, by name
	routes   []Route
}

// New validates opts and returns the handlers of runner. It returns a
// *checks.ConfigError (errors.Is checks.ErrInvalidConfig) naming the
// option on a nil runner, a bad prefix, metrics path, level, failure or
// degraded status, or a nil Authenticator, and when a group of WithGroups
// is invalid (the error names the group and, when one is at fault, the
// check; see checks.ValidateGroups): the checks of a group must be
// registered on runner before New. The metrics path must lie outside the
// prefix and, with the routes at the root, off the first segment of every
// health route (live, ready, detailed, status, group, startup), so that it
// neither shadows a health route nor is shadowed by one. It does not
// start the runner; the routes read it with Runner.Latest and
// Runner.Latest.
func New(runner *checks.Runner, opts ...Option) (*Handlers, error) {
	if runner == nil {
		return nil, configErr("runner", checks.ErrInvalidConfig, "nil")
	}
	cfg := defaultConfig()
	for _, o := range opts {
		if o != nil {
			o.apply(&cfg)
		}
	}
	prefix, err := cleanPath("WithPrefix", cfg.prefix)
	if err != nil {
		return nil, err
	}
	cfg.prefix = prefix
	if cfg.metricsPath != "" {
		p, err := cleanPath("WithMetrics", cfg.metricsPath)
		if err != nil {
			return nil, err
		}
		if p == "" { // "/": the root
			return nil, checkMetricsPath(cfg.prefix, cfg.metricsPath)
		}
		if isNil(cfg.metrics) {
			return nil, configErr("WithMetrics", checks.ErrInvalidConfig, "nil handler")
		}
		cfg.metricsPath = p
	}
	if cfg.level > checks.LevelComprehensive {
		return nil, configErr("WithLevel", checks.ErrInvalidConfig, fmt.Sprintf("unknown level %d", cfg.level))
	}
	if cfg.failureStatus != http.StatusInternalServerError && cfg.failureStatus != http.StatusServiceUnavailable {
		return nil, configErr("WithFailureStatus", checks.ErrInvalidConfig, fmt.Sprintf("%d: want 500 or 503", cfg.failureStatus))
	}
	if !httpx.ValidDegradedStatus(cfg.degradedStatus) {
		return nil, configErr("WithDegradedStatus", checks.ErrInvalidConfig, fmt.Sprintf("%d: want a status code from 200 to 599 that carries a body", cfg.degradedStatus))
	}
	if err := checks.ValidateGroups(cfg.groups, func(n string) bool { _, ok := runner.Lookup(n); return ok }); err != nil {
		return nil, fmt.Errorf("httphealth: WithGroups: %w", err) // the group's *checks.ConfigError
	}
	if cfg.detailed && isNil(cfg.auth) {
		return nil, configErr("WithDetailed", checks.ErrInvalidConfig, "nil Authenticator")
	}
	if isNil(cfg.readiness) {
		cfg.readiness = nil
	}
	if isNil(cfg.liveness) {
		cfg.liveness = nil
	}
	if isNil(cfg.startup) {
		cfg.startup = nil
	}
	if s, ok := cfg.readiness.(Startup); ok && cfg.startup == nil {
		cfg.startup = s // a *lifecycle.Lifecycle is both
	}
	h := &Handlers{runner: runner, fast: newFastPath(runner), cfg: cfg}
	h.groups = newGroups(cfg.groups)
	h.routes = h.buildRoutes()
	if cfg.metricsPath != "" {
		for _, rt := range h.routes {
			if rt.Name != "healthcheck:metrics" && rt.Name != "healthcheck:metrics:head" && rt.Param == "" && rt.Path == cfg.metricsPath {
				return nil, configErr("WithMetrics", ErrDuplicateRoute, fmt.Sprintf("%q is the path of %s", cfg.metricsPath, rt.Name))
			}
		}
		if err := checkMetricsPath(cfg.prefix, cfg.metricsPath); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// cleanPath validates p and drops a trailing slash; option names the
// setting in the error.
func cleanPath(option, p string) (string, error) {
	p = strings.TrimRight(p, "/")
	if p != "" && p[0] != '/' {
		return "", configErr(option, checks.ErrInvalidConfig, fmt.Sprintf("%q must start with /", p))
	}
	if strings.ContainsAny(p, ":*?#{} \t\r\n\x00") {
		return "", configErr(option, checks.ErrInvalidConfig, fmt.Sprintf("%q must not contain ':', '*', '?', '#', '{', '}' or spaces", p))
	}
	return p, nil
}

// isNil reports whether v is nil or an interface holding a nil pointer,
// func, map, slice, channel or interface.
func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Func, reflect.Map, reflect.Slice, reflect.Chan, reflect.Interface, reflect.UnsafePointer:
		return rv.IsNil()
	}
	return false
}
