package pgstore_test

import (
	"bytes"
	"sync"
	"testing"
	"time"

	"github.com/echofx/healthcheck/internal/testutil"
	"github.com/echofx/healthcheck/pgstore"
)

// An outage of an external dependency seen by two replicas appears once
// per replica in the fleet, read from either replica, with the
// availability across both.
func TestFleetOutageSeenByTwoReplicas(t *testing.T) {
	pg := testutil.StartPostgres(t)
	clk := testutil.NewFakeClock(t0)
	dep := &dependency{}
	a := newReplica(t, pg, clk, pgstore.Config{Instance: "web-a", Version: "1.4.2"}, extCheck(dep))
	b := newReplica(t, pg, clk, pgstore.Config{Instance: "web-b", Version: "1.4.2"}, extCheck(dep))
	a.start()
	b.start()

	step := func() {
		a.runAll()
		b.runAll()
		clk.Advance(time.Minute)
	}
	step() // healthy
	dep.down.Store(true)
	step() // the outage
	step()
	dep.down.Store(false)
	step() // recovered
	a.flush()
	b.flush()

	fa, rawA := readFleet(t, a.store)
	_, rawB := readFleet(t, b.store)
	if !bytes.Equal(rawA, rawB) {
		t.Errorf("the replicas answer differently:\n%s\n%s", rawA, rawB)
	}
	if fa.Service != "orders" || len(fa.Instances) != 2 {
		t.Fatalf("fleet: %s", rawA)
	}
	for _, in := range fa.Instances {
		if in.Status != "healthy" || in.Version != "1.4.2" || !in.StartedAt.Equal(t0) {
			t.Errorf("instance %+v", in)
		}
	}
	c, ok := fa.Checks["payments"]
	if !ok {
		t.Fatalf("no payments in %s", rawA)
	}
	down := map[string]int{}
	up := map[string]int{}
	for _, tr := range c.Transitions {
		switch {
		case tr.From == "healthy" && tr.To == "unhealthy":
			down[tr.Instance]++
			if tr.Message != "connection refused" || !tr.Time.Equal(t0.Add(time.Minute)) {
				t.Errorf("outage transition %+v", tr)
			}
		case tr.From == "unhealthy" && tr.To == "healthy":
			up[tr.Instance]++
		default:
			t.Errorf("unexpected transition %+v", tr)
		}
	}
	for _, in := range []string{"web-a", "web-b"} {
		if down[in] != 1 || up[in] != 1 {
			t.Errorf("instance %s: %d outages, %d recoveries; want 1 and 1: %s", in, down[in], up[in], rawA)
		}
	}
	if len(c.Transitions) != 4 || !c.Transitions[0].Time.After(c.Transitions[3].Time) {
		t.Errorf("transitions not newest first: %+v", c.Transitions)
	}
	// 8 runs across the fleet, 4 failed.
	for _, w := range []string{"24h", "7d", "30d"} {
		if v := c.Availability[w]; v == nil || *v != 0.5 {
			t.Errorf("availability %s = %v, want 0.5", w, v)
		}
	}
	if len(c.Days) != 30 || c.Days[29].Day != "2026-11-08" || c.Days[0].Day != "2026-10-10" {
		t.Fatalf("days: %+v", c.Days)
	}
	if v := c.Days[29].Availability; v == nil || *v != 0.5 {
		t.Errorf("today's availability %v", v)
	}
	if c.Days[28].Availability != nil {
		t.Errorf("yesterday had no runs, got %v", *c.Days[28].Availability)
	}
}

