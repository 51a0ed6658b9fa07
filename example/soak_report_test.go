package main

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

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
	maxTotal    float64 // messenger_db_pool_total_conns, no DB check failed within soakCloseWindow
	// maxTotalClosing is messenger_db_pool_total_conns in the samples taken
	// within soakCloseWindow of a failed DB check run.
	maxTotalClosing float64
	maxTCP          int // client TCP connections to PostgreSQL's port, no DB check failed within soakCloseWindow
	// maxTCPClosing is the TCP connections in the samples taken within
	// soakCloseWindow of a failed DB check run.
	maxTCPClosing int
}

func soakRateCap(rps float64) string {
	if rps == 0 {
		return "none"
	}
	return fmt.Sprintf("%.0f req/s", rps)
}

// soakResult is what TestSoak measured, for its summary and its assertions.
type soakResult struct {
	rps                                                float64
	stats                                              []soakPhaseStats
	bounds                                             []soakBoundary
	samples                                            [soakNumPhases]soakPoolSample
	trace                                              []string // the sampler's changes (HEALTHCHECK_SOAK_TRACE=1)
	problems                                           []string // found by the main goroutine during the soak
	loadTook, runTook                                  time.Duration
	stopTook, startTook, pauseTook                     time.Duration
	detectStop, detectStart, detectPause, detectResume time.Duration // -1: not within 15 s
	xacts, xactLimit                                   int64
	maxConns                                           float64
	baseGoroutines, baseHeap, heapLimit                float64
	after                                              map[string]float64 // metrics once the load stopped
	goroutinesSettled                                  time.Duration
	stderrText                                         string // the service's log before SIGTERM
	exitCode                                           int
	exitTook                                           time.Duration
}

// soakSummarize prints TestSoak's figures on stdout and in the test log,
// and writes them to HEALTHCHECK_SOAK_REPORT if set.
func soakSummarize(t *testing.T, r *soakResult) {
	rps, stats, bounds, samples, trace := r.rps, r.stats, r.bounds, r.samples, r.trace
	loadTook, runTook := r.loadTook, r.runTook
	stopTook, startTook, pauseTook := r.stopTook, r.startTook, r.pauseTook
	detectStop, detectStart, detectPause, detectResume := r.detectStop, r.detectStart, r.detectPause, r.detectResume
	xacts, xactLimit, maxConns := r.xacts, r.xactLimit, r.maxConns
	baseGoroutines, baseHeap, heapLimit, after, goroutinesSettled := r.baseGoroutines, r.baseHeap, r.heapLimit, r.after, r.goroutinesSettled
	exitCode, exitTook := r.exitCode, r.exitTook

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
			stmts, qs, runsDB/win.Seconds(), runsSchema/win.Seconds(), samples[p].maxAcquired, max(samples[p].maxTotal, samples[p].maxTotalClosing), max(samples[p].maxTCP, samples[p].maxTCPClosing))
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
}
