package echohealth_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/httphealth"
)

// benchServe serves req through e b.N times with one reused recorder.
func benchServe(b *testing.B, e *echo.Echo, req *http.Request, wantCode int) {
	b.Helper()
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	if rec.Code != wantCode {
		b.Fatalf("code %d, want %d: %s", rec.Code, wantCode, rec.Body)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rec.Body.Reset()
		e.ServeHTTP(rec, req)
	}
}

// benchRunner has one healthy check whose result stays fresh for the run.
func benchRunner(b *testing.B, n int) *checks.Runner {
	cs := make([]checks.Check, n)
	for i := range cs {
		cs[i] = checks.Check{Name: fmt.Sprintf("check-%03d", i), TTL: time.Hour, Interval: time.Hour,
			Func: func(context.Context) checks.Report {
				return checks.Report{Details: map[string]any{"total_conns": 4, "idle_conns": 2}}
			}}
	}
	r := newRunner(b, cs...)
	r.Run(context.Background())
	return r
}

// BenchmarkStaticHandler is the yardstick: an Echo handler writing the
// same constant JSON.
func BenchmarkStaticHandler(b *testing.B) {
	body := []byte(`{"status":"success","data":{"health":"ok"}}`)
	e := echo.New()
	e.GET("/healthcheck/", func(c echo.Context) error { return c.JSONBlob(http.StatusOK, body) })
	benchServe(b, e, httptest.NewRequest(http.MethodGet, "/healthcheck/", nil), http.StatusOK)
}

func BenchmarkPublicRoute(b *testing.B) {
	e := newEcho(b, benchRunner(b, 1))
	benchServe(b, e, httptest.NewRequest(http.MethodGet, "/healthcheck/", nil), http.StatusOK)
}

func BenchmarkPublicRouteUnhealthy(b *testing.B) {
	r := newRunner(b, checks.Check{Name: "database", TTL: time.Hour, Interval: time.Hour,
		Func: fixed(checks.StatusUnhealthy, `database "database_not_exist" does not exist`)})
	r.Run(context.Background())
	e := newEcho(b, r)
	benchServe(b, e, httptest.NewRequest(http.MethodGet, "/healthcheck/", nil), http.StatusInternalServerError)
}

func BenchmarkDetailed(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("checks=%d", n), func(b *testing.B) {
			e := newEcho(b, benchRunner(b, n), httphealth.WithDetailed(tokenAuth))
			req := httptest.NewRequest(http.MethodGet, "/healthcheck/detailed", nil)
			req.Header.Set("Authorization", "Bearer good")
			benchServe(b, e, req, http.StatusOK)
		})
	}
}

// BenchmarkStaticHandlerSameHeaders is the static handler setting the
// same headers as the public route (Cache-Control, X-Content-Type-Options)
// the usual way.
func BenchmarkStaticHandlerSameHeaders(b *testing.B) {
	body := []byte(`{"status":"success","data":{"health":"ok"}}`)
	e := echo.New()
	e.GET("/healthcheck/", func(c echo.Context) error {
		h := c.Response().Header()
		h.Set(echo.HeaderCacheControl, "no-store")
		h.Set(echo.HeaderXContentTypeOptions, "nosniff")
		return c.JSONBlob(http.StatusOK, body)
	})
	benchServe(b, e, httptest.NewRequest(http.MethodGet, "/healthcheck/", nil), http.StatusOK)
}

// BenchmarkStaticHandlerPlusLatest is the static handler plus one
// runner.Latest read: the share of the public route's cost that is the
// runner's (its cached read), not this package's.
func BenchmarkStaticHandlerPlusLatest(b *testing.B) {
	body := []byte(`{"status":"success","data":{"health":"ok"}}`)
	r := benchRunner(b, 1)
	e := echo.New()
	e.GET("/healthcheck/", func(c echo.Context) error {
		_ = r.Latest(c.Request().Context(), checks.LevelComprehensive)
		return c.JSONBlob(http.StatusOK, body)
	})
	benchServe(b, e, httptest.NewRequest(http.MethodGet, "/healthcheck/", nil), http.StatusOK)
}

// BenchmarkLoopback compares the static handler and the public route over
// a real HTTP/1.1 keep-alive connection on loopback.
func BenchmarkLoopback(b *testing.B) {
	body := []byte(`{"status":"success","data":{"health":"ok"}}`)
	static := echo.New()
	static.GET("/healthcheck/", func(c echo.Context) error { return c.JSONBlob(http.StatusOK, body) })
	for _, bc := range []struct {
		name string
		e    *echo.Echo
	}{{"static", static}, {"public", newEcho(b, benchRunner(b, 1))}} {
		b.Run(bc.name, func(b *testing.B) {
			srv := httptest.NewServer(bc.e)
			defer srv.Close()
			client := srv.Client()
			defer client.CloseIdleConnections()
			buf := make([]byte, 512)
			b.ReportAllocs()
			for b.Loop() {
				res, err := client.Get(srv.URL + "/healthcheck/")
				if err != nil {
					b.Fatal(err)
				}
				n, _ := io.ReadFull(res.Body, buf[:len(body)])
				res.Body.Close()
				if res.StatusCode != http.StatusOK || n != len(body) {
					b.Fatalf("%d %q", res.StatusCode, buf[:n])
				}
			}
		})
	}
}
