package httphealth

import (
	"net/http"
	"sync/atomic"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/internal/checkview"
)

// publicHandler answers the public route: 200 {"status":"success","data":{"health":"ok"}}
// (or "degraded") when the checks of the configured level pass, else the
// configured failure status with {"status":"error","error":"<message>"}.
// A cached read allocates nothing. It is a handler of its own (one call
// less than a method value behind an http.HandlerFunc).
type publicHandler struct{ h *Handlers }

// fastPath holds the runner's atomics that the public route's fast path
// reads (lent once through internal/checkview at New): three inlined
// atomic loads per request, no call.
type fastPath struct {
	hasDownstream *atomic.Bool                     // a downstream check is registered
	notFresh      *atomic.Int64                    // 0 while every result is younger than its TTL
	snap          *atomic.Pointer[checks.Snapshot] // the latest snapshot
}

func newFastPath(runner *checks.Runner) fastPath {
	d, n, s := checkview.FastPath(runner)
	return fastPath{hasDownstream: d, notFresh: n, snap: s.(*atomic.Pointer[checks.Snapshot])}
}

func (p publicHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := p.h
	if !h.fast.hasDownstream.Load() && r.URL.RawQuery == "" && h.fast.notFresh.Load() == 0 {
		// The fast path: every result fresh, no downstream protocol.
		if code, b := h.okBody(h.fast.snap.Load().StatusAt(h.cfg.level)); b != nil {
			write(w, r, code, b)
			return
		}
	}
	h.servePublic(w, r)
}

// servePublic is the public route past its fast path (a query, a result
// to refresh or wait for, a failure, or a request of a downstream check):
// a function of its own, so that the fast path's frame stays small.
func (h *Handlers) servePublic(w http.ResponseWriter, r *http.Request) {
	snap, local := h.probeRead(r)
	if r.URL.RawQuery != "" {
		if q := parseProbeQuery(r); q.active() {
			h.serveSelection(w, r, q, snap, local, probeScope{name: "health", failure: h.cfg.failureStatus, failures: &h.failures})
			return
		}
	}
	if code, b := h.okBody(snapStatus(snap, h.cfg.level, local)); b != nil {
		write(w, r, code, b)
		return
	}
	write(w, r, h.cfg.failureStatus, h.failureBody(&h.failures, snapMessage(snap, h.cfg.level, local)))
}

// probeRead reads the configured level for a probe (public, ready), from
// the cache. For a request made by another service's downstream check
// (downstream.Header, "Health-Chain") it leaves out this service's own downstream
// checks (local), so that services listing each other never feed each
// other's degradation back and never fan out.
func (h *Handlers) probeRead(r *http.Request) (snap *checks.Snapshot, local bool) {
	if h.chainRequest(r) {
		return checkview.LatestLocal(h.runner, r.Context(), uint8(h.cfg.level)).(*checks.Snapshot), true
	}
	return h.runner.Latest(r.Context(), h.cfg.level), false
}

// snapStatus is the status at level, without the downstream checks when
// local.
func snapStatus(snap *checks.Snapshot, level checks.Level, local bool) checks.Status {
	if local {
		return checks.Status(checkview.LocalStatus(snap, uint8(level)))
	}
	return snap.StatusAt(level)
}

// snapMessage is the failure message at level, without the downstream
// checks when local.
func snapMessage(snap *checks.Snapshot, level checks.Level, local bool) string {
	if local {
		return checkview.LocalMessage(snap, uint8(level))
	}
	return snap.MessageAt(level)
}

// okBody returns the status code and success body for a passing status
// (WithDegradedStatus's code when degraded), nil otherwise.
func (h *Handlers) okBody(s checks.Status) (int, *body) {
	switch s {
	case checks.StatusHealthy:
		return http.StatusOK, bodyOK
	case checks.StatusDegraded:
		return h.cfg.degradedStatus, bodyDegraded
	}
	return 0, nil
}

// failureBody is {"status":"error","error":<msg>}, encoded once per
// distinct message in cache (the route's own), or the constant
// "unhealthy" body when public errors are hidden or there is no message.
func (h *Handlers) failureBody(cache *msgCache, msg string) *body {
	if !h.cfg.publicErrors || msg == "" {
		return bodyUnhealthy
	}
	return cache.get(msg)
}
