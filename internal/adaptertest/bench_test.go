package adaptertest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	echo4 "github.com/labstack/echo/v4"
	echo5 "github.com/labstack/echo/v5"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/echohealth"
	"github.com/echofx/healthcheck/echov5health"
	"github.com/echofx/healthcheck/httphealth"
)

// constantBody and the headers are what the public route sends when
// healthy.
var (
	constantBody = []byte(okJSON)
	hdrJSON      = []string{httphealth.MIMEJSON}
	hdrNoStore   = []string{"no-store"}
	hdrNoSniff   = []string{"nosniff"}
)

// writeConstant writes the public route's healthy response, headers set
// the cheapest way (assigned to the header map, as the route does).
func writeConstant(w http.ResponseWriter) {
	h := w.Header()
	h["Content-Type"] = hdrJSON
	h["Cache-Control"] = hdrNoStore
	h["X-Content-Type-Options"] = hdrNoSniff
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(constantBody)
}

// BenchmarkPublicVsConstant serves GET /healthcheck/ on each router with
// two handlers, interleaved: "constant", a handler of that router writing
// the identical response (same body, same headers), and "public", the real
// public route over a runner whose result is cached. It reports each one's
// ns/op and allocs/op and x-constant, public's ns/op over constant's in
// the same run (the bar: at most 1.05, and public allocating no more).
//
//	go test -run '^$' -bench PublicVsConstant -benchmem -count 5 ./internal/adaptertest/
func BenchmarkPublicVsConstant(b *testing.B) {
	runner := newRunner(b, checks.Check{Name: "database", TTL: time.Hour, Interval: time.Hour,
		Func: fixed(checks.StatusHealthy, "")})
	runner.Run(context.Background())

	h, err := httphealth.New(runner)
	must(b, err)
	// The constant variant has the same routes as the public one (same
	// paths, methods and names), each serving the constant response, so
	// that routing costs both the same.
	constant := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { writeConstant(w) })
	mux := func(public bool) http.Handler {
		m := http.NewServeMux()
		if public {
			must(b, h.Mount(m))
			return m
		}
		for _, rt := range h.Routes() {
			if p := muxPattern(rt); rt.Method == http.MethodGet && p != "GET /{$}" {
				m.Handle(p, constant)
			}
		}
		return m
	}
	e4 := func(public bool) http.Handler {
		e := echo4.New()
		if public {
			must(b, echohealth.Mount(e, h))
			return e
		}
		for _, rt := range h.Routes() {
			e.Add(rt.Method, rt.Path, func(c echo4.Context) error { writeConstant(c.Response()); return nil }).Name = rt.Name
		}
		return e
	}
	e5 := func(public bool) http.Handler {
		e := echo5.New()
		if public {
			must(b, echov5health.Mount(e, h))
			return e
		}
		for _, rt := range h.Routes() {
			_, err := e.AddRoute(echo5.Route{Method: rt.Method, Path: rt.Path, Name: rt.Name,
				Handler: func(c *echo5.Context) error { writeConstant(c.Response()); return nil }})
			must(b, err)
		}
		return e
	}
	for _, r := range []struct {
		name  string
		build func(public bool) http.Handler
	}{{"ServeMux", mux}, {"EchoV4", e4}, {"EchoV5", e5}} {
		b.Run(r.name, func(b *testing.B) { benchInterleaved(b, r.build(false), r.build(true)) })
	}
}

// benchInterleaved serves GET /healthcheck/ through constant and public
// alternately, in blocks of 128 requests timed apart, so that a load
// change on the machine hits both alike. It reports the ns/op and
// allocs/op of each and x-constant, public's ns/op over constant's.
func benchInterleaved(b *testing.B, constant, public http.Handler) {
	req := httptest.NewRequest(http.MethodGet, "/healthcheck/", nil)
	rec := httptest.NewRecorder()
	serve := func(h http.Handler) func() {
		return func() {
			rec.Body.Reset()
			h.ServeHTTP(rec, req)
		}
	}
	serveConstant, servePublic := serve(constant), serve(public)
	for _, f := range []func(){serveConstant, servePublic} {
		f()
		if rec.Code != http.StatusOK || rec.Body.String() != okJSON {
			b.Fatalf("%d %s", rec.Code, rec.Body)
		}
	}
	constAllocs := testing.AllocsPerRun(1000, serveConstant)
	pubAllocs := testing.AllocsPerRun(1000, servePublic)
	const block = 128
	var tConst, tPub time.Duration
	n := 0
	b.ResetTimer()
	for b.Loop() {
		if n%block == 0 {
			start := time.Now()
			for range block {
				serveConstant()
			}
			tConst += time.Since(start)
			start = time.Now()
			for range block {
				servePublic()
			}
			tPub += time.Since(start)
		}
		n++
	}
	blocks := float64((n + block - 1) / block * block)
	b.ReportMetric(float64(tConst.Nanoseconds())/blocks, "constant-ns/op")
	b.ReportMetric(float64(tPub.Nanoseconds())/blocks, "public-ns/op")
	b.ReportMetric(float64(tPub)/float64(tConst), "x-constant")
	b.ReportMetric(constAllocs, "constant-allocs/op")
	b.ReportMetric(pubAllocs, "public-allocs/op")
}

// muxPattern is rt's http.ServeMux pattern, as Handlers.Mount builds it:
// the method, the path, "{$}" after a trailing slash, "{param}" for a
// parameter.
func muxPattern(rt httphealth.Route) string {
	path := rt.Path
	switch {
	case rt.Param != "":
		path += "{" + rt.Param + "}"
	case path == "":
		path = "/{$}"
	case strings.HasSuffix(path, "/"):
		path += "{$}"
	}
	return rt.Method + " " + path
}
