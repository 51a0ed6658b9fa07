package httphealth

import (
	"context"
	"net/http"

	"github.com/echofx/healthcheck/checks"
)

// FleetSource answers GET {prefix}/fleet: the whole service's instances,
// availability and transitions as JSON, read from a store shared by the
// replicas (*pgstore.Store implements it). Fleet returns the JSON to send
// as it is; an error answers 503 and is never shown.
type FleetSource interface {
	Fleet(ctx context.Context) ([]byte, error)
}

// WithFleet serves GET, HEAD {prefix}/fleet from f, authenticated like the
// detailed route (401 without the Authenticator's consent), within
// checks.DefaultTimeout; when f fails or does not answer in time, 503
// {"status":"error","error":"fleet unavailable"}. The route exists only
// with WithDetailed and a non-nil f (default: none).
func WithFleet(f FleetSource) Option {
	return optionFunc(func(c *config) { c.fleet = f })
}

// fleetTimeout bounds one read of the fleet.
const fleetTimeout = checks.DefaultTimeout

var bodyFleetUnavailable = errorBody("fleet unavailable")

// fleetOn reports whether {prefix}/fleet is served.
func (h *Handlers) fleetOn() bool { return h.cfg.detailed && h.cfg.fleet != nil }

// serveFleet answers GET {prefix}/fleet.
func (h *Handlers) serveFleet(w http.ResponseWriter, r *http.Request) {
	if !authenticate(h.cfg.auth, r) {
		writeUnauthorized(w, r)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), fleetTimeout)
	defer cancel()
	b, err := h.cfg.fleet.Fleet(ctx)
	if err != nil {
		write(w, r, http.StatusServiceUnavailable, bodyFleetUnavailable)
		return
	}
	writeBuf(w, r, http.StatusOK, hdrJSON, b)
}
