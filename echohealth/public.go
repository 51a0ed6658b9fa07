package echohealth

import (
	"net/http"

	"github.com/echofx/healthcheck/checks"
	"github.com/labstack/echo/v4"
)

// public answers the seed spec's route: 200 ok or degraded, else the
// configured failure status with the failing required checks' message.
// A cached read allocates nothing beyond what Echo does.
func (h *handler) public(c echo.Context) error {
	snap := h.runner.LatestAt(c.Request().Context(), h.cfg.level)
	if b := okBody(snap.StatusAt(h.cfg.level)); b != nil {
		return write(c, http.StatusOK, b)
	}
	return write(c, h.cfg.failureStatus, h.failureBody(snap))
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
func (h *handler) failureBody(snap *checks.Snapshot) *body {
	if !h.cfg.publicErrors {
		return bodyUnhealthy
	}
	msg := snap.MessageAt(h.cfg.level)
	if msg == "" {
		return bodyUnhealthy
	}
	return h.failures.get(msg)
}
