package httphealth

import (
	"github.com/echofx/healthcheck/internal/checkview"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/echofx/healthcheck/checks"
)

// detailed answers GET {prefix}/detailed, after authentication:
//
//	{"status":"healthy","timestamp":"...","version":"...",
//	 "checks":{"<name>":{"status":..,"response_time_ms":..,"details":{..},
//	   "error":"..","last_success":"..","consecutive_failures":n,
//	   "availability":0.95,"downstream":true,
//	   "trends":{"short":{"window":"1h","runs":n,"failures":n,"success_rate":0.99,
//	     "p50_ms":1.2,"p95_ms":3.4,"mean_ms":1.5},"long":{.. "window":"24h" ..},
//	     "series":[..],"transitions":[..]},
//	   "history":[..]}},
//	 "dependencies":{"<name>":"required"|"optional"},
//	 "maintenance":{"active":true,"reason":"..","by":"..","since":"..","until":".."}}
//
// "maintenance" is there only while the replica is in a maintenance
// window (see Maintainer); the status page shows it as a banner.
// "downstream" marks a check of another service (downstream.New).
// With trends=1, "trends" holds the check's success rate and latency over
// the runner's trend windows (1 h and 24 h by default); with series=1 as
// well, "series", 60 points {"start","runs","failures","mean_ms"} oldest
// first (per minute by default: a sparkline), and "transitions", those of
// the long window {"from","to","time","message"}. A request carrying downstream.Header
// (another service's downstream check) gets this service's own checks
// without its downstream ones, so services that list each other settle.
//
// Query: level=basic|standard|comprehensive (default comprehensive, every
// check), check=a,b (only these), exclude=a,b, history=1, trends=1,
// series=1 (implies trends=1), compact=N (past N checks the healthy ones come compact, the others
// with their newest 10 transitions). The top-level
// status is checks.Aggregate of the selected checks. It answers 200 even
// when unhealthy: it is a diagnosis route, not a probe. With
// Accept: application/health+json it answers the IETF draft format
// instead, 503 when the status is "fail". HEAD answers like GET without
// the body. Without WithDetailed every request gets 401.
//
// Every answer carries a strong ETag named after what its bytes are made
// of (the runner's snapshot, the request's form and, with trends, the
// trend buckets of the moment; never a hash of the body), and a request
// whose If-None-Match lists it gets 304 Not Modified without a body, after
// authentication (a 503 is always sent in full). So that unchanged data
// is the same bytes, "timestamp" is the time the answer's data is as of:
// when these handlers first answered from the current results or, with
// trends, when the current trend bucket began, whichever is later (to the
// second).
func (h *Handlers) detailed(w http.ResponseWriter, r *http.Request) {
	q, ok := h.admitDetailed(w, r)
	if !ok {
		return
	}
	snap, local := h.detailedRead(r)
	for _, list := range [][]string{q.include, q.exclude} {
		for _, n := range list {
			if _, ok := snap.Result(n); !ok {
				write(w, r, http.StatusBadRequest, bodyUnknownCheck)
				return
			}
		}
	}
	idx := selectIndexes(snap, q, local)
	h.writeDetailed(w, r, q, snap, idx)
}

// detailedRead reads the runner for a detailed route: every check, each
// waited for up to its timeout; for a request made by another service's
// downstream check (DownstreamHeader), without this service's own
// downstream checks (local), so that services listing each other settle.
func (h *Handlers) detailedRead(r *http.Request) (snap *checks.Snapshot, local bool) {
	if h.chainRequest(r) {
		return checkview.LatestLocal(h.runner, r.Context(), uint8(checks.LevelComprehensive)).(*checks.Snapshot), true
	}
	return checkview.LatestDetailed(h.runner, r.Context()).(*checks.Snapshot), false
}

// chainRequest reports whether r comes from another service's downstream
// check and this runner has downstream checks of its own: only then does
// the answer leave them out. One atomic load for a runner without any.
func (h *Handlers) chainRequest(r *http.Request) bool {
	return h.fast.hasDownstream.Load() && len(r.Header[checkview.DownstreamHeader]) > 0
}

// checkParam is the path parameter of detailedCheck: the check's name.
const checkParam = "check"

// detailedCheck answers GET {prefix}/detailed/{check}: the detailed
// format restricted to one check (404 {"status":"error","error":"unknown check"}
// for an unknown name, after authentication). The name is
// r.PathValue(checkParam), as http.ServeMux sets it (the Echo adapters
// set it with httpx.SetPathValue). Only the history parameter and the
// Accept header apply.
func (h *Handlers) detailedCheck(w http.ResponseWriter, r *http.Request) {
	q, ok := h.admitDetailed(w, r)
	if !ok {
		return
	}
	snap, local := h.detailedRead(r)
	name := r.PathValue(checkParam)
	for i := range snap.Results {
		if snap.Results[i].Name == name && !(local && checkview.IsDownstream(snap, i)) {
			h.writeDetailed(w, r, q, snap, []int{i})
			return
		}
	}
	write(w, r, http.StatusNotFound, bodyUnknownCheck)
}

