package httphealth

import (
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/echofx/healthcheck/checks"
)

// Detailed answers GET {prefix}/detailed, after authentication:
//
//	{"status":"healthy","timestamp":"...","version":"...",
//	 "checks":{"<name>":{"status":..,"response_time_ms":..,"details":{..},
//	   "error":"..","last_success":"..","consecutive_failures":n,
//	   "availability":0.95,"history":[..]}},
//	 "dependencies":{"<name>":"required"|"optional"}}
//
// Query: level=basic|standard|comprehensive (default comprehensive, every
// check), check=a,b (only these), exclude=a,b, history=1. The top-level
// status is checks.Aggregate of the selected checks. It answers 200 even
// when unhealthy: it is a diagnosis route, not a probe. With
// Accept: application/health+json it answers the IETF draft format
// instead, 503 when the status is "fail". HEAD answers like GET without
// the body. Without WithDetailed every request gets 401.
func (h *Handlers) Detailed() http.Handler { return http.HandlerFunc(h.detailed) }

func (h *Handlers) detailed(w http.ResponseWriter, r *http.Request) {
	q, ok := h.admitDetailed(w, r)
	if !ok {
		return
	}
	snap := h.runner.Latest(r.Context())
	results := snap.Results
	status := snap.StatusAt(q.level)
	if q.level != checks.LevelComprehensive || len(q.include) > 0 || len(q.exclude) > 0 {
		for _, n := range q.include {
			if _, ok := snap.Result(n); !ok {
				write(w, r, http.StatusBadRequest, bodyUnknownCheck)
				return
			}
		}
		for _, n := range q.exclude {
			if _, ok := snap.Result(n); !ok {
				write(w, r, http.StatusBadRequest, bodyUnknownCheck)
				return
			}
		}
		results = selectResults(snap.Results, q)
		status = checks.Aggregate(results)
	}
	h.writeDetailed(w, r, q, results, status)
}

// CheckParam is the path parameter of DetailedCheck: the check's name.
const CheckParam = "check"

// DetailedCheck answers GET {prefix}/detailed/{check}: the detailed
// format restricted to one check (404 {"status":"error","error":"unknown check"}
// for an unknown name, after authentication). The name is
// r.PathValue(CheckParam), as http.ServeMux sets it (adapters of other
// routers set it with SetPathValue). Only the history parameter and the
// Accept header apply.
func (h *Handlers) DetailedCheck() http.Handler { return http.HandlerFunc(h.detailedCheck) }

func (h *Handlers) detailedCheck(w http.ResponseWriter, r *http.Request) {
	q, ok := h.admitDetailed(w, r)
	if !ok {
		return
	}
	snap := h.runner.Latest(r.Context())
	res, ok := snap.Result(r.PathValue(CheckParam))
	if !ok {
		write(w, r, http.StatusNotFound, bodyUnknownCheck)
		return
	}
	results := []checks.Result{res}
	h.writeDetailed(w, r, q, results, checks.Aggregate(results))
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

// SetPathValue sets r's path parameter name to value, unescaping value
// first when the router matched the escaped path (r.URL.RawPath set), as
// Echo's routers do. Adapters call it before a handler that reads
// r.PathValue. An invalid escape sets the raw value, which names no check.
func SetPathValue(r *http.Request, name, value string) {
	if r.URL.RawPath != "" {
		if v, err := url.PathUnescape(value); err == nil {
			value = v
		}
	}
	r.SetPathValue(name, value)
}

func (h *Handlers) writeDetailed(w http.ResponseWriter, r *http.Request, q detailedQuery, results []checks.Result, status checks.Status) {
	bp := getBuf()
	defer putBuf(bp)
	now := h.runner.Clock().Now()
	code := http.StatusOK
	contentType := hdrJSON
	if q.healthJSON {
		*bp = h.appendHealthJSON((*bp)[:0], results, status)
		contentType = hdrHealthJSON
		if healthJSONStatus(status) == "fail" {
			code = http.StatusServiceUnavailable
		}
	} else {
		*bp = h.appendDetailed((*bp)[:0], results, status, now, q.history)
	}
	hdr := w.Header()
	setHeaders(hdr, contentType)
	hdr["Content-Length"] = []string{strconv.Itoa(len(*bp))}
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		_, _ = w.Write(*bp)
	}
}

// appendDetailed encodes the detailed format.
func (h *Handlers) appendDetailed(b []byte, results []checks.Result, status checks.Status, now time.Time, history bool) []byte {
	b = append(b, `{"status":`...)
	b = appendString(b, status.String())
	b = append(b, `,"timestamp":`...)
	b = appendTime(b, now, time.RFC3339)
	b = append(b, `,"version":`...)
	b = appendString(b, h.cfg.version)
	b = append(b, `,"checks":{`...)
	for i := range results {
		r := &results[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, r.Name)
		b = append(b, ':')
		b = h.appendCheck(b, r, history)
	}
	b = append(b, `},"dependencies":{`...)
	for i := range results {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, results[i].Name)
		b = append(b, ':')
		b = appendString(b, results[i].Criticality.String())
	}
	return append(b, "}}"...)
}

// appendCheck encodes one check of the detailed format.
func (h *Handlers) appendCheck(b []byte, r *checks.Result, history bool) []byte {
	b = append(b, `{"status":`...)
	b = appendString(b, r.Status.String())
	b = append(b, `,"response_time_ms":`...)
	b = appendMillis(b, r.Duration)
	if len(r.Details) > 0 {
		if d, err := json.Marshal(r.Details); err == nil {
			b = append(b, `,"details":`...)
			b = append(b, d...)
		}
	}
	if r.Message != "" {
		b = append(b, `,"error":`...)
		b = appendString(b, r.Message)
	}
	if !r.LastSuccess.IsZero() {
		b = append(b, `,"last_success":`...)
		b = appendTime(b, r.LastSuccess, time.RFC3339Nano)
	}
	b = append(b, `,"consecutive_failures":`...)
	b = strconv.AppendInt(b, int64(r.ConsecutiveFailures), 10)
	b = append(b, `,"availability":`...)
	b = strconv.AppendFloat(b, math.Round(r.Availability*1e4)/1e4, 'f', -1, 64) // 0.6667, not 0.6666666666666666
	if history {
		b = append(b, `,"history":[`...)
		hist, _ := h.runner.History(r.Name)
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
		b = append(b, ']')
	}
	return append(b, '}')
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
