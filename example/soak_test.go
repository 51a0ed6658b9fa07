package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/echofx/healthcheck/internal/testutil"
)

// The soak test's settings. The service runs with a 500 ms cache TTL, a 1 s
// check timeout and a 2 s periodic interval.
const (
	soakSecret   = "soak-secret-0123456789abcdef0123456789ab" // 40 characters
	soakTTL      = 500 * time.Millisecond
	soakTimeout  = time.Second
	soakInterval = 2 * time.Second

	soakWorkers = 64
	// soakRPS caps the total request rate (HEALTHCHECK_SOAK_RPS overrides,
	// 0 = flat out), paced per worker (no shared state per request). 64
	// workers flat out saturate a 2-core machine (about 7000 req/s with
	// the race-instrumented client), which then measures the scheduler
	// and starves whatever else runs there (go test runs packages in
	// parallel); 2000 req/s is still a thousand requests per TTL, enough
	// to hit every cache edge.
	soakRPS           = 2000
	soakClientTimeout = 3 * time.Second
	// soakDBChecks is the number of checks that query the database:
	// database (SELECT 1) and schema (one query).
	soakDBChecks = 2
	// soakDetectSlack is added to TTL + Timeout for polling and scheduling.
	soakDetectSlack = time.Second
	soakSampleEvery = 50 * time.Millisecond
)

// soakPausedDialPileUp, when true, tolerates from the pause on a pool that fills up to
// its MaxConns with connection attempts (which stay as idle connections
// once the server resumes). The example's pool has no connect timeout
// (DATABASE_URL has no connect_timeout and newPool sets none), and pgxpool
// lets a dial started by Acquire outlive the caller's context: every
// database probe that finds no idle connection starts one more dial, which
// hangs until the server resumes. The timed-out connection also stays
// counted as acquired while pgx closes it (up to 15 s: it first sends a
// cancel request on a new connection). The checks themselves still hold at
// most one acquired connection each. Set it to false once the pool's dials
// are bounded (pgxpool Config.ConnConfig.ConnectTimeout <= the check
// timeout), to hold the paused and resumed phases to the bound of the
// others.
const soakPausedDialPileUp = false

// The phases of the soak, in order.
const (
	soakHealthy = iota
	soakStopped
	soakRestarted
	soakPaused
	soakResumed
	soakNumPhases
)

var soakPhaseNames = [soakNumPhases]string{"healthy", "stopped", "restarted", "paused", "resumed"}

// soakBoundary is what was measured at the start of a phase (and at the end of
// the last one).
type soakBoundary struct {
	at         time.Time
	stmts      int64 // pg_stat_statements calls in the application database
	stmtsOK    bool
	runsDB     float64 // messenger_health_check_runs_total{check="database"}
	runsSchema float64 // messenger_health_check_runs_total{check="schema"}
}

