package httphealth

import "net/http"

// Readiness tells whether the service should receive traffic. The
// lifecycle package's *Lifecycle satisfies it. Readiness must be cheap and
// must not block: /ready calls it on every request.
type Readiness interface {
	// Readiness reports whether the service is ready and, when it is not,
	// a short public reason such as "starting" or "draining" (empty reads
	// "not ready").
	Readiness() (ready bool, reason string)
}

// Liveness tells whether the process is healthy enough to keep running.
// It must be cheap, must not block and must not depend on external
// systems (a dependency outage would restart every replica).
type Liveness interface {
	// Live reports whether the process should be kept running.
	Live() bool
}

// live answers /live: 200 while the process serves, 503 when the
// configured Liveness says false. It runs no check.
func (h *Handlers) live(w http.ResponseWriter, r *http.Request) {
	if r.URL.RawQuery != "" && parseProbeQuery(r).verbose {
		h.serveLiveVerbose(w, r)
		return
	}
	if l := h.cfg.liveness; l != nil && !l.Live() {
		write(w, r, http.StatusServiceUnavailable, bodyNotLive)
		return
	}
	write(w, r, http.StatusOK, bodyOK)
}

// ready answers /ready: 503 with the readiness reason while not ready
// (the checks are not read then), 503 with the failure message when a
// required check of the configured level fails, else like the public route.
func (h *Handlers) ready(w http.ResponseWriter, r *http.Request) {
	notReady := h.notReady()
	var q probeQuery
	if r.URL.RawQuery != "" {
		q = parseProbeQuery(r)
	}
	if notReady != "" && !q.verbose { // the checks are not read then
		write(w, r, http.StatusServiceUnavailable, h.reasons.get(notReady))
		return
	}
	snap, local := h.probeRead(r)
	if q.active() {
		h.serveSelection(w, r, q, snap, local, probeScope{name: "ready", failure: http.StatusServiceUnavailable,
			failures: &h.failures, gate: h.cfg.readiness != nil, notReady: notReady})
		return
	}
	if code, b := h.okBody(snapStatus(snap, h.cfg.level, local)); b != nil {
		write(w, r, code, b)
		return
	}
	write(w, r, http.StatusServiceUnavailable, h.failureBody(&h.failures, snapMessage(snap, h.cfg.level, local)))
}

// notReady asks the Readiness, if any: "" when ready, else its public
// reason ("not ready" when it gives none).
func (h *Handlers) notReady() string {
	rd := h.cfg.readiness
	if rd == nil {
		return ""
	}
	ok, reason := rd.Readiness()
	switch {
	case ok:
		return ""
	case reason == "":
		return "not ready"
	}
	return reason
}
