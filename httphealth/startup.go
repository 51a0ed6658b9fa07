package httphealth

import "net/http"

// Startup tells whether the application's start-up is over: for the
// lifecycle package's *Lifecycle, whether its startup gate passed. It
// must be cheap and must not block: {prefix}/startup calls it on every
// request.
type Startup interface {
	// Started reports whether start-up is over and, when it is not, a
	// short public reason such as "starting" or "startup failed" (empty
	// reads "starting"). Once true it should stay true: a Kubernetes
	// startupProbe is not asked again after it passed, and a startup
	// route that failed later would say nothing useful.
	Started() (started bool, reason string)
}

// WithStartup sets what {prefix}/startup asks (default: the Readiness of
// WithReadiness when it also implements Startup, as *lifecycle.Lifecycle
// does; else nothing, and the route answers 200 as soon as it serves). It
// is for a start-up signal other than lifecycle's: healthfx passes its
// *lifecycle.Lifecycle to WithReadiness and needs no WithStartup.
func WithStartup(s Startup) Option {
	return optionFunc(func(c *config) { c.startup = s })
}

// WithoutStartup leaves out the {prefix}/startup routes (default: served).
func WithoutStartup() Option {
	return optionFunc(func(c *config) { c.noStartup = true })
}

// startup answers {prefix}/startup, for a Kubernetes startupProbe: 503
// {"status":"error","error":"starting"} (or the Startup's other reason,
// e.g. "startup failed") until start-up is over, then 200
// {"status":"success","data":{"health":"ok"}} for good, also while the
// service drains. It reads no check: whether the dependencies are up now
// is /ready's question. With ?verbose it answers text (see Verbose).
func (h *Handlers) startup(w http.ResponseWriter, r *http.Request) {
	started, reason := h.started()
	if r.URL.RawQuery != "" && parseProbeQuery(r).verbose {
		h.writeStartupVerbose(w, r, started, reason)
		return
	}
	if started {
		write(w, r, http.StatusOK, bodyOK)
		return
	}
	write(w, r, http.StatusServiceUnavailable, h.reasons.get(reason))
}

// started asks the Startup, if any; a false answer always has a reason.
func (h *Handlers) started() (bool, string) {
	s := h.cfg.startup
	if s == nil {
		return true, ""
	}
	ok, reason := s.Started()
	if !ok && reason == "" {
		reason = "starting"
	}
	return ok, reason
}
