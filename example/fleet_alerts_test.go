package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.yaml.in/yaml/v3"

	"github.com/echofx/healthcheck/alerting"
	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/internal/testutil"
)

// amNotification is the part of an Alertmanager webhook notification the
// fleet test reads.
type amNotification struct {
	Status string `json:"status"` // firing or resolved
	Alerts []struct {
		Status string            `json:"status"`
		Labels map[string]string `json:"labels"`
	} `json:"alerts"`
}

// notifications is an on-call receiver: a real HTTP server the shipped
// Alertmanager configuration posts to.
type notifications struct {
	*httptest.Server
	ch chan amNotification
}

func newNotifications(t *testing.T) *notifications {
	n := &notifications{ch: make(chan amNotification, 100)}
	n.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m amNotification
		if err := json.NewDecoder(r.Body).Decode(&m); err == nil {
			n.ch <- m
		}
	}))
	t.Cleanup(n.Close)
	return n
}

// next waits for the next notification (at most 30 s: a bound on a hang).
func (n *notifications) next(t *testing.T) amNotification {
	t.Helper()
	select {
	case m := <-n.ch:
		return m
	case <-time.After(30 * time.Second):
		t.Fatal("no notification")
		return amNotification{}
	}
}

// fleetAlertmanagerConfig is the shipped configuration with the receiver's
// URL pointed at url and the grouping waits shortened for the test.
func fleetAlertmanagerConfig(t *testing.T, url string) string {
	t.Helper()
	b, err := os.ReadFile(deployAlertmanagerConfig)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	route := cfg["route"].(map[string]any)
	// 5 s: the replicas detect within a second of each other, and a
	// loaded machine may add a few.
	route["group_wait"], route["group_interval"] = "5s", "5s"
	for _, r := range cfg["receivers"].([]any) {
		for _, w := range r.(map[string]any)["webhook_configs"].([]any) {
			w.(map[string]any)["url"] = url
		}
	}
	out, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// relay is a TCP relay to a real server that the test can cut, so that
// one replica's path to the database fails while the others' works.
type relay struct {
	ln     net.Listener
	target string
	cut    atomic.Bool
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	wg     sync.WaitGroup
}

func newRelay(t *testing.T, target string) *relay {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &relay{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if r.cut.Load() {
				_ = c.Close()
				continue
			}
			r.wg.Add(1)
			go func() { defer r.wg.Done(); r.serve(c) }()
		}
	}()
	t.Cleanup(func() { _ = ln.Close(); r.setCut(true); r.wg.Wait() })
	return r
}

func (r *relay) addr() string { return r.ln.Addr().String() }

func (r *relay) serve(c net.Conn) {
	up, err := net.Dial("tcp", r.target)
	if err != nil {
		_ = c.Close()
		return
	}
	r.mu.Lock()
	r.conns[c], r.conns[up] = struct{}{}, struct{}{}
	r.mu.Unlock()
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(up, c); done <- struct{}{} }()
	go func() { _, _ = io.Copy(c, up); done <- struct{}{} }()
	<-done
	_ = c.Close()
	_ = up.Close()
	<-done
	r.mu.Lock()
	delete(r.conns, c)
	delete(r.conns, up)
	r.mu.Unlock()
}

// setCut refuses new connections (and closes the open ones) or lets them
// through again.
func (r *relay) setCut(cut bool) {
	r.cut.Store(cut)
	if cut {
		r.mu.Lock()
		for c := range r.conns {
			_ = c.Close()
		}
		r.mu.Unlock()
	}
}

