package echohealth

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

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
func (h *handler) live(c echo.Context) error {
	if l := h.cfg.liveness; l != nil && !l.Live() {
		return write(c, http.StatusServiceUnavailable, bodyNotLive)
	}
	return write(c, http.StatusOK, bodyOK)
}

// ready answers /ready: 503 with the readiness reason while not ready
// (the checks are not read then), 503 with the failure message when a
// required check of the configured level fails, else like the public route.
func (h *handler) ready(c echo.Context) error {
	if r := h.cfg.readiness; r != nil {
		if ok, reason := r.Readiness(); !ok {
			if reason == "" {
				reason = "not ready"
			}
			return write(c, http.StatusServiceUnavailable, h.reasons.get(reason))
		}
	}
	snap := h.runner.LatestAt(c.Request().Context(), h.cfg.level)
	if b := okBody(snap.StatusAt(h.cfg.level)); b != nil {
		return write(c, http.StatusOK, b)
	}
	return write(c, http.StatusServiceUnavailable, h.failureBody(snap))
}
