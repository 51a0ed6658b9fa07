package pgstore_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/httphealth"
	"github.com/echofx/healthcheck/internal/testutil"
	"github.com/echofx/healthcheck/pgstore"
)

// probeSetup is a public route over one in-memory check, with the store on
// (fed by the runner's hooks, writing every hour) or off.
func probeSetup(tb testing.TB, pg *testutil.Postgres, store bool) (http.Handler, func() int64) {
	tb.Helper()
	c := checks.Check{Name: "api", Func: checks.FromFunc(func(context.Context) error { return nil })}
	var runner *checks.Runner
	acquires := func() int64 { return 0 }
	if store {
		r := newReplica(tb, pg, checks.SystemClock(), storeConfig(), c)
		r.start()
		runner = r.runner
		acquires = func() int64 { return r.pool.Stat().AcquireCount() }
	} else {
		runner = checks.NewRunner()
		tb.Cleanup(runner.Close)
		if err := runner.Register(c); err != nil {
			tb.Fatal(err)
		}
	}
	if _, err := runner.Check(context.Background(), "api"); err != nil {
		tb.Fatal(err)
	}
	h, err := httphealth.New(runner)
	if err != nil {
		tb.Fatal(err)
	}
	mux := http.NewServeMux()
	if err := h.Mount(mux); err != nil {
		tb.Fatal(err)
	}
	return mux, acquires
}

// TestProbeTouchesNoDatabase: with the store on, 10,000 probes of the public
// route acquire no connection of the pool: the store is never on a probe's
// path (its writer runs on its own interval).
func TestProbeTouchesNoDatabase(t *testing.T) {
	pg := testutil.StartPostgres(t)
	mux, acquires := probeSetup(t, pg, true)
	req := httptest.NewRequest(http.MethodGet, "/healthcheck/", nil)
	before := acquires()
	for range 10000 {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			t.Fatalf("public route: %d %s", w.Code, w.Body)
		}
	}
	if after := acquires(); after != before {
		t.Fatalf("10,000 probes acquired %d connections with the store on, want 0", after-before)
	}
}

// BenchmarkProbeStore is the public route with the store off and on, in the
// same run (compare the two lines):
//
//	go test ./pgstore -run '^$' -bench BenchmarkProbeStore -benchmem -count 5
func BenchmarkProbeStore(b *testing.B) {
	pg := testutil.StartPostgres(b)
	for _, on := range []bool{false, true} {
		name := map[bool]string{false: "off", true: "on"}[on]
		b.Run(name, func(b *testing.B) {
			mux, _ := probeSetup(b, pg, on)
			req := httptest.NewRequest(http.MethodGet, "/healthcheck/", nil)
			w := &discard{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				mux.ServeHTTP(w, req)
			}
		})
	}
}

// storeConfig writes once an hour: the benchmark and the test see no write.
func storeConfig() pgstore.Config { return pgstore.Config{Interval: time.Hour} }

// discard is a ResponseWriter that keeps nothing.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}
