package httphealth

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/echofx/healthcheck/checks"
)

// MaintenanceScope is the scope a token must carry (in its "scope" claim,
// space-separated as OAuth writes it, or "scp") to switch maintenance
// through {prefix}/maintenance.
const MaintenanceScope = "health:maintenance"

// Maintenance limits of the route (those of lifecycle.EnterMaintenance).
const (
	defaultMaintenanceFor = time.Hour
	maxMaintenanceFor     = 24 * time.Hour
	maxMaintenanceBody    = 4 << 10
	maxMaintenanceReason  = 500
)

// Maintainer holds a replica's maintenance window; *lifecycle.Lifecycle
// satisfies it. When the Readiness of WithReadiness implements it and
// WithDetailed is set, New adds the {prefix}/maintenance routes (see
// Handlers.Routes) and the detailed route shows the window; while one is
// on, the Readiness itself must answer not ready ("maintenance"): /ready
// and the groups only repeat what it says.
type Maintainer interface {
	// EnterMaintenance begins (or replaces) a window of d; an error
	// refuses it.
	EnterMaintenance(reason, by string, d time.Duration) (checks.Maintenance, error)
	// EndMaintenance ends the window, if any, and reports whether one was on.
	EndMaintenance(by string) (checks.Maintenance, bool)
	// Maintenance returns the window in force (Active false for none).
	Maintenance() checks.Maintenance
}

// ScopeAuthorizer is an optional interface of an Authenticator: the
// maintenance route, after Authenticate accepted the request, asks it
// whether the request may act with scope (MaintenanceScope) and who it
// is (logged as the window's "by"). A non-nil error answers 403
// {"status":"error","error":"forbidden"}; the error's text is never sent.
// *JWT implements it (the token's scopes and "sub"); an Authenticator
// that does not implement it never grants the scope, so its requests get
// 403 on the maintenance route.
type ScopeAuthorizer interface {
	AuthorizeScope(r *http.Request, scope string) (subject string, err error)
}

var bodyForbidden = newBody([]byte(`{"status":"error","error":"forbidden"}`))

// maintainer is the Maintainer of the routes, or nil.
func (h *Handlers) maintainer() Maintainer {
	if m, ok := h.cfg.readiness.(Maintainer); ok {
		return m
	}
	return nil
}

// maintenanceOn reports whether the maintenance routes exist.
func (h *Handlers) maintenanceOn() bool { return h.cfg.detailed && h.maintainer() != nil }

// maintenanceNow is the window the detailed route shows.
func (h *Handlers) maintenanceNow() checks.Maintenance {
	if !h.cfg.detailed {
		return checks.Maintenance{}
	}
	if m := h.maintainer(); m != nil {
		return m.Maintenance()
	}
	return checks.Maintenance{}
}

// maintenance answers {prefix}/maintenance (GET, HEAD, POST, DELETE),
// after authentication (401 as the detailed route) and authorization of
// MaintenanceScope through ScopeAuthorizer (403 otherwise):
//
//	GET     200 {"active":true,"reason":"..","by":"..","since":"..","until":".."} or {"active":false}
//	POST    body {"reason":"kernel upgrade","for":"30m"}: begins (or replaces) the window
//	        for "for" (a Go duration, more than 0 and at most 24h; default 1h); 200 with
//	        the window; 400 {"status":"error","error":".."} saying what is wrong with
//	        the body (over 4 KiB, not one JSON object, unknown field, bad duration,
//	        missing reason, reason over 500 bytes)
//	DELETE  ends the window; 200 {"active":false}
//
// Any other method gets 405 with Allow.
func (h *Handlers) maintenance(w http.ResponseWriter, r *http.Request) {
	if !authenticate(h.cfg.auth, r) {
		writeUnauthorized(w, r)
		return
	}
	sa, ok := h.cfg.auth.(ScopeAuthorizer)
	if !ok {
		write(w, r, http.StatusForbidden, bodyForbidden)
		return
	}
	sub, err := sa.AuthorizeScope(r, MaintenanceScope)
	if err != nil {
		write(w, r, http.StatusForbidden, bodyForbidden)
		return
	}
	m := h.maintainer()
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		writeMaintenance(w, r, m.Maintenance())
	case http.MethodPost:
		reason, d, msg := parseMaintenance(w, r)
		if msg != "" {
			write(w, r, http.StatusBadRequest, errorBody(msg))
			return
		}
		cur, err := m.EnterMaintenance(reason, sub, d)
		if err != nil {
			write(w, r, http.StatusBadRequest, errorBody("maintenance refused: "+checks.SafeMessage(err)))
			return
		}
		writeMaintenance(w, r, cur)
	case http.MethodDelete:
		m.EndMaintenance(sub)
		writeMaintenance(w, r, checks.Maintenance{})
	default:
		w.Header().Set("Allow", "GET, HEAD, POST, DELETE")
		write(w, r, http.StatusMethodNotAllowed, errorBody("method not allowed"))
	}
}

