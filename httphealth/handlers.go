package httphealth

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"

	"github.com/echofx/healthcheck/checks"
)

// Handlers are the health routes of one runner, as plain http.Handlers.
// Build them with New, then mount them with Mount (an *http.ServeMux) or
// through Routes (any other router; the Echo adapters do that). They are
// safe for concurrent use and hold no goroutine.
type Handlers struct {
	runner   *checks.Runner
	cfg      config
	failures msgCache // failure bodies of the public route and /ready
	reasons  msgCache // not-ready bodies of /ready
	frags    fragCache
	routes   []Route
}

// New validates opts and returns the handlers of runner. It returns a
// *ConfigError wrapping ErrInvalidConfig on a nil runner, a bad prefix,
// metrics path, level or failure status, or a nil Authenticator. It does
// not start the runner; the routes read it with Runner.LatestAt and
// Runner.Latest.
func New(runner *checks.Runner, opts ...Option) (*Handlers, error) {
	if runner == nil {
		return nil, configErr("runner", ErrInvalidConfig, "nil")
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
		if p == "" {
			return nil, configErr("WithMetrics", ErrInvalidConfig, "empty path")
		}
		if isNil(cfg.metrics) {
			return nil, configErr("WithMetrics", ErrInvalidConfig, "nil handler")
		}
		cfg.metricsPath = p
	}
	if cfg.level > checks.LevelComprehensive {
		return nil, configErr("WithLevel", ErrInvalidConfig, fmt.Sprintf("unknown level %d", cfg.level))
	}
	if cfg.failureStatus != http.StatusInternalServerError && cfg.failureStatus != http.StatusServiceUnavailable {
		return nil, configErr("WithFailureStatus", ErrInvalidConfig, fmt.Sprintf("%d: want 500 or 503", cfg.failureStatus))
	}
	if cfg.detailed && isNil(cfg.auth) {
		return nil, configErr("WithDetailed", ErrInvalidConfig, "nil Authenticator")
	}
	if isNil(cfg.readiness) {
		cfg.readiness = nil
	}
	if isNil(cfg.liveness) {
		cfg.liveness = nil
	}
	h := &Handlers{runner: runner, cfg: cfg}
	h.routes = h.buildRoutes()
	if cfg.metricsPath != "" {
		for _, rt := range h.routes {
			if rt.Name != "healthcheck:metrics" && rt.Name != "healthcheck:metrics:head" && rt.Param == "" && rt.Path == cfg.metricsPath {
				return nil, configErr("WithMetrics", ErrDuplicateRoute, fmt.Sprintf("%q is the path of %s", cfg.metricsPath, rt.Name))
			}
		}
	}
	return h, nil
}

// cleanPath validates p and drops a trailing slash; option names the
// setting in the error.
func cleanPath(option, p string) (string, error) {
	p = strings.TrimRight(p, "/")
	if p != "" && p[0] != '/' {
		return "", configErr(option, ErrInvalidConfig, fmt.Sprintf("%q must start with /", p))
	}
	if strings.ContainsAny(p, ":*?#{} \t\r\n\x00") {
		return "", configErr(option, ErrInvalidConfig, fmt.Sprintf("%q must not contain ':', '*', '?', '#', '{', '}' or spaces", p))
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
