package httphealth

import (
	"github.com/echofx/healthcheck/internal/checkview"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/echofx/healthcheck/checks"
)

// Verbose output, as kube-apiserver's /livez?verbose and /readyz?verbose:
// with ?verbose (any value but 0 or false) the public route, /live,
// /ready, /startup and the groups answer text/plain, one line per check
// and a last line, with the status code they would answer without it:
//
//	[+]database ok
//	[+]cache degraded
//	[-]redis failed: reason withheld
//	[+]migrations excluded: ok
//	ready check failed
//
// A failing optional check reads "[-]name failed: reason withheld
// (optional)": it only degrades. The reason of a failure is never shown on
// these public routes (the detailed route, behind its token, has it);
// /ready's first line is "[+]readiness ok" or "[-]readiness failed:
// starting" (the lifecycle's public reason), /live has the one line
// "[+]ping ok" and /startup "[+]startup ok" or "[-]startup failed:
// starting". The last line is "<route> check passed" or "<route> check
// failed", <route> being health (the public route), live, ready, startup
// or "group <name>".
//
// ?exclude=a,b (the parameter may repeat) leaves those checks out of the
// status of the public route, /ready and the groups, with or without
// verbose; a verbose answer lists them as "[+]a excluded: ok". Names that
// are not among the route's checks are ignored, as kube-apiserver does.
// A request without a query string pays for none of this. The constant is
// the query parameter's name, for a client that builds a probe URL.
const Verbose = "verbose"

// probeQuery is the parsed query of a probe route.
type probeQuery struct {
	verbose bool
	exclude []string
}

// active reports whether the query changes the answer.
func (q probeQuery) active() bool { return q.verbose || len(q.exclude) > 0 }

// parseProbeQuery reads verbose and exclude; malformed queries read as
// neither.
func parseProbeQuery(r *http.Request) probeQuery {
	if r.URL.RawQuery == "" {
		return probeQuery{}
	}
	v := r.URL.Query()
	var q probeQuery
	if vs, ok := v[Verbose]; ok {
		last := strings.TrimSpace(vs[len(vs)-1])
		b, err := strconv.ParseBool(last)
		q.verbose = last == "" || err != nil || b
	}
	q.exclude = splitList(v["exclude"])
	return q
}

// probeScope is what a probe route (the public route, /ready, a group)
// answers over when a request asks for a selection (?verbose, ?exclude,
// or for a group Accept: application/health+json): the route's handler
// builds it and reads the snapshot, serveSelection writes the answer.
type probeScope struct {
	name     string    // of the verbose last line: "health", "ready", "group <name>"
	checks   []string  // a group's checks; nil: the checks of the configured level
	failure  int       // the status code when failing
	failures *msgCache // the failure bodies by message
	gate     bool      // /ready with a Readiness: a readiness line first
	notReady string    // /ready's public reason when not ready
	health   bool      // answer the IETF format when asked (groups)
}

// serveSelection answers a selection request over snap (local: without
// this service's downstream checks): the scope's checks minus the
// excluded ones, with the route's status codes.
func (h *Handlers) serveSelection(w http.ResponseWriter, r *http.Request, q probeQuery, snap *checks.Snapshot, local bool, s probeScope) {
	bp := getBuf()
	defer putBuf(bp)
	text := (*bp)[:0]
	if s.gate {
		text = appendGateLine(text, "readiness", s.notReady)
	}
	sel := make([]checks.Result, 0, len(snap.Results))
	idx := make([]int, 0, len(snap.Results))
	for i := range snap.Results {
		res := &snap.Results[i]
		if local && checkview.IsDownstream(snap, i) {
			continue
		}
		if s.checks != nil && !slices.Contains(s.checks, res.Name) || s.checks == nil && !h.cfg.level.Includes(res.Level) {
			continue
		}
		if slices.Contains(q.exclude, res.Name) {
			text = append(append(append(text, "[+]"...), res.Name...), " excluded: ok\n"...)
			continue
		}
		sel = append(sel, *res)
		idx = append(idx, i)
		text = appendCheckLine(text, res)
	}
	status := checks.Aggregate(sel)
	code, okBody := h.okBody(status)
	passed := s.notReady == "" && okBody != nil
	if !passed {
		code = s.failure
	}
	switch {
	case q.verbose:
		writeText(w, r, code, appendLastLine(text, s.name, passed))
	case s.health && acceptsHealthJSON(r.Header.Values("Accept")):
		*bp = h.appendHealthJSON(text[:0], snap, idx, status, h.runner.Clock().Now(), false, h.cfg.publicErrors)
		writeBuf(w, r, code, hdrHealthJSON, *bp)
	case passed:
		write(w, r, code, okBody)
	default:
		write(w, r, code, h.failureBody(s.failures, checks.FailureMessage(sel)))
	}
}

