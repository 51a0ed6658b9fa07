package httphealth_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/httphealth"
)

// BenchmarkDetailed100 serves GET /healthcheck/detailed for 100 checks
// (each with two details), plain and with trends=1, beside "constant", a
// handler writing a body of the same size, in the same run (the bar: the
// detailed route with trends in at most 50 µs).
//
//	go test -run '^$' -bench Detailed100 -benchmem -count 5 ./httphealth/
func BenchmarkDetailed100(b *testing.B) {
	runner := checks.NewRunner()
	defer runner.Close()
	for i := range 100 {
		_ = runner.Register(checks.Check{Name: fmt.Sprintf("check-%03d", i), TTL: time.Hour, Interval: time.Hour,
			Func: func(context.Context) checks.Report {
				return checks.Report{Details: map[string]any{"total_conns": 4, "idle_conns": 2}}
			}})
	}
	runner.Run(context.Background())
	h, err := httphealth.New(runner, httphealth.WithDetailed(httphealth.AuthenticatorFunc(func(*http.Request) error { return nil })))
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	if err := h.Mount(mux); err != nil {
		b.Fatal(err)
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthcheck/detailed?trends=1", nil))
	body := rec.Body.Bytes()
	constant := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header()["Content-Type"] = []string{"application/json"}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	})
	for _, v := range []struct {
		name   string
		h      http.Handler
		target string
	}{
		{"constant", constant, "/healthcheck/detailed"},
		{"detailed", mux, "/healthcheck/detailed"},
		{"detailed-trends", mux, "/healthcheck/detailed?trends=1"},
	} {
		b.Run(v.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, v.target, nil)
			rec := httptest.NewRecorder()
			b.ReportAllocs()
			for b.Loop() {
				rec.Body.Reset()
				v.h.ServeHTTP(rec, req)
			}
			if rec.Code != http.StatusOK {
				b.Fatalf("%d %s", rec.Code, rec.Body)
			}
		})
	}
}