// parseMaintenance reads a POST body; msg says what is wrong with it.
func parseMaintenance(w http.ResponseWriter, r *http.Request) (reason string, d time.Duration, msg string) {
	var in struct {
		Reason *string `json:"reason"`
		For    *string `json:"for"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxMaintenanceBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			return "", 0, fmt.Sprintf("body over %d bytes", maxMaintenanceBody)
		case errors.Is(err, io.EOF):
			return "", 0, `empty body: want {"reason":"...","for":"30m"}`
		case strings.HasPrefix(err.Error(), "json: unknown field"):
			return "", 0, "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ") + `: want "reason" and "for"`
		}
		return "", 0, `body is not a JSON object {"reason":"...","for":"30m"}`
	}
	if dec.More() {
		return "", 0, "more than one JSON value in the body"
	}
	if in.Reason == nil || strings.TrimSpace(*in.Reason) == "" {
		return "", 0, `"reason" is required`
	}
	if len(*in.Reason) > maxMaintenanceReason {
		return "", 0, fmt.Sprintf(`"reason" over %d bytes`, maxMaintenanceReason)
	}
	d = defaultMaintenanceFor
	if in.For != nil {
		var err error
		d, err = time.ParseDuration(*in.For)
		if err != nil {
			return "", 0, fmt.Sprintf(`"for" %q is not a duration such as "30m" or "2h"`, *in.For)
		}
		if d <= 0 || d > maxMaintenanceFor {
			return "", 0, fmt.Sprintf(`"for" %s: want more than 0 and at most 24h`, d)
		}
	}
	return strings.TrimSpace(*in.Reason), d, ""
}

// writeMaintenance answers the window's JSON.
func writeMaintenance(w http.ResponseWriter, r *http.Request, m checks.Maintenance) {
	writeBuf(w, r, http.StatusOK, hdrJSON, appendMaintenance(nil, m))
}

// appendMaintenance encodes {"active":..} and, when active, the window.
func appendMaintenance(b []byte, m checks.Maintenance) []byte {
	if !m.Active {
		return append(b, `{"active":false}`...)
	}
	b = append(b, `{"active":true,"reason":`...)
	b = appendString(b, m.Reason)
	b = append(b, `,"by":`...)
	b = appendString(b, m.By)
	b = append(b, `,"since":`...)
	b = appendTime(b, m.Since, time.RFC3339)
	b = append(b, `,"until":`...)
	b = appendTime(b, m.Until, time.RFC3339)
	return append(b, '}')
}

// maintenanceTag is what the window adds to a detailed route's ETag.
func maintenanceTag(m checks.Maintenance) []byte {
	if !m.Active {
		return nil
	}
	b := strconv.AppendInt([]byte{1}, m.Until.UnixNano(), 10)
	return append(append(append(b, 0), m.Reason...), m.By...)
}