// soakPoolSample is the maximum over a phase of what the sampler saw.
type soakPoolSample struct {
	samples     int
	errors      int
	maxAcquired float64 // messenger_db_pool_acquired_conns
	maxTotal    float64 // messenger_db_pool_total_conns
	maxTCP      int     // client TCP connections to PostgreSQL's port
}

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
				p.maxTotal = max(p.maxTotal, m["messenger_db_pool_total_conns"])
			}
			n, err := soakTCPConns(pg.Port())
			if err != nil {
				p.errors++
			} else {
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
			deadline := time.Now().Add(15 * time.Second)
			for time.Now().Before(deadline) {
				select {
				case <-quit:
					ch <- time.Time{}
					return
				default:
				}
				resp, err := pollClient.Get(s.URL + "/healthcheck/")
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if want(resp.StatusCode) {
						ch <- time.Now()
						return
					}
				}
				time.Sleep(20 * time.Millisecond)
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
	sleepUntil := func(at time.Time) { time.Sleep(time.Until(at)) }

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
		time.Sleep(200 * time.Millisecond)
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

	// The summary.
	var sum strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&sum, format+"\n", args...) }
	w("=== TestSoak summary (%v of load, %d workers, cap %s, TTL %v, timeout %v, interval %v)",
		loadTook.Round(100*time.Millisecond), soakWorkers, soakRateCap(rps), soakTTL, soakTimeout, soakInterval)
	totalReq := 0
	for p := range soakNumPhases {
		totalReq += stats[p].requests
	}
	w("requests: %d in total, %.0f req/s", totalReq, float64(totalReq)/loadTook.Seconds())
	w("%-9s %8s %7s %8s %8s %8s %6s %5s %10s %4s %5s %4s", "phase", "requests", "req/s", "p50", "p99", "max", "stmts", "q/s",
		"runs/s", "acq", "total", "tcp")
	for p := range soakNumPhases {
		st := &stats[p]
		win := bounds[p+1].at.Sub(bounds[p].at)
		qs := "n/a"
		stmts := "n/a"
		if bounds[p].stmtsOK && bounds[p+1].stmtsOK {
			d := bounds[p+1].stmts - bounds[p].stmts
			stmts = strconv.FormatInt(d, 10)
			qs = fmt.Sprintf("%.2f", float64(d)/win.Seconds())
		}
		runsDB, runsSchema := bounds[p+1].runsDB-bounds[p].runsDB, bounds[p+1].runsSchema-bounds[p].runsSchema
		w("%-9s %8d %7.0f %8v %8v %8v %6s %5s %4.2f+%4.2f %4.0f %5.0f %4d", soakPhaseNames[p], st.requests, float64(st.requests)/win.Seconds(),
			st.quantile(0.5).Round(10*time.Microsecond), st.quantile(0.99).Round(10*time.Microsecond), st.max.Round(10*time.Microsecond),
			stmts, qs, runsDB/win.Seconds(), runsSchema/win.Seconds(), samples[p].maxAcquired, samples[p].maxTotal, samples[p].maxTCP)
	}
	w("  (stmts, q/s: pg_stat_statements calls of the app database over the phase; runs/s: database + schema executions from")
	w("   messenger_health_check_runs_total; acq, total: max of messenger_db_pool_acquired_conns/_total_conns sampled")
	w("   every %v; tcp: max of client TCP connections to PostgreSQL's port)", soakSampleEvery)
	for p := range soakNumPhases {
		st := &stats[p]
		codes := slices.Sorted(maps.Keys(st.codes))
		var parts []string
		for _, k := range codes {
			parts = append(parts, fmt.Sprintf("%s:%d", k, st.codes[k]))
		}
		w("%-9s codes %s; slowest %s", soakPhaseNames[p], strings.Join(parts, " "), st.maxRoute)
		for _, k := range slices.Sorted(maps.Keys(st.messages)) {
			w("%-9s   error %q x%d", "", k, st.messages[k])
		}
	}
	w("detection: stopped->500 %v (Stop took %v), restarted->200 %v (Start took %v), paused->500 %v (Pause took %v), resumed->200 %v; bound %v",
		detectStop.Round(time.Millisecond), stopTook.Round(time.Millisecond), detectStart.Round(time.Millisecond), startTook.Round(time.Millisecond),
		detectPause.Round(time.Millisecond), pauseTook.Round(time.Millisecond), detectResume.Round(time.Millisecond), soakTTL+soakTimeout+soakDetectSlack)
	xactLimit := int64(soakDBChecks*runTook.Seconds()/soakTTL.Seconds()) + 50
	w("transactions (pg_stat_database, after exit): %d over %v of service life (%.2f/s), bound %d", xacts, runTook.Round(100*time.Millisecond),
		float64(xacts)/runTook.Seconds(), xactLimit)
	w("goroutines: %.0f before, %.0f after (settled in %v); heap: %.1f MiB before, %.1f MiB after (bound %.1f MiB)",
		baseGoroutines, after["go_goroutines"], goroutinesSettled.Round(10*time.Millisecond),
		baseHeap/(1<<20), after["go_memstats_heap_alloc_bytes"]/(1<<20), heapLimit/(1<<20))
	w("exit code %d, %v after SIGTERM", exitCode, exitTook.Round(10*time.Millisecond))
	if sp, sr := samples[soakPaused], samples[soakResumed]; soakPausedDialPileUp && max(sp.maxTotal, float64(sp.maxTCP), sr.maxTotal, float64(sr.maxTCP)) > soakDBChecks+1 {
		w("KNOWN ISSUE: from the pause on the pool grew to %.0f connections (MaxConns %.0f), up to %d TCP connections: dials without a connect timeout outlive the probes (soakPausedDialPileUp)",
			max(sp.maxTotal, sr.maxTotal), maxConns, max(sp.maxTCP, sr.maxTCP))
	}
	if os.Getenv("HEALTHCHECK_SOAK_TRACE") == "1" {
		w("pool trace (changes only):\n%s", strings.Join(trace, "\n"))
	}
	fmt.Print(sum.String())
	t.Log("\n" + sum.String())
	if path := os.Getenv("HEALTHCHECK_SOAK_REPORT"); path != "" {
		// CI prints this file: go test shows a passing test's output
		// only with -v.
		if err := os.WriteFile(path, []byte(sum.String()), 0o644); err != nil {
			t.Errorf("write the soak report: %v", err)
		}
	}

	// The assertions.
	for _, p := range problems {
		t.Error(p)
	}
	// 1. Documented bodies only, no transport error.
	for p := range soakNumPhases {
		st := &stats[p]
		if st.invalid > 0 || st.transportErrs > 0 {
			t.Errorf("phase %s: %d undocumented responses, %d transport errors; first ones:\n  %s",
				soakPhaseNames[p], st.invalid, st.transportErrs, strings.Join(st.examples, "\n  "))
		}
		if st.requests == 0 {
			t.Errorf("phase %s: no request served", soakPhaseNames[p])
		}
	}
	// 2. A paused database costs a probe nothing.
	healthyP99, pausedP99 := stats[soakHealthy].quantile(0.99), stats[soakPaused].quantile(0.99)
	if limit := max(5*healthyP99, healthyP99+200*time.Millisecond); pausedP99 > limit {
		t.Errorf("paused p99 %v > %v (healthy p99 %v): requests waited on the hung database", pausedP99, limit, healthyP99)
	}
	if stats[soakPaused].max >= soakTimeout {
		t.Errorf("a request took %v while PostgreSQL was paused (%s): at least the check timeout %v",
			stats[soakPaused].max, stats[soakPaused].maxRoute, soakTimeout)
	}
	// 3. Detection within TTL + Timeout (+ slack).
	detectLimit := soakTTL + soakTimeout + soakDetectSlack
	for _, d := range []struct {
		what string
		took time.Duration
	}{{"500 after Stop", detectStop}, {"200 after Start", detectStart}, {"500 after Pause", detectPause}, {"200 after Resume", detectResume}} {
		if d.took < 0 || d.took > detectLimit {
			t.Errorf("%s: took %v, want at most TTL + timeout + %v = %v (-1: not within 15 s)", d.what, d.took, soakDetectSlack, detectLimit)
		}
	}
	// 4. At most one execution per DB check per TTL, whatever the load.
	for p := range soakNumPhases {
		win := bounds[p+1].at.Sub(bounds[p].at)
		perCheck := win.Seconds() / soakTTL.Seconds()
		if bounds[p].stmtsOK && bounds[p+1].stmtsOK {
			// +4: each check may run right at both ends of the window.
			if d := bounds[p+1].stmts - bounds[p].stmts; float64(d) > soakDBChecks*perCheck+4 {
				t.Errorf("phase %s: %d queries in %v, want at most %d checks x 1 per %v + 4 = %.0f", soakPhaseNames[p], d,
					win.Round(time.Millisecond), soakDBChecks, soakTTL, soakDBChecks*perCheck+4)
			}
		}
		for _, c := range []struct {
			name string
			runs float64
		}{{"database", bounds[p+1].runsDB - bounds[p].runsDB}, {"schema", bounds[p+1].runsSchema - bounds[p].runsSchema}} {
			if c.runs > perCheck+2 {
				t.Errorf("phase %s: check %s ran %.0f times in %v, want at most 1 per %v + 2 = %.0f", soakPhaseNames[p], c.name, c.runs,
					win.Round(time.Millisecond), soakTTL, perCheck+2)
			}
		}
	}
	if xacts > xactLimit {
		t.Errorf("%d transactions over %v, want at most %d checks x 1 per %v + 50 = %d", xacts, runTook, soakDBChecks, soakTTL, xactLimit)
	}
	// 5. One connection per check at most.
	for p := range soakNumPhases {
		sp := &samples[p]
		if sp.samples == 0 || sp.errors > sp.samples/10 {
			t.Errorf("phase %s: %d pool samples, %d failed", soakPhaseNames[p], sp.samples, sp.errors)
		}
		if sp.maxAcquired > soakDBChecks {
			t.Errorf("phase %s: %v pool connections acquired at once, want at most %d (one per DB check)", soakPhaseNames[p], sp.maxAcquired, soakDBChecks)
		}
		limit, why := float64(soakDBChecks+1), "one per DB check, plus one"
		if p >= soakPaused && soakPausedDialPileUp {
			// The pool's own bound, plus the cancel request pgx sends
			// for each connection that timed out, at most the
			// connections open before the pause (see
			// soakPausedDialPileUp); the dials that completed on resume
			// stay in the pool as idle connections.
			limit, why = maxConns+soakDBChecks+1, "the pool's MaxConns plus a cancel request per timed-out connection: known dial pile-up"
		}
		if sp.maxTotal > limit {
			t.Errorf("phase %s: the pool held %v connections, want at most %v (%s)", soakPhaseNames[p], sp.maxTotal, limit, why)
		}
		tcpLimit := limit
		if p == soakPaused {
			// While paused, each timed-out query also has pgx's cancel
			// request on a socket of its own (not a pool connection),
			// hanging like everything else until the connect timeout.
			tcpLimit = limit + soakDBChecks
		}
		if float64(sp.maxTCP) > tcpLimit {
			t.Errorf("phase %s: %d TCP connections to PostgreSQL at once, want at most %v (%s)", soakPhaseNames[p], sp.maxTCP, tcpLimit, why)
		}
	}
	// 6. Back to baseline, no panic, clean exit.
	if g := after["go_goroutines"]; g > baseGoroutines+5 {
		t.Errorf("goroutines: %v after the load, baseline %v (+5 allowed)", g, baseGoroutines)
	}
	if h := after["go_memstats_heap_alloc_bytes"]; h > heapLimit {
		t.Errorf("heap: %.1f MiB after the load, want at most 2 x %.1f MiB + 8 MiB", h/(1<<20), baseHeap/(1<<20))
	}
	if strings.Contains(strings.ToLower(stderrText), "panic") {
		t.Errorf("the service's log mentions a panic:\n%s", stderrText)
	}
	if exitCode != 0 {
		t.Errorf("exit code %d after SIGTERM\n%s", exitCode, s.Stderr())
	}
}

