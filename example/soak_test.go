package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/echofx/healthcheck/internal/testutil"
)

// TestSoak runs the example under a steady load of health probes while
// PostgreSQL is stopped, restarted, paused (SIGSTOP) and resumed, and
// checks that every answer is a documented body, that no request waits on
// a hung database, that outages and recoveries are seen within TTL +
// Timeout, that the database sees at most one query per check per TTL
// whatever the load, that checks hold at most one connection each, and
// that the process returns to its baseline of goroutines and heap.
//
// It lasts 60 s (HEALTHCHECK_SOAK_DURATION, a Go duration, overrides; each
// of the five phases lasts a fifth, at least 4 s) at 2000 req/s in total
// (HEALTHCHECK_SOAK_RPS overrides, 0 = flat out), and prints a summary on
// stdout; HEALTHCHECK_SOAK_TRACE=1 adds the pool's changes over time.
//
// How the figures are measured: latencies client side, per worker, per
// phase (the phase current when the request started; a phase starts just
// before PostgreSQL is stopped, started, paused or resumed); queries from
// pg_stat_statements at the phase boundaries (exact and immediate) and
// executions from messenger_health_check_runs_total (which also counts
// the attempts a stopped or paused server never sees); transactions from
// pg_stat_database once the service has exited and its pool closed (only
// then are pooled sessions' counters published); connections from the
// pool's gauges and from the client TCP sockets to PostgreSQL's port in
// /proc/net/tcp, sampled every 50 ms (the sockets also count dials still
// pending and connections being closed, which the gauges partly hide).
func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("soak test skipped under -short")
	}
	duration := 60 * time.Second
	if v := os.Getenv("HEALTHCHECK_SOAK_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			t.Fatalf("HEALTHCHECK_SOAK_DURATION=%q: want a positive Go duration such as 10m", v)
		}
		duration = d
	}
	rps := float64(soakRPS)
	if v := os.Getenv("HEALTHCHECK_SOAK_RPS"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 {
			t.Fatalf("HEALTHCHECK_SOAK_RPS=%q: want a request rate, 0 for flat out", v)
		}
		rps = f
	}
	phaseDur := max(duration/soakNumPhases, 4*time.Second)

	pg := testutil.StartPostgres(t)
	ctx := context.Background()
	pgCall := func(f func(context.Context) (int64, error)) (int64, error) {
		c, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		return f(c)
	}
	_, err := pgCall(pg.StatementCount)
	haveStmts := err == nil
	if err != nil {
		if !errors.Is(err, testutil.ErrNoStatStatements) {
			t.Fatal(err)
		}
		t.Logf("no pg_stat_statements: per-phase query rates are not checked")
	}
	xact0, err := pgCall(pg.XactCount)
	if err != nil {
		t.Fatal(err)
	}

	launched := time.Now()
	s := startService(t,
		"DATABASE_URL="+pg.DSN(),
		"HEALTH_JWT_SECRET="+soakSecret,
		"HEALTH_CHECK_CACHE_TTL="+soakTTL.String(),
		"HEALTH_CHECK_TIMEOUT="+soakTimeout.String(),
		"HEALTH_CHECK_INTERVAL="+soakInterval.String(),
		"HEALTH_DRAIN_DELAY=1s",
	)
	eventually(t, 20*time.Second, "a healthy service", func() bool { _, body := s.Get(t, "/healthcheck/"); return body == okBody })
	pid := s.cmd.Process.Pid

	token := testutil.MintHS256([]byte(soakSecret), testutil.ValidClaims("", "", duration+10*time.Minute))
	secrets := []string{pg.Password(), pg.DSN(), pg.Addr(), soakSecret, token}

	// Clients of the test itself, not the load: /metrics and the detection
	// polls. Each keeps its connection alive, before and after the load.
	metricsClient := &http.Client{Transport: &http.Transport{Proxy: nil}, Timeout: soakClientTimeout}
	pollClient := &http.Client{Transport: &http.Transport{Proxy: nil}, Timeout: soakClientTimeout}
	defer metricsClient.CloseIdleConnections()
	defer pollClient.CloseIdleConnections()
	scrape := func() (map[string]float64, error) { return soakScrape(metricsClient, s.URL+"/metrics") }

	// Baseline, once the startup work has settled.
	// kept: nothing marks the end of the start-up's transient work (first
	// periodic runs, pool connections); the baseline follows a fixed settle.
	time.Sleep(time.Second)
	base, err := scrape()
	if err != nil {
		t.Fatal(err)
	}
	baseGoroutines, baseHeap := base["go_goroutines"], base["go_memstats_heap_alloc_bytes"]
	processStart := base["process_start_time_seconds"]
	maxConns := base["messenger_db_pool_max_conns"]
	if baseGoroutines == 0 || baseHeap == 0 || processStart == 0 {
		t.Fatalf("baseline metrics missing: go_goroutines=%v go_memstats_heap_alloc_bytes=%v process_start_time_seconds=%v",
			baseGoroutines, baseHeap, processStart)
	}

	var phase atomic.Int32
	var problems []string // found by the main goroutine, reported at the end
	problemf := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	// The sampler watches the pool every 50 ms: its own gauges, and the
	// TCP connections to PostgreSQL's port, which also count connections
	// the pool is still establishing (the server may be paused).
	var samples [soakNumPhases]soakPoolSample
	var trace []string // changes seen by the sampler (HEALTHCHECK_SOAK_TRACE=1 prints them)
	var lastTrace string
	// The DB checks' failures seen so far, and when they last grew: a
	// connection whose query failed stays counted in the pool while pgx
	// closes it (see soakCloseWindow).
	var dbFailures float64
	var dbFailedAt time.Time
	loadStarted := time.Now()
	samplerDone := make(chan struct{})
	var samplerWG sync.WaitGroup
	stopSampler := sync.OnceFunc(func() { close(samplerDone); samplerWG.Wait() })
	t.Cleanup(stopSampler) // also when the test stops early
	samplerWG.Add(1)
	go func() {
		defer samplerWG.Done()
		tick := time.NewTicker(soakSampleEvery)
		defer tick.Stop()
		for {
			select {
			case <-samplerDone:
				return
			case <-tick.C:
			}
			ph := phase.Load()
			p := &samples[ph]
			p.samples++
			m, err := scrape()
			if err != nil {
				p.errors++
			} else {
				p.maxAcquired = max(p.maxAcquired, m["messenger_db_pool_acquired_conns"])
				if f := m[`messenger_health_check_failures_total{check="database"}`] + m[`messenger_health_check_failures_total{check="schema"}`]; f > dbFailures {
					dbFailures, dbFailedAt = f, time.Now()
				}
				if total := m["messenger_db_pool_total_conns"]; !dbFailedAt.IsZero() && time.Since(dbFailedAt) < soakCloseWindow {
					p.maxTotalClosing = max(p.maxTotalClosing, total)
				} else {
					p.maxTotal = max(p.maxTotal, total)
				}
			}
			n, err := soakTCPConns(pg.Port())
			switch {
			case err != nil:
				p.errors++
			case !dbFailedAt.IsZero() && time.Since(dbFailedAt) < soakCloseWindow:
				p.maxTCPClosing = max(p.maxTCPClosing, n)
			default:
				p.maxTCP = max(p.maxTCP, n)
			}
			if m != nil && len(trace) < 10000 {
				acquired, idle, total := m["messenger_db_pool_acquired_conns"], m["messenger_db_pool_idle_conns"], m["messenger_db_pool_total_conns"]
				line := fmt.Sprintf("%-9s acquired=%.0f idle=%.0f constructing=%.0f total=%.0f tcp=%d",
					soakPhaseNames[ph], acquired, idle, total-acquired-idle, total, n)
				if line != lastTrace {
					trace = append(trace, fmt.Sprintf("%7.3fs %s", time.Since(loadStarted).Seconds(), line))
					lastTrace = line
				}
			}
		}
	}()

	// mark records a phase boundary, and checks that the service is the
	// same process it was.
	var bounds []soakBoundary
	mark := func() {
		b := soakBoundary{at: time.Now()}
		if haveStmts {
			n, err := pgCall(pg.StatementCount)
			if err != nil {
				t.Fatal(err)
			}
			b.stmts, b.stmtsOK = n, true
		}
		m, err := scrape()
		if err != nil {
			problemf("/metrics at the start of phase %d: %v", len(bounds), err)
		} else {
			b.runsDB = m[`messenger_health_check_runs_total{check="database"}`]
			b.runsSchema = m[`messenger_health_check_runs_total{check="schema"}`]
			if m["process_start_time_seconds"] != processStart {
				problemf("process_start_time_seconds changed: the service restarted")
			}
		}
		select {
		case <-s.done:
			t.Fatalf("the service exited during the soak: %v\nstderr:\n%s", s.err, s.Stderr())
		default:
		}
		if s.cmd.Process.Pid != pid {
			problemf("service PID changed from %d to %d", pid, s.cmd.Process.Pid)
		}
		bounds = append(bounds, b)
	}

	// detect polls the public route every 20 ms from now on until want
	// holds for its status code, and sends when that happened (zero when
	// it did not within 15 s).
	quit := make(chan struct{})
	t.Cleanup(func() { close(quit) })
	detect := func(want func(code int) bool) <-chan time.Time {
		ch := make(chan time.Time, 1)
		go func() {
			// Polled like a load balancer, every 20 ms: the detection time
			// is measured from the probe's side, at that resolution.
			poll := time.NewTicker(20 * time.Millisecond)
			defer poll.Stop()
			deadline := time.Now().Add(15 * time.Second)
			for time.Now().Before(deadline) {
				resp, err := pollClient.Get(s.URL + "/healthcheck/")
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if want(resp.StatusCode) {
						ch <- time.Now()
						return
					}
				}
				select {
				case <-quit:
					ch <- time.Time{}
					return
				case <-poll.C:
				}
			}
			ch <- time.Time{}
		}()
		return ch
	}
	failing := func(code int) bool { return code == http.StatusInternalServerError }
	passing := func(code int) bool { return code == http.StatusOK }
	since := func(at time.Time, from time.Time) time.Duration {
		if at.IsZero() {
			return -1
		}
		return at.Sub(from)
	}
	sleepUntil := func(at time.Time) { time.Sleep(time.Until(at)) } // kept: the phases' schedule (pacing)

	load := soakStartLoad(soakLoadConfig{
		baseURL: s.URL,
		workers: soakWorkers,
		rps:     rps,
		timeout: soakClientTimeout,
		token:   token,
		phases:  soakNumPhases,
		phase:   &phase,
		validate: func(r soakRoute, code int, body []byte) (string, string) {
			return soakValidate(r, code, body, secrets)
		},
	})
	stopLoad := sync.OnceValue(load.stop)
	t.Cleanup(func() { stopLoad(); load.transport.CloseIdleConnections() })

	// healthy
	mark()
	sleepUntil(bounds[soakHealthy].at.Add(phaseDur))

	// stopped: measured from the Stop call, since a fast shutdown
	// terminates the sessions first and waits for the checkpoint after.
	mark()
	phase.Store(soakStopped)
	down := detect(failing)
	t0 := time.Now()
	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	stopTook := time.Since(t0)
	detectStop := since(<-down, t0)
	sleepUntil(bounds[soakStopped].at.Add(phaseDur))

	// restarted: measured from Start's return, when PostgreSQL accepts
	// connections again.
	phase.Store(soakRestarted)
	t0 = time.Now()
	if err := pg.Start(); err != nil {
		t.Fatal(err)
	}
	startTook := time.Since(t0)
	t0 = time.Now()
	mark()
	detectStart := since(<-detect(passing), t0)
	sleepUntil(bounds[soakRestarted].at.Add(phaseDur))

	// paused: measured from the Pause call (the postmaster stops first).
	mark()
	phase.Store(soakPaused)
	down = detect(failing)
	t0 = time.Now()
	if err := pg.Pause(); err != nil {
		t.Fatal(err)
	}
	pauseTook := time.Since(t0)
	detectPause := since(<-down, t0)
	sleepUntil(bounds[soakPaused].at.Add(phaseDur))

	// resumed: measured from Resume's return.
	phase.Store(soakResumed)
	if err := pg.Resume(); err != nil {
		t.Fatal(err)
	}
	t0 = time.Now()
	mark()
	detectResume := since(<-detect(passing), t0)
	sleepUntil(bounds[soakResumed].at.Add(phaseDur))

	mark()
	stats := stopLoad()
	loadTook := time.Since(loadStarted)
	stopSampler()

	// After the load: idle keep-alive connections closed, the service
	// should return to its baseline.
	load.transport.CloseIdleConnections()
	pollClient.CloseIdleConnections()
	metricsClient.CloseIdleConnections() // the sampler's and mark's scrapes may have opened two
	after := map[string]float64{}
	settle := time.Now()
	goroutinesOK := func() bool {
		m, err := scrape()
		if err == nil {
			after = m
		}
		return err == nil && m["go_goroutines"] <= baseGoroutines+5
	}
	for !goroutinesOK() && time.Since(settle) < 10*time.Second {
		// kept: the process's gauges settle on their own (idle connections
		// closing), with no event but the next scrape
		time.Sleep(200 * time.Millisecond)
	}
	goroutinesSettled := time.Since(settle)
	heapLimit := 2*baseHeap + 8<<20
	settle = time.Now()
	heapOK := func() bool {
		m, err := scrape()
		if err == nil {
			after["go_memstats_heap_alloc_bytes"] = m["go_memstats_heap_alloc_bytes"]
		}
		return err == nil && m["go_memstats_heap_alloc_bytes"] <= heapLimit
	}
	for !heapOK() && time.Since(settle) < 10*time.Second {
		time.Sleep(200 * time.Millisecond) // kept: as above, the heap shrinks at the GC's pace
	}
	metricsClient.CloseIdleConnections()
	stderrText := s.Stderr()

	s.Terminate(t)
	t0 = time.Now()
	exitCode := s.Wait(t, 20*time.Second)
	exitTook := time.Since(t0)
	runTook := time.Since(launched)

	// Every pooled session has ended: its transactions are published now
	// or within moments; read until two reads agree.
	xact1, err := pgCall(pg.XactCount)
	for i := 0; err == nil && i < 10; i++ {
		// kept: PostgreSQL publishes an ended session's counts
		// asynchronously, and the pooled sessions' backends are not ours
		time.Sleep(300 * time.Millisecond)
		var n int64
		if n, err = pgCall(pg.XactCount); err == nil && n == xact1 {
			break
		}
		xact1 = n
	}
	if err != nil {
		t.Fatal(err)
	}
	xacts := xact1 - xact0

	xactLimit := int64(soakDBChecks*runTook.Seconds()/soakTTL.Seconds()) + 50

	r := &soakResult{
		rps: rps, stats: stats, bounds: bounds, samples: samples, trace: trace, problems: problems,
		loadTook: loadTook, runTook: runTook,
		stopTook: stopTook, startTook: startTook, pauseTook: pauseTook,
		detectStop: detectStop, detectStart: detectStart, detectPause: detectPause, detectResume: detectResume,
		xacts: xacts, xactLimit: xactLimit, maxConns: maxConns,
		baseGoroutines: baseGoroutines, baseHeap: baseHeap, heapLimit: heapLimit, after: after, goroutinesSettled: goroutinesSettled,
		stderrText: stderrText, exitCode: exitCode, exitTook: exitTook,
	}
	soakSummarize(t, r)
	soakCheck(t, r, s)
}
