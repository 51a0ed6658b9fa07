package httphealth

import (
	"net/http"

	"github.com/echofx/healthcheck/checks"
)

// Public answers the public route: 200 {"status":"success","data":{"health":"ok"}}
// (or "degraded") when the checks of the configured level pass, else the
// configured failure status with {"status":"error","error":"<message>"}.
// A cached read allocates nothing.
func (h *Handlers) Public() http.Handler { return http.HandlerFunc(h.public) }

func (h *Handlers) public(w http.ResponseWriter, r *http.Request) {
	snap := h.runner.LatestAt(r.Context(), h.cfg.level)
	if b := okBody(snap.StatusAt(h.cfg.level)); b != nil {
		write(w, r, http.StatusOK, b)
		return
	}
	write(w, r, h.cfg.failureStatus, h.failureBody(snap))
}

// okBody returns the success body for a passing status, nil otherwise.
func okBody(s checks.Status) *body {
	switch s {
	case checks.StatusHealthy:
		return bodyOK
	case checks.StatusDegraded:
		return bodyDegraded
	}
	return nil
}

// failureBody is {"status":"error","error":<MessageAt(level)>}, encoded
// once per distinct message, or the constant "unhealthy" body when public
// errors are hidden.
func (h *Handlers) failureBody(snap *checks.Snapshot) *body {
	if !h.cfg.publicErrors {
		return bodyUnhealthy
	}
	msg := snap.MessageAt(h.cfg.level)
	if msg == "" {
		return bodyUnhealthy
	}
	return h.failures.get(msg)
}
