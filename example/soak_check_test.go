package main

import (
	"strings"
	"testing"
	"time"
)

// soakCheck asserts TestSoak's bounds on what it measured; s is the
// service, which has exited.
func soakCheck(t *testing.T, r *soakResult, s *service) {
	stats, bounds, samples, problems := r.stats, r.bounds, r.samples, r.problems
	runTook := r.runTook
	detectStop, detectStart, detectPause, detectResume := r.detectStop, r.detectStart, r.detectPause, r.detectResume
	xacts, xactLimit, maxConns := r.xacts, r.xactLimit, r.maxConns
	baseGoroutines, baseHeap, heapLimit, after := r.baseGoroutines, r.baseHeap, r.heapLimit, r.after
	stderrText, exitCode := r.stderrText, r.exitCode

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
		// After a failed DB check run (a query timed out, or the server
		// went away), the failed connection stays counted until pgx has
		// closed it, while the check's next run uses or dials another: at
		// most the connections open when the runs began failing (the
		// bound above) plus one in use or being dialed per DB check.
		// Which samples fall there is decided by that event (the failure
		// counters), not by the phase's clock: under load a query can
		// time out in any phase, and the pause's leftovers reach into the
		// resumed phase.
		if closing := limit + soakDBChecks; sp.maxTotalClosing > closing {
			t.Errorf("phase %s: after a failed DB check the pool held %v connections, want at most %v (%s, plus one per DB check while pgx closes the failed ones)",
				soakPhaseNames[p], sp.maxTotalClosing, closing, why)
		}
		tcpLimit := limit
		if p == soakPaused {
			// While paused, a timed-out query's cancel request opens its
			// socket as the query fails, a moment before the failure
			// counter that marks the close window grows.
			tcpLimit = limit + soakDBChecks
		}
		if float64(sp.maxTCP) > tcpLimit {
			t.Errorf("phase %s: %d TCP connections to PostgreSQL at once, want at most %v (%s)", soakPhaseNames[p], sp.maxTCP, tcpLimit, why)
		}
		// Within the close window of a failed run, the pool's connections
		// as bounded above, plus pgx's cancel request for each timed-out
		// query on a socket of its own (not a pool connection), hanging
		// like everything else until the connect timeout while paused;
		// decided by the failure event, like the pool's bound, since the
		// pause's leftovers reach into the resumed phase.
		if closing := limit + 2*soakDBChecks; float64(sp.maxTCPClosing) > closing {
			t.Errorf("phase %s: after a failed DB check %d TCP connections to PostgreSQL at once, want at most %v (%s, plus one per DB check while pgx closes the failed ones, plus a cancel request each)",
				soakPhaseNames[p], sp.maxTCPClosing, closing, why)
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
