package httphealth

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/echofx/healthcheck/checks"
)

// RouteName is the name of the GET {prefix}/ route, for reverse lookup in
// routers that name routes (Echo's e.Reverse).
const RouteName = "healthcheck:get"

// Route is one route of Handlers, for adapters of routers other than
// http.ServeMux (echohealth and echov5health read it): register Handler
// for Method at Path, with the final path segment a parameter named Param
// when Param is set (":check" in Echo's syntax, "{check}" in ServeMux's),
// under Name. HEAD routes are listed explicitly for routers whose GET
// routes do not answer HEAD. Each Handler is the whole route: it reads
// the snapshot once and writes the answer.
type Route struct {
	Method string
	// Path is the full path (prefix included) up to the parameter, if any.
	Path string
	// Param names the path parameter that follows Path ("" for none); the
	// adapter must set it as the request's path value (r.PathValue(Param)
	// is what the handler reads), unescaped as http.ServeMux would.
	Param string
	// Name is the route's name, e.g. RouteName.
	Name string
	// Auth reports whether Handler authenticates the request itself (the
	// detailed routes): an adapter whose authenticator needs the router's
	// own request context puts it in the request's context for these
	// routes only, under a key of its own.
	Auth    bool
	Handler http.Handler
}

// Routes lists the routes New configured, in registration order:
//
//	GET, HEAD {prefix} and {prefix}/   public status   healthcheck:get:noslash, healthcheck:head:noslash,
//	                                                   healthcheck:get, healthcheck:head
//	GET, HEAD {prefix}/live            liveness        healthcheck:live, healthcheck:live:head   (unless WithoutLive)
//	GET, HEAD {prefix}/ready           readiness       healthcheck:ready, healthcheck:ready:head (unless WithoutReady)
//	GET, HEAD {prefix}/startup         startup gate    healthcheck:startup, healthcheck:startup:head (unless WithoutStartup)
//	GET, HEAD {prefix}/group/{group}   with WithGroups healthcheck:group, healthcheck:group:head
//	GET, HEAD {prefix}/detailed        with WithDetailed  healthcheck:detailed, healthcheck:detailed:head
//	GET, HEAD {prefix}/detailed/{check} with WithDetailed healthcheck:detailed:check, healthcheck:detailed:check:head
//	GET, HEAD, POST, DELETE {prefix}/maintenance  with WithDetailed and a Readiness that is a Maintainer
//	                                   healthcheck:maintenance, healthcheck:maintenance:head,
//	                                   healthcheck:maintenance:post, healthcheck:maintenance:delete
//	GET, HEAD {prefix}/status          with WithDetailed, unless WithoutStatusPage  healthcheck:status, healthcheck:status:head
//	GET, HEAD {prefix}/fleet           with WithDetailed and WithFleet  healthcheck:fleet, healthcheck:fleet:head
//	GET, HEAD {metrics path}           with WithMetrics   healthcheck:metrics, healthcheck:metrics:head
//
// The slash-less spelling comes first: with an empty prefix both
// spellings are "/", and a router that keeps the last registration then
// keeps the one named healthcheck:get. The caller must not modify the
// returned slice.
func (h *Handlers) Routes() []Route { return h.routes }

