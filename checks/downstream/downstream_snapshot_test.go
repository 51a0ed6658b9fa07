package downstream_test

import (
	"context"
	"fmt"
	"github.com/echofx/healthcheck/internal/checkview"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/checks/downstream"
)

// serveHealth is a minimal public route over r, as the HTTP layer answers
// it. With rule set, a request carrying DownstreamHeader is answered from
// the aggregate without r's downstream checks.
func serveHealth(r *checks.Runner, rule bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var s checks.Status
		var msg string
		if rule && req.Header.Get(downstream.Header) != "" {
			snap := checkview.LatestLocal(r, req.Context(), uint8(checks.LevelComprehensive)).(*checks.Snapshot)
			s, msg = checks.Status(checkview.LocalStatus(snap, uint8(checks.LevelComprehensive))), checkview.LocalMessage(snap, uint8(checks.LevelComprehensive))
		} else {
			snap := r.Latest(req.Context(), checks.LevelComprehensive)
			s, msg = snap.StatusAt(checks.LevelComprehensive), snap.MessageAt(checks.LevelComprehensive)
		}
		w.Header().Set("Content-Type", "application/json")
		switch s {
		case checks.StatusHealthy:
			_, _ = w.Write([]byte(`{"status":"success","data":{"health":"ok"}}`))
		case checks.StatusDegraded:
			_, _ = w.Write([]byte(`{"status":"success","data":{"health":"degraded"}}`))
		default:
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"status":"error","error":"` + msg + `"}`))
		}
	})
}

// service is a runner with a required "db" whose health the test sets,
// served over loopback.
type service struct {
	r    *checks.Runner
	srv  *httptest.Server
	dbUp atomic.Bool
}

func newService(t *testing.T, rule bool) *service {
	s := &service{r: checks.NewRunner()}
	s.dbUp.Store(true)
	t.Cleanup(s.r.Close)
	db := checks.Check{Name: "db", TTL: time.Hour, Func: func(context.Context) checks.Report {
		if s.dbUp.Load() {
			return checks.Report{}
		}
		return checks.Report{Status: checks.StatusUnhealthy, Message: "db down"}
	}}
	if err := s.r.Register(db); err != nil {
		t.Fatal(err)
	}
	s.srv = httptest.NewServer(serveHealth(s.r, rule))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *service) list(t *testing.T, name string, peer *service) {
	c, err := downstream.New(peer.srv.URL+"/", downstream.Config{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	c.TTL = time.Hour
	// Without the rule the first round deadlocks until this timeout: A's
	// check of B waits for B's first check of A, which waits for A's
	// check of B, in flight.
	c.Timeout = 500 * time.Millisecond
	if err := s.r.Register(c); err != nil {
		t.Fatal(err)
	}
}

// TestCyclesSettle: services A and B list each other and share a
// database outage. With the rule both are healthy again two rounds after it
// ends; without it (every request answered with the full aggregate) each
// reflects the other's degradation back forever.
func TestCyclesSettle(t *testing.T) {
	for _, rule := range []bool{true, false} {
		a, b := newService(t, rule), newService(t, rule)
		a.list(t, "b", b)
		b.list(t, "a", a)
		ctx := context.Background()
		round := func() {
			for _, s := range []*service{a, b} {
				for _, c := range s.r.Checks() {
					if _, err := s.r.Refresh(ctx, c.Name); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		round()
		a.dbUp.Store(false)
		b.dbUp.Store(false)
		round()
		round()
		if sa, sb := a.r.Snapshot().Status(), b.r.Snapshot().Status(); sa != checks.StatusUnhealthy || sb != checks.StatusUnhealthy {
			t.Fatalf("rule %v: during the outage A %v, B %v; want both unhealthy", rule, sa, sb)
		}
		a.dbUp.Store(true)
		b.dbUp.Store(true)
		for range 5 {
			round()
		}
		sa, sb := a.r.Snapshot().Status(), b.r.Snapshot().Status()
		if rule && (sa != checks.StatusHealthy || sb != checks.StatusHealthy) {
			t.Errorf("with the rule, after the outage A %v, B %v; want both healthy", sa, sb)
		}
		if !rule && (sa != checks.StatusDegraded || sb != checks.StatusDegraded) {
			t.Errorf("without the rule, after the outage A %v, B %v; the test expects them latched at degraded", sa, sb)
		}
	}
}

func TestSnapshotExcludingDownstream(t *testing.T) {
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"status":"error","error":"queue full"}`))
	}))
	defer down.Close()
	var hits atomic.Int32
	counted := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		_, _ = w.Write([]byte(`{"status":"success","data":{"health":"ok"}}`))
	}))
	defer counted.Close()

	r := checks.NewRunner()
	defer r.Close()
	optional, _ := downstream.New(down.URL, downstream.Config{Name: "orders"})
	required, _ := downstream.New(down.URL, downstream.Config{Name: "billing"})
	required.Criticality = checks.Required
	idle, _ := downstream.New(counted.URL, downstream.Config{Name: "idle"})
	idle.Level = checks.LevelComprehensive
	db := checks.Check{Name: "db", Func: func(context.Context) checks.Report { return checks.Report{} }, TTL: time.Hour, MaxStaleness: time.Hour}
	if err := r.Register(db, idle); err != nil {
		t.Fatal(err)
	}

	// A chain request runs the local checks, never the downstream ones.
	ctx := context.Background()
	snap := checkview.LatestLocal(r, ctx, uint8(checks.LevelComprehensive)).(*checks.Snapshot)
	if res, _ := snap.Result("db"); res.Status != checks.StatusHealthy {
		t.Errorf("db not run by LatestExcludingDownstream: %v", res.Status)
	}
	if res, _ := snap.Result("idle"); res.Status != checks.StatusUnknown || hits.Load() != 0 {
		t.Errorf("downstream check run by LatestExcludingDownstream: %v, %d requests", res.Status, hits.Load())
	}
	if s := checks.Status(checkview.LocalStatus(snap, uint8(checks.LevelComprehensive))); s != checks.StatusHealthy {
		t.Errorf("local status %v, want healthy", s)
	}
	if n := testing.AllocsPerRun(100, func() {
		s := checkview.LatestLocal(r, ctx, uint8(checks.LevelBasic)).(*checks.Snapshot)
		_ = checks.Status(checkview.LocalStatus(s, uint8(checks.LevelBasic)))
	}); n != 0 {
		t.Errorf("cached LatestExcludingDownstream allocates %v times", n)
	}

	if err := r.Register(optional, required); err != nil {
		t.Fatal(err)
	}
	snap = r.Run(ctx)
	var downstream []string
	for i := range snap.Results {
		if checkview.IsDownstream(snap, i) {
			downstream = append(downstream, snap.Results[i].Name)
		}
	}
	if fmt.Sprint(downstream) != "[billing idle orders]" || checkview.IsDownstream(snap, -1) || checkview.IsDownstream(snap, len(snap.Results)) {
		t.Errorf("IsDownstream names %v, want [billing idle orders]", downstream)
	}
	for _, tc := range []struct {
		l                 checks.Level
		status, local     checks.Status
		message, localMsg string
	}{
		{checks.LevelBasic, checks.StatusHealthy, checks.StatusHealthy, "", ""},
		{checks.LevelStandard, checks.StatusUnhealthy, checks.StatusHealthy, "billing: queue full", ""},
		{checks.LevelComprehensive, checks.StatusUnhealthy, checks.StatusHealthy, "billing: queue full", ""},
	} {
		if s := snap.StatusAt(tc.l); s != tc.status {
			t.Errorf("StatusAt(%v) = %v, want %v", tc.l, s, tc.status)
		}
		if s := checks.Status(checkview.LocalStatus(snap, uint8(tc.l))); s != tc.local {
			t.Errorf("StatusAtExcludingDownstream(%v) = %v, want %v", tc.l, s, tc.local)
		}
		if m := snap.MessageAt(tc.l); m != tc.message {
			t.Errorf("MessageAt(%v) = %q, want %q", tc.l, m, tc.message)
		}
		if m := checkview.LocalMessage(snap, uint8(tc.l)); m != tc.localMsg {
			t.Errorf("MessageAtExcludingDownstream(%v) = %q, want %q", tc.l, m, tc.localMsg)
		}
	}
}
