package httphealth

import (
	"net/http"
	"strconv"
	"sync/atomic"
)

// Media types of the responses, exported for a client or a test that
// checks a response's Content-Type.
const (
	// MIMEJSON is the content type of every response but the IETF format.
	MIMEJSON = "application/json"
	// MIMEHealthJSON is the content type of the IETF draft
	// (draft-inadarei-api-health-check) format of the detailed route.
	MIMEHealthJSON = "application/health+json"
)

// Header values shared by every response. They are assigned to the header
// map directly (no per-request allocation); each slice has len == cap, so
// a later Header().Add appends to a copy and never to these arrays.
var (
	hdrJSON       = []string{MIMEJSON}
	hdrHealthJSON = []string{MIMEHealthJSON}
	hdrNoStore    = []string{"no-store"}
	hdrNoSniff    = []string{"nosniff"}
	hdrBearer     = []string{"Bearer"}
)

// body is an encoded response body with its Content-Length value.
type body struct {
	b   []byte
	len []string
}

func newBody(b []byte) *body {
	return &body{b: b, len: []string{strconv.Itoa(len(b))}}
}

// The constant bodies.
var (
	bodyOK           = newBody([]byte(`{"status":"success","data":{"health":"ok"}}`))
	bodyDegraded     = newBody([]byte(`{"status":"success","data":{"health":"degraded"}}`))
	bodyUnhealthy    = newBody([]byte(`{"status":"error","error":"unhealthy"}`))
	bodyNotLive      = newBody([]byte(`{"status":"error","error":"not live"}`))
	bodyUnauthorized = newBody([]byte(`{"status":"error","error":"unauthorized"}`))
	bodyUnknownCheck = newBody([]byte(`{"status":"error","error":"unknown check"}`))
)

// errorBody encodes {"status":"error","error":msg}.
func errorBody(msg string) *body {
	b := make([]byte, 0, len(`{"status":"error","error":""}`)+len(msg)+8)
	b = append(b, `{"status":"error","error":`...)
	b = appendString(b, msg)
	b = append(b, '}')
	return newBody(b)
}

// setHeaders sets the headers every health response carries.
func setHeaders(h http.Header, contentType []string) {
	h["Content-Type"] = contentType
	h["Cache-Control"] = hdrNoStore
	h["X-Content-Type-Options"] = hdrNoSniff
}

// write sends b with code as JSON; HEAD requests get the headers (with
// the Content-Length of the body) only.
func write(w http.ResponseWriter, r *http.Request, code int, b *body) {
	h := w.Header()
	setHeaders(h, hdrJSON)
	if r.Method == http.MethodHead {
		h["Content-Length"] = b.len // what GET would send
		w.WriteHeader(code)
		return
	}
	w.WriteHeader(code)
	_, _ = w.Write(b.b)
}

// msgCache holds the encoded error body of the last message it was asked
// for, so a failure message is encoded once, not on every request. Any
// number of goroutines may use it; a race only costs an extra encoding.
type msgCache struct {
	p atomic.Pointer[msgEntry]
}

type msgEntry struct {
	msg  string
	body *body
}

func (m *msgCache) get(msg string) *body {
	if e := m.p.Load(); e != nil && e.msg == msg {
		return e.body
	}
	e := &msgEntry{msg: msg, body: errorBody(msg)}
	m.p.Store(e)
	return e.body
}