// admitDetailed authenticates a detailed request and parses its query;
// it answers 401 or 400 itself and returns false when the request stops
// there.
func (h *Handlers) admitDetailed(w http.ResponseWriter, r *http.Request) (detailedQuery, bool) {
	if !authenticate(h.cfg.auth, r) {
		writeUnauthorized(w, r)
		return detailedQuery{}, false
	}
	q, errBody := parseDetailedQuery(r.URL.Query(), r.Header)
	if errBody != nil {
		write(w, r, http.StatusBadRequest, errBody)
		return q, false
	}
	return q, true
}

func (h *Handlers) writeDetailed(w http.ResponseWriter, r *http.Request, q detailedQuery, snap *checks.Snapshot, idx []int) {
	bp := getBuf()
	defer putBuf(bp)
	now := h.runner.Clock().Now()
	status := aggregate(snap, idx)
	code := http.StatusOK
	if q.healthJSON && healthJSONStatus(status) == "fail" {
		code = http.StatusServiceUnavailable
	}
	maint := h.maintenanceNow()
	stamp, done := h.revalidate(w, r, q, snap, now, code == http.StatusOK, maint) // etag.go
	if done {
		return
	}
	contentType := hdrJSON
	if q.healthJSON {
		*bp = h.appendHealthJSON((*bp)[:0], snap, idx, status, now, q.trends, true)
		contentType = hdrHealthJSON
	} else {
		*bp = h.appendDetailed((*bp)[:0], snap, idx, status, now, stamp, q)
		if maint.Active { // "maintenance" last, in the object's closing brace
			*bp = append(append((*bp)[:len(*bp)-1], `,"maintenance":`...), appendMaintenance(nil, maint)...)
			*bp = append(*bp, '}')
		}
	}
	hdr := w.Header()
	setHeaders(hdr, contentType)
	hdr["Content-Length"] = []string{strconv.Itoa(len(*bp))}
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		_, _ = w.Write(*bp)
	}
}

// aggregate is checks.Aggregate over the results of idx, without copying
// them when idx is every result.
func aggregate(snap *checks.Snapshot, idx []int) checks.Status {
	if len(idx) == len(snap.Results) {
		return checks.Aggregate(snap.Results)
	}
	sel := make([]checks.Result, len(idx))
	for j, i := range idx {
		sel[j] = snap.Results[i]
	}
	return checks.Aggregate(sel)
}

// appendDetailed encodes the detailed format.
// Its "timestamp" is stamp (see revalidate); the trends are as of now.
func (h *Handlers) appendDetailed(b []byte, snap *checks.Snapshot, idx []int, status checks.Status, now, stamp time.Time, q detailedQuery) []byte {
	b = append(b, `{"status":`...)
	b = appendString(b, status.String())
	b = append(b, `,"timestamp":`...)
	b = appendTime(b, stamp, time.RFC3339)
	b = append(b, `,"version":`...)
	b = appendString(b, h.cfg.version)
	b = append(b, `,"checks":{`...)
	compact := q.compact >= 0 && len(idx) > q.compact
	for j, i := range idx {
		if j > 0 {
			b = append(b, ',')
		}
		r := &snap.Results[i]
		b = appendString(b, r.Name)
		b = append(b, ':')
		if compact && r.Status == checks.StatusHealthy && !checkview.IsDownstream(snap, i) {
			b = appendCompactCheck(b, snap, i, now, q.trends)
			continue
		}
		b = h.frags.appendCheck(b, snap, i, now, q.trends)
		kept := q.series && trendsKept(snap, i, now)
		if q.trends {
			if kept { // trends off: "trends":{} (no series to open with a comma)
				b = h.appendTrendSeries(b, snap, i, now, compact)
			}
			b = append(b, '}')
		}
		if q.history && !(compact && kept) {
			b = h.appendHistory(b, r.Name)
		}
		b = append(b, '}')
	}
	b = append(b, `},"dependencies":{`...)
	for j, i := range idx {
		if j > 0 {
			b = append(b, ',')
		}
		b = appendString(b, snap.Results[i].Name)
		b = append(b, ':')
		b = appendString(b, snap.Results[i].Criticality.String())
	}
	return append(b, "}}"...)
}

// trendsKept reports whether the runner keeps trends for snap.Results[i]
// (not WithTrendWindows(0, 0)): then a series stands for the history.
func trendsKept(snap *checks.Snapshot, i int, now time.Time) bool {
	var short, long checks.WindowStats
	return checkview.TrendWindows(snap, i, now, &short, &long)
}

// appendHistory encodes ,"history":[...] of one check, oldest first.
func (h *Handlers) appendHistory(b []byte, name string) []byte {
	b = append(b, `,"history":[`...)
	hist, _ := h.runner.History(name)
	for i := range hist {
		e := &hist[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"status":`...)
		b = appendString(b, e.Observed.String())
		b = append(b, `,"response_time_ms":`...)
		b = appendMillis(b, e.Duration)
		b = append(b, `,"time":`...)
		b = appendTime(b, e.Time, time.RFC3339Nano)
		if e.Message != "" {
			b = append(b, `,"error":`...)
			b = appendString(b, e.Message)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

// Encoding buffers of the detailed routes.
var bufPool = sync.Pool{New: func() any {
	b := make([]byte, 0, 4<<10)
	return &b
}}

const maxPooledBuf = 256 << 10

func getBuf() *[]byte { return bufPool.Get().(*[]byte) }

func putBuf(b *[]byte) {
	if cap(*b) <= maxPooledBuf {
		*b = (*b)[:0]
		bufPool.Put(b)
	}
}