// TestFleetAlerts: three in-process replicas (runner and dispatcher each,
// distinct instances) check one real PostgreSQL and push to a real
// Alertmanager configured with the shipped deploy/alertmanager/
// alertmanager.yml (group_wait and group_interval shortened) that notifies
// a webhook receiver run here. One outage of the shared database is one
// firing and one resolved notification; when one replica's path still
// fails after the others recovered, the group is not resolved until it
// recovers too.
func TestFleetAlerts(t *testing.T) {
	pg := testutil.StartPostgres(t)
	oncall := newNotifications(t)
	am := testutil.StartAlertmanagerConfig(t, fleetAlertmanagerConfig(t, oncall.URL))

	type replica struct {
		runner *checks.Runner
		alerts *alerting.Dispatcher
		relay  *relay
	}
	var fleet []replica
	for _, name := range []string{"messenger-a", "messenger-b", "messenger-c"} {
		rl := newRelay(t, pg.Addr())
		cfg, err := pgxpool.ParseConfig(pg.DSN() + "&connect_timeout=1")
		if err != nil {
			t.Fatal(err)
		}
		host, port, _ := net.SplitHostPort(rl.addr())
		p, err := strconv.ParseUint(port, 10, 16)
		if err != nil {
			t.Fatal(err)
		}
		cfg.ConnConfig.Host, cfg.ConnConfig.Port = host, uint16(p)
		pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pool.Close)
		r := checks.NewRunner()
		t.Cleanup(r.Close)
		if err := r.Register(checks.Check{Name: "database", Func: func(ctx context.Context) checks.Report {
			if err := pool.Ping(ctx); err != nil {
				return checks.Report{Status: checks.StatusUnhealthy, Message: "connection refused"}
			}
			return checks.Report{Status: checks.StatusHealthy}
		}}); err != nil {
			t.Fatal(err)
		}
		sink, err := alerting.Alertmanager(am.URL(), alerting.AlertmanagerConfig{})
		if err != nil {
			t.Fatal(err)
		}
		d, err := alerting.New(r, alerting.WithSink(sink), alerting.WithService("messenger"), alerting.WithInstance(name))
		if err != nil {
			t.Fatal(err)
		}
		d.Start()
		fleet = append(fleet, replica{r, d, rl})
	}
	// The replicas check every 250 ms, together (one interval for all).
	ctx, cancel := context.WithCancel(context.Background())
	var driver sync.WaitGroup
	driver.Add(1)
	go func() {
		defer driver.Done()
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			for _, rp := range fleet {
				_, _ = rp.runner.Refresh(ctx, "database")
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	defer func() {
		cancel()
		driver.Wait()
		for _, rp := range fleet {
			sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = rp.alerts.Stop(sctx)
			scancel()
		}
	}()
	firing := func(m amNotification) int {
		n := 0
		for _, a := range m.Alerts {
			if a.Status == "firing" {
				n++
			}
		}
		return n
	}

	// One outage of the shared database.
	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	down := time.Now()
	m := oncall.next(t)
	if m.Status != "firing" || firing(m) != 3 {
		t.Fatalf("first notification: %+v, want firing with the 3 replicas' alerts", m)
	}
	t.Logf("outage notified %v after the database stopped", time.Since(down).Round(time.Millisecond))
	if err := pg.Start(); err != nil {
		t.Fatal(err)
	}
	m = oncall.next(t)
	if m.Status != "resolved" || len(m.Alerts) != 3 {
		t.Fatalf("second notification: %+v, want resolved with the 3 alerts", m)
	}
	t.Logf("one outage, 3 replicas: 2 notifications (one firing, one resolved)")

	// Divergence: c's path still fails after the database is back.
	fleet[2].relay.setCut(true)
	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	if m = oncall.next(t); m.Status != "firing" || firing(m) != 3 {
		t.Fatalf("divergence, first notification: %+v", m)
	}
	if err := pg.Start(); err != nil {
		t.Fatal(err)
	}
	// a and b recover: the group changes, and stays firing for c. (Should
	// Alertmanager flush between a's and b's resolutions, an update with
	// 2 firing comes first: never a resolved one.)
	for m = oncall.next(t); m.Status == "firing" && firing(m) == 2; m = oncall.next(t) {
	}
	if m.Status != "firing" || firing(m) != 1 {
		t.Fatalf("a and b recovered, c still failing: %+v, want the group still firing (c's alert)", m)
	}
	fleet[2].relay.setCut(false)
	if m = oncall.next(t); m.Status != "resolved" {
		t.Fatalf("c recovered: %+v, want resolved", m)
	}
	select {
	case m := <-oncall.ch:
		t.Fatalf("unexpected notification %+v", m)
	default:
	}
	if alerts, err := am.ActiveAlerts(context.Background()); err != nil || len(alerts) != 0 {
		t.Fatalf("active alerts at the end: %v %v", alerts, err)
	}
}
