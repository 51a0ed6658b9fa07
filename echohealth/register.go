package echohealth

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"

	"github.com/echofx/healthcheck/checks"
	"github.com/labstack/echo/v4"
)

// RouteName is the name of the GET {prefix}/ route, for e.Reverse.
const RouteName = "healthcheck:get"

// handler serves one Register call's routes.
type handler struct {
	runner   *checks.Runner
	cfg      config
	failures msgCache // failure bodies of the public route and /ready
	reasons  msgCache // not-ready bodies of /ready
}

// Register adds the health routes of runner to r (an *echo.Echo or an
// *echo.Group), under WithPrefix (default "/healthcheck"):
//
//	GET, HEAD {prefix}/ and {prefix}   public status    names healthcheck:get, healthcheck:head,
//	                                                    healthcheck:get:noslash, healthcheck:head:noslash
//	GET, HEAD {prefix}/live            liveness         healthcheck:live, healthcheck:live:head
//	GET, HEAD {prefix}/ready           readiness        healthcheck:ready, healthcheck:ready:head
//	GET {prefix}/detailed              with WithDetailed  healthcheck:detailed
//	GET {prefix}/detailed/:check       with WithDetailed  healthcheck:detailed:check
//
// It adds no middleware to r: the detailed routes authenticate inside
// their handler, so unknown paths under the prefix keep Echo's 404.
// Register validates everything before adding any route and returns a
// *ConfigError wrapping ErrInvalidConfig on a nil router or runner, a bad
// prefix, level or failure status, or a nil Authenticator. It does not
// start the runner; the routes read it with Runner.Latest. Registering
// twice on one Echo needs distinct prefixes, and e.Reverse then finds
// either route named healthcheck:get.
func Register(r Router, runner *checks.Runner, opts ...Option) error {
	if isNil(r) {
		return configErr("router", ErrInvalidConfig, "nil")
	}
	if runner == nil {
		return configErr("runner", ErrInvalidConfig, "nil")
	}
	cfg := defaultConfig()
	for _, o := range opts {
		if o != nil {
			o.apply(&cfg)
		}
	}
	prefix, err := cleanPrefix(cfg.prefix)
	if err != nil {
		return err
	}
	cfg.prefix = prefix
	if cfg.level > checks.LevelComprehensive {
		return configErr("WithLevel", ErrInvalidConfig, fmt.Sprintf("unknown level %d", cfg.level))
	}
	if cfg.failureStatus != http.StatusInternalServerError && cfg.failureStatus != http.StatusServiceUnavailable {
		return configErr("WithFailureStatus", ErrInvalidConfig, fmt.Sprintf("%d: want 500 or 503", cfg.failureStatus))
	}
	if cfg.detailed && isNil(cfg.auth) {
		return configErr("WithDetailed", ErrInvalidConfig, "nil Authenticator")
	}
	if isNil(cfg.readiness) {
		cfg.readiness = nil
	}
	if isNil(cfg.liveness) {
		cfg.liveness = nil
	}

	h := &handler{runner: runner, cfg: cfg}
	add := func(method, path, name string, fn echo.HandlerFunc) {
		r.Add(method, path, fn).Name = name
	}
	// The slash-less spelling goes first: with an empty prefix on an
	// *echo.Echo both spellings are "/", and the named route must win.
	add(http.MethodGet, prefix, "healthcheck:get:noslash", h.public)
	add(http.MethodHead, prefix, "healthcheck:head:noslash", h.public)
	add(http.MethodGet, prefix+"/", RouteName, h.public)
	add(http.MethodHead, prefix+"/", "healthcheck:head", h.public)
	add(http.MethodGet, prefix+"/live", "healthcheck:live", h.live)
	add(http.MethodHead, prefix+"/live", "healthcheck:live:head", h.live)
	add(http.MethodGet, prefix+"/ready", "healthcheck:ready", h.ready)
	add(http.MethodHead, prefix+"/ready", "healthcheck:ready:head", h.ready)
	if cfg.detailed {
		add(http.MethodGet, prefix+"/detailed", "healthcheck:detailed", h.detailed)
		add(http.MethodGet, prefix+"/detailed/:check", "healthcheck:detailed:check", h.detailedCheck)
	}
	return nil
}

// cleanPrefix validates p and drops a trailing slash.
func cleanPrefix(p string) (string, error) {
	p = strings.TrimRight(p, "/")
	if p != "" && p[0] != '/' {
		return "", configErr("WithPrefix", ErrInvalidConfig, fmt.Sprintf("%q must start with /", p))
	}
	if strings.ContainsAny(p, ":*?# \t\r\n") {
		return "", configErr("WithPrefix", ErrInvalidConfig, fmt.Sprintf("%q must not contain ':', '*', '?', '#' or spaces", p))
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