func (h *Handlers) buildRoutes() []Route {
	p := h.cfg.prefix
	var rs []Route
	add := func(path, param, name string, auth bool, hd http.Handler) {
		rs = append(rs,
			Route{Method: http.MethodGet, Path: path, Param: param, Name: name, Auth: auth, Handler: hd},
			Route{Method: http.MethodHead, Path: path, Param: param, Name: headName(name), Auth: auth, Handler: hd})
	}
	public := publicHandler{h}
	add(p, "", "healthcheck:get:noslash", false, public)
	add(p+"/", "", RouteName, false, public)
	if !h.cfg.noLive {
		add(p+"/live", "", "healthcheck:live", false, http.HandlerFunc(h.live))
	}
	if !h.cfg.noReady {
		add(p+"/ready", "", "healthcheck:ready", false, http.HandlerFunc(h.ready))
	}
	if !h.cfg.noStartup {
		add(p+"/startup", "", "healthcheck:startup", false, http.HandlerFunc(h.startup))
	}
	if len(h.groups) > 0 {
		add(p+"/group/", groupParam, "healthcheck:group", false, http.HandlerFunc(h.group))
	}
	if h.cfg.detailed {
		add(p+"/detailed", "", "healthcheck:detailed", true, http.HandlerFunc(h.detailed))
		add(p+"/detailed/", checkParam, "healthcheck:detailed:check", true, http.HandlerFunc(h.detailedCheck))
	}
	if h.maintenanceOn() {
		mt := http.HandlerFunc(h.maintenance)
		add(p+"/maintenance", "", "healthcheck:maintenance", true, mt)
		rs = append(rs,
			Route{Method: http.MethodPost, Path: p + "/maintenance", Name: "healthcheck:maintenance:post", Auth: true, Handler: mt},
			Route{Method: http.MethodDelete, Path: p + "/maintenance", Name: "healthcheck:maintenance:delete", Auth: true, Handler: mt})
	}
	if h.statusPageOn() {
		add(p+"/status", "", "healthcheck:status", false, h.statusPage())
	}
	if h.fleetOn() {
		add(p+"/fleet", "", "healthcheck:fleet", true, http.HandlerFunc(h.serveFleet))
	}
	if h.cfg.metricsPath != "" {
		add(h.cfg.metricsPath, "", "healthcheck:metrics", false, h.cfg.metrics)
	}
	return rs
}

// headName is the name of the HEAD twin of a GET route.
func headName(get string) string {
	if rest, ok := strings.CutPrefix(get, "healthcheck:get"); ok {
		return "healthcheck:head" + rest
	}
	return get + ":head"
}

// Mount registers the routes on mux with method patterns, e.g.
// "GET /healthcheck/{$}", "GET /healthcheck/detailed/{check}" and
// "POST /healthcheck/maintenance" (a GET pattern also answers HEAD). A pattern that conflicts with one already
// on mux is returned as a *checks.ConfigError with Err ErrDuplicateRoute
// naming it; http.ServeMux panics on a conflict, and Mount turns that panic into
// the error, but the routes registered before it stay.
func (h *Handlers) Mount(mux *http.ServeMux) (err error) {
	if mux == nil {
		return configErr("mux", checks.ErrInvalidConfig, "nil")
	}
	seen := make(map[string]bool, len(h.routes))
	for _, rt := range h.routes {
		pattern := serveMuxPattern(rt)
		if rt.Method == http.MethodHead || seen[pattern] { // GET answers HEAD; empty prefix: "" and "/" are one pattern
			continue
		}
		seen[pattern] = true
		if err := handle(mux, pattern, rt.Handler); err != nil {
			return err
		}
	}
	return nil
}

// serveMuxPattern is rt's http.ServeMux pattern: the method, the path,
// "{$}" after a trailing slash, and "{param}" for a parameter.
func serveMuxPattern(rt Route) string {
	path := rt.Path
	switch {
	case rt.Param != "":
		path += "{" + rt.Param + "}"
	case path == "":
		path = "/"
		fallthrough
	case strings.HasSuffix(path, "/"):
		path += "{$}"
	}
	return rt.Method + " " + path
}

func handle(mux *http.ServeMux, pattern string, hd http.Handler) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = configErr("Mount", ErrDuplicateRoute, fmt.Sprintf("%s: %v", pattern, p))
		}
	}()
	mux.Handle(pattern, hd)
	return nil
}

// ColonPath is rt's path in the ":param" syntax of Echo and most other
// routers: Path, then ":"+Param when there is one. Both Echo adapters
// register it.
func (rt Route) ColonPath() string {
	if rt.Param != "" {
		return rt.Path + ":" + rt.Param
	}
	return rt.Path
}
