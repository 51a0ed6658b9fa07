package httphealth

import (
	"github.com/echofx/healthcheck/internal/checkview"
	"net/http"
	"slices"
	"sync/atomic"

	"github.com/echofx/healthcheck/checks"
)

// groupParam is the path parameter of the group route: the group's name.
const groupParam = "group"

// WithGroups adds health groups, as Spring Boot's: each is served at
// GET and HEAD {prefix}/group/{name} (one route, named healthcheck:group,
// for every group) with the public route's bodies and status codes over
// the group's checks only, whatever WithLevel says. New refuses a group
// naming a check that is not registered on the runner, an empty group, a
// group named twice or named like a check (see checks.ValidateGroups),
// with an error naming the group and the check. Default: no group, and no
// group route. A later WithGroups replaces the earlier ones' groups.
func WithGroups(groups ...checks.Group) Option {
	gs := make([]checks.Group, len(groups))
	for i, g := range groups {
		gs[i] = checks.Group{Name: g.Name, Checks: slices.Clone(g.Checks)}
	}
	return optionFunc(func(c *config) { c.groups = gs })
}

// group is one group of WithGroups and the last evaluation of it.
type group struct {
	checks.Group
	last     atomic.Pointer[groupEval]
	failures msgCache
	scope    probeScope // of its selection answers
}

// groupEval is a group's status and failure message in one snapshot.
type groupEval struct {
	snap    *checks.Snapshot
	local   bool
	status  checks.Status
	message string
}

func newGroups(gs []checks.Group) map[string]*group {
	if len(gs) == 0 {
		return nil
	}
	m := make(map[string]*group, len(gs))
	for _, g := range gs {
		gr := &group{Group: g}
		gr.scope = probeScope{name: "group " + g.Name, checks: g.Checks, failures: &gr.failures, health: true}
		m[g.Name] = gr
	}
	return m
}

// eval is the group's status and message in snap, computed once per
// snapshot (snapshots are immutable).
func (g *group) eval(snap *checks.Snapshot, local bool) *groupEval {
	if e := g.last.Load(); e != nil && e.snap == snap && e.local == local {
		return e
	}
	sel := make([]checks.Result, 0, len(g.Checks))
	for i := range snap.Results {
		if slices.Contains(g.Checks, snap.Results[i].Name) && !(local && checkview.IsDownstream(snap, i)) {
			sel = append(sel, snap.Results[i])
		}
	}
	e := &groupEval{snap: snap, local: local, status: checks.Aggregate(sel), message: checks.FailureMessage(sel)}
	g.last.Store(e)
	return e
}

var bodyUnknownGroup = newBody([]byte(`{"status":"error","error":"unknown group"}`))

// group answers GET {prefix}/group/{group}: like the public route, over the
// group's checks: 200 {"status":"success","data":{"health":"ok"}}, the
// WithDegradedStatus code with "health":"degraded", the WithFailureStatus
// code with the failure message (or "unhealthy", per WithPublicErrors).
// An unknown group is 404 {"status":"error","error":"unknown group"}.
// A group follows the lifecycle as /ready does, so that it can serve as a
// readiness probe: while the Readiness of WithReadiness says not ready,
// every group answers 503 with its reason ({"status":"error","error":
// "starting"}, "draining", "maintenance", ...) without reading the checks,
// and ?verbose then starts with the failed readiness line. With
// Accept: application/health+json it answers the IETF draft format over
// the group's checks, with the same codes ("output" only with public
// errors); ?verbose and ?exclude work as on the public route (see
// Verbose). The name is r.PathValue(groupParam), as http.ServeMux sets it
// (the Echo adapters set it with httpx.SetPathValue).
func (h *Handlers) group(w http.ResponseWriter, r *http.Request) {
	g := h.groups[r.PathValue(groupParam)]
	if g == nil {
		write(w, r, http.StatusNotFound, bodyUnknownGroup)
		return
	}
	notReady := h.notReady() // a group follows the lifecycle, as /ready does
	var q probeQuery
	if r.URL.RawQuery != "" {
		q = parseProbeQuery(r)
	}
	if notReady != "" && !q.verbose {
		write(w, r, http.StatusServiceUnavailable, h.reasons.get(notReady))
		return
	}
	snap, local := h.groupRead(r)
	if q.active() || acceptsHealthJSON(r.Header.Values("Accept")) {
		s := g.scope
		s.failure = h.cfg.failureStatus
		if notReady != "" { // ?verbose: the readiness line first
			s.gate, s.notReady, s.failure = true, notReady, http.StatusServiceUnavailable
		}
		h.serveSelection(w, r, q, snap, local, s)
		return
	}
	e := g.eval(snap, local)
	if code, b := h.okBody(e.status); b != nil {
		write(w, r, code, b)
		return
	}
	write(w, r, h.cfg.failureStatus, h.failureBody(&g.failures, e.message))
}

// groupRead reads every check for a group (a group may hold checks of any
// level), waiting on required ones up to the probe budget, like the
// public route.
func (h *Handlers) groupRead(r *http.Request) (*checks.Snapshot, bool) {
	if h.chainRequest(r) {
		return checkview.LatestLocal(h.runner, r.Context(), uint8(checks.LevelComprehensive)).(*checks.Snapshot), true
	}
	return h.runner.Latest(r.Context(), checks.LevelComprehensive), false
}