// appendCheckLine appends one check's verbose line; the reason of a
// failure is withheld.
func appendCheckLine(b []byte, r *checks.Result) []byte {
	switch r.Status {
	case checks.StatusHealthy:
		b = append(append(append(b, "[+]"...), r.Name...), " ok\n"...)
	case checks.StatusDegraded:
		b = append(append(append(b, "[+]"...), r.Name...), " degraded\n"...)
	default:
		b = append(append(append(b, "[-]"...), r.Name...), " failed: reason withheld"...)
		if r.Criticality == checks.Optional {
			b = append(b, " (optional)"...)
		}
		b = append(b, '\n')
	}
	return b
}

// appendGateLine appends the line of a lifecycle state: ok when reason is
// empty, else failed with the (public) reason.
func appendGateLine(b []byte, name, reason string) []byte {
	if reason == "" {
		return append(append(append(b, "[+]"...), name...), " ok\n"...)
	}
	return append(append(append(append(append(b, "[-]"...), name...), " failed: "...), reason...), '\n')
}

// appendLastLine appends "<name> check passed" or "<name> check failed".
func appendLastLine(b []byte, name string, passed bool) []byte {
	b = append(append(b, name...), " check "...)
	if passed {
		return append(b, "passed\n"...)
	}
	return append(b, "failed\n"...)
}

var hdrText = []string{"text/plain; charset=utf-8"}

// writeText sends a verbose answer.
func writeText(w http.ResponseWriter, r *http.Request, code int, b []byte) {
	writeBuf(w, r, code, hdrText, b)
}

// writeBuf sends b with code, contentType and the health headers; HEAD
// requests get the headers only.
func writeBuf(w http.ResponseWriter, r *http.Request, code int, contentType []string, b []byte) {
	hdr := w.Header()
	setHeaders(hdr, contentType)
	hdr["Content-Length"] = []string{strconv.Itoa(len(b))}
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		_, _ = w.Write(b)
	}
}

// serveLiveVerbose answers /live?verbose.
func (h *Handlers) serveLiveVerbose(w http.ResponseWriter, r *http.Request) {
	bp := getBuf()
	defer putBuf(bp)
	live := h.cfg.liveness == nil || h.cfg.liveness.Live()
	reason, code := "", http.StatusOK
	if !live {
		reason, code = "not live", http.StatusServiceUnavailable
	}
	*bp = appendLastLine(appendGateLine((*bp)[:0], "ping", reason), "live", live)
	writeText(w, r, code, *bp)
}

// writeStartupVerbose answers /startup?verbose.
func (h *Handlers) writeStartupVerbose(w http.ResponseWriter, r *http.Request, started bool, reason string) {
	bp := getBuf()
	defer putBuf(bp)
	code := http.StatusOK
	if !started {
		code = http.StatusServiceUnavailable
	}
	*bp = appendLastLine(appendGateLine((*bp)[:0], "startup", reason), "startup", started)
	writeText(w, r, code, *bp)
}