// soakValidate checks one response of the load against the
// documented bodies, and returns the error message of a failure body.
func soakValidate(r soakRoute, code int, body []byte, secrets []string) (problem, message string) {
	text := strings.TrimSpace(string(body))
	for _, s := range secrets {
		if strings.Contains(text, s) {
			return "the body carries a secret", ""
		}
	}
	const degradedBody = `{"status":"success","data":{"health":"degraded"}}`
	switch {
	case r == soakLive:
		if code != http.StatusOK || text != okBody {
			return "live must always answer 200 ok", ""
		}
		return "", ""
	case r == soakDetailed:
		var d struct {
			Status string                     `json:"status"`
			Checks map[string]json.RawMessage `json:"checks"`
		}
		if code != http.StatusOK {
			return "detailed must answer 200", ""
		}
		if err := json.Unmarshal(body, &d); err != nil {
			return "detailed: " + err.Error(), ""
		}
		if d.Status != "healthy" && d.Status != "degraded" && d.Status != "unhealthy" {
			return "detailed: unknown status", ""
		}
		for _, c := range []string{"database", "memory", "schema"} {
			if _, ok := d.Checks[c]; !ok {
				return "detailed: check " + c + " missing", ""
			}
		}
		return "", ""
	}
	// public and ready
	failCode := http.StatusInternalServerError
	if r == soakReady {
		failCode = http.StatusServiceUnavailable
	}
	switch code {
	case http.StatusOK:
		if text != okBody && text != degradedBody {
			return "200 with an undocumented body", ""
		}
		return "", ""
	case failCode:
		var f map[string]string
		if err := json.Unmarshal(body, &f); err != nil || len(f) != 2 || f["status"] != "error" {
			return `want {"status":"error","error":"..."}`, ""
		}
		// checks.FailureMessage prefixes "database: " unless the message
		// already mentions the check, as the server's "the database
		// system is shutting down" does.
		msg := f["error"]
		if !strings.HasPrefix(msg, "database: ") && !strings.Contains(msg, "database") {
			return "the failure does not name the database", msg
		}
		if strings.Contains(msg, "127.0.0.1") || strings.Contains(msg, "postgres://") {
			return "the failure names the server", msg
		}
		return "", msg
	}
	return "undocumented status", ""
}

func soakRateCap(rps float64) string {
	if rps == 0 {
		return "none"
	}
	return fmt.Sprintf("%.0f req/s", rps)
}