// A replica restarted (a new process: another instance id) keeps the
// service's history: its 24 h availability is not reset to 100 %, and the
// old process shows as gone, then is dropped after a day.
func TestFleetRestartKeepsHistory(t *testing.T) {
	pg := testutil.StartPostgres(t)
	clk := testutil.NewFakeClock(t0)
	dep := &dependency{}
	old := newReplica(t, pg, clk, pgstore.Config{Instance: "web-1-100"}, extCheck(dep))
	old.start()
	old.runAll()
	dep.down.Store(true)
	clk.Advance(time.Minute)
	old.runAll()
	if err := old.store.Stop(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	old.runner.Close()

	dep.down.Store(false)
	clk.Advance(time.Minute)
	fresh := newReplica(t, pg, clk, pgstore.Config{Instance: "web-1-200"}, extCheck(dep))
	fresh.start()
	fresh.runAll()
	fresh.runAll()
	fresh.flush()

	f, raw := readFleet(t, fresh.store)
	if v := f.Checks["payments"].Availability["24h"]; v == nil || *v != 0.75 {
		t.Errorf("24h availability after the restart = %v, want 0.75 (3 of 4 runs passed): %s", v, raw)
	}
	status := map[string]string{}
	for _, in := range f.Instances {
		status[in.Instance] = in.Status
	}
	if status["web-1-100"] != "gone" || status["web-1-200"] != "healthy" {
		t.Errorf("instances %v", status)
	}
	// The old process's outage; the new process starting healthy is no
	// transition worth keeping (its started_at says it started).
	if tr := f.Checks["payments"].Transitions; len(tr) != 1 || tr[0].Instance != "web-1-100" || tr[0].To != "unhealthy" {
		t.Errorf("transitions %+v, want the old process's outage: %s", tr, raw)
	}

	// A day later the stopped process is dropped; the live one is kept.
	for range 4 * 25 {
		clk.Advance(15 * time.Minute)
		fresh.runAll()
		fresh.flush()
	}
	if err := pgstore.Maintain(ctxT(t), fresh.store); err != nil {
		t.Fatal(err)
	}
	f, raw = readFleet(t, fresh.store)
	if len(f.Instances) != 1 || f.Instances[0].Instance != "web-1-200" {
		t.Errorf("after a day: %s", raw)
	}
}

// An instance that stops writing without Stop (killed) is gone after
// three of its intervals.
func TestFleetSilentInstanceGone(t *testing.T) {
	pg := testutil.StartPostgres(t)
	clk := testutil.NewFakeClock(t0)
	a := newReplica(t, pg, clk, pgstore.Config{Instance: "a", Interval: 10 * time.Second}, extCheck(&dependency{}))
	// b's clock never moves: its writer never fires again after its start,
	// as a killed process's.
	b := newReplica(t, pg, testutil.NewFakeClock(t0), pgstore.Config{Instance: "b", Interval: 10 * time.Second}, extCheck(&dependency{}))
	a.start()
	b.start()
	clk.Advance(30 * time.Second)
	a.flush()
	f, raw := readFleet(t, a.store)
	if f.Instances[0].Status != "healthy" || f.Instances[1].Status != "healthy" {
		t.Fatalf("at three intervals: %s", raw)
	}
	clk.Advance(time.Second)
	a.flush()
	f, raw = readFleet(t, a.store)
	if f.Instances[0].Status != "healthy" || f.Instances[1].Status != "gone" {
		t.Fatalf("past three intervals: %s", raw)
	}
}

// Two replicas starting at once on an empty database both create or find
// the tables; with CheckOnly, a missing table is an error naming what to
// run, and the tables once there are accepted.
func TestStartTogetherAndCheckOnly(t *testing.T) {
	pg := testutil.StartPostgres(t)
	clk := testutil.NewFakeClock(t0)

	only := newReplica(t, pg, clk, pgstore.Config{Instance: "c", Schema: "health_team", CheckOnly: true})
	err := only.store.Start(ctxT(t))
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("docs/store.sql")) ||
		!bytes.Contains([]byte(err.Error()), []byte(`"health_team".instances does not exist`)) {
		t.Fatalf("CheckOnly on an empty database: %v", err)
	}

	const n = 3
	rs := make([]*replica, n)
	for i := range rs {
		rs[i] = newReplica(t, pg, clk, pgstore.Config{Instance: string(rune('a' + i)), Schema: "health_team"})
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i, r := range rs {
		wg.Go(func() { errs[i] = r.store.Start(ctxT(t)) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: %v", i, err)
		}
		rs[i].t.Cleanup(func() { _ = rs[i].store.Stop(ctxT(t)) })
	}
	only2 := newReplica(t, pg, clk, pgstore.Config{Instance: "d", Schema: "health_team", CheckOnly: true})
	only2.start()
	f, raw := readFleet(t, only2.store)
	if len(f.Instances) != 4 {
		t.Errorf("fleet: %s", raw)
	}
}
