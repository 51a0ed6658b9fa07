package main

import (
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/echofx/healthcheck/internal/testutil"
)

// promWaitFor polls cond every 100 ms until it holds or d passes.
func promWaitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		// kept: Prometheus scrapes and evaluates on its own 1 s schedule;
		// its query API is the only view of the result, with no event.
		time.Sleep(100 * time.Millisecond)
	}
}

// promThreshold matches a comparison with a number literal on its right
// ("> 0.1", "== 0", "< 600", "> bool 1").
var promThreshold = regexp.MustCompile(`\s*(?:==|!=|>=|<=|>|<)\s*(?:bool\s+)?[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?`)

// promStartupFailuresRE matches the database check's startup failure
// counter in the text exposition format and captures its value.
var promStartupFailuresRE = regexp.MustCompile(`(?m)^messenger_health_startup_failures_total\{check="database"\} (\S+)$`)

// promStripThresholds removes every comparison with a number literal. A
// comparison without `bool` only filters series, so the stripped
// expression returns a superset of the original's series: the series the
// alert watches, whatever their values. That it returns something proves
// the selectors match real series and the operands' labels match (`and
// on (...)`, divisions), which the alert's own expression cannot show
// while the service is healthy and the alert therefore returns nothing.
func promStripThresholds(expr string) string {
	return promThreshold.ReplaceAllString(expr, "")
}

func TestPromQLStripThresholds(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`messenger_health_check_status == 0`, `messenger_health_check_status`},
		{`rate(a[5m]) / rate(b[5m]) > 0.1`, `rate(a[5m]) / rate(b[5m])`},
		{`histogram_quantile(0.95, sum by (le) (rate(x_bucket{le="1"}[5m]))) > 1`, `histogram_quantile(0.95, sum by (le) (rate(x_bucket{le="1"}[5m])))`},
		{"s == 1\nand on (c) increase(t[15m]) > 0\nand on (c) min_over_time(s[15m]) == 0", "s\nand on (c) increase(t[15m])\nand on (c) min_over_time(s[15m])"},
		{`x > 0 and on (i) (time() - y) < 600`, `x and on (i) (time() - y)`},
		{`time() - z{check=~"database"} > 300`, `time() - z{check=~"database"}`},
		{`up{job!="x"} == bool 0`, `up{job!="x"}`},
		{`a > 1e3`, `a`},
	} {
		if got := promStripThresholds(tc.in); got != tc.want {
			t.Errorf("promStripThresholds(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestPromQLAgainstRealMetrics evaluates every PromQL expression of the
// dashboard and the alert rules in a real Prometheus that scrapes a real
// example and loads alerts.yml:
//
//   - dashboard queries (variables set to "All", interval variables as in
//     promGrafanaBuiltins) must succeed and return at least one series;
//     the template variables' label_values() must return values;
//   - alert expressions must succeed, and with their thresholds removed
//     (promStripThresholds) must return series: an alert on a healthy
//     service legitimately returns nothing, so the stripped form is what
//     proves its selectors and label matching fit the real metrics;
//   - on this healthy service no alert expression may return series
//     except HealthCheckStartupFailures, which the test provokes: the
//     database is down when the example starts and comes up once the
//     startup gate has failed once. That moves the failure counter
//     (exported at 0 from the start) off 0, fires the alert in Prometheus,
//     and gives the dashboard's alert history (ALERTS) a series.
//
// It ends with a SIGTERM to the example, which must exit 0.
func TestPromQLAgainstRealMetrics(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL, the example and Prometheus (about 15 s)")
	}
	promBin := deployPromBinary(t, "prometheus")
	rules, err := filepath.Abs(filepath.Join(deployPromDir, "alerts.yml"))
	if err != nil {
		t.Fatal(err)
	}
	dash := promLoadDashboard(t)
	alertRules := deployLoadRules(t)
	if t.Failed() {
		return
	}

	// Start with the database down; the gate retries (bounded by
	// HEALTH_STARTUP_MAX_WAIT, 12 s) while the test waits for the first
	// failed attempt, then brings the database up.
	pg := testutil.StartPostgres(t)
	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	svc := startService(t, fastEnv("DATABASE_URL="+pg.DSN(), "HEALTH_STARTUP_MAX_ATTEMPTS=100")...)
	// The counter is exported at 0 from the start: a value >= 1 once the
	// gate logged a failed attempt (counted before the log line).
	svc.WaitLog(t, `msg="startup checks failing; retrying"`, 10*time.Second)
	_, body := svc.Get(t, "/metrics")
	if m := promStartupFailuresRE.FindStringSubmatch(body); m == nil {
		t.Fatalf("no failed startup attempt in /metrics:\n%s", body)
	} else if v, err := strconv.ParseFloat(m[1], 64); err != nil || v < 1 {
		t.Fatalf("failed startup attempts = %s, want >= 1", m[1])
	}
	if err := pg.Start(); err != nil {
		t.Fatal(err)
	}
	svc.WaitLog(t, `msg="lifecycle started"`, 15*time.Second) // the gate passed: ready
	if code, body := svc.Get(t, "/healthcheck/ready"); code != http.StatusOK {
		t.Fatalf("ready once the lifecycle started: %d %s", code, body)
	}

	prom := promStart(t, promBin, strings.TrimPrefix(svc.URL, "http://"), rules)
	count := func(expr string) int {
		n, err := prom.query(expr)
		if err != nil {
			t.Fatalf("query %q: %v\nprometheus:\n%s", expr, err, prom.output())
		}
		return n
	}
	// Enough 1 s scrapes that every rate() and increase() window holds
	// several samples of counters that moved (the checks run every 0.5 s).
	promWaitFor(t, 20*time.Second, "6 successful scrapes", func() bool {
		return count(`count_over_time(up{job="messenger"}[1m]) >= 6 and up{job="messenger"} == 1`) == 1
	})
	promWaitFor(t, 10*time.Second, "HealthCheckStartupFailures firing", func() bool {
		return count(`ALERTS{alertname="HealthCheckStartupFailures", alertstate="firing", check="database"}`) == 1
	})

	// The dashboard.
	for _, e := range dash.exprs {
		n, err := prom.query(e.expr)
		switch {
		case err != nil:
			t.Errorf("%s: %v\n%s", e.where, err, e.expr)
		case n == 0:
			t.Errorf("%s: no series\n%s", e.where, e.expr)
		}
	}
	for _, v := range dash.vars {
		vals, err := prom.labelValues(v.match, v.label)
		if err != nil || len(vals) == 0 {
			t.Errorf("variable %s: label_values(%s, %s) = %v, %v", v.name, v.match, v.label, vals, err)
		}
	}

	// The alert rules.
	alerts := 0
	for _, g := range alertRules.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" {
				continue
			}
			alerts++
			active, err := prom.query(r.Expr)
			if err != nil {
				t.Errorf("alert %s: %v\n%s", r.Alert, err, r.Expr)
				continue
			}
			stripped := promStripThresholds(r.Expr)
			if stripped == r.Expr {
				t.Errorf("alert %s: no threshold to strip in %q", r.Alert, r.Expr)
			}
			n, err := prom.query(stripped)
			switch {
			case err != nil:
				t.Errorf("alert %s, thresholds stripped: %v\n%s", r.Alert, err, stripped)
			case n == 0:
				t.Errorf("alert %s, thresholds stripped: no series: its selectors or label matching do not fit the real metrics\n%s", r.Alert, stripped)
			}
			wantActive := r.Alert == "HealthCheckStartupFailures"
			if (active > 0) != wantActive {
				t.Errorf("alert %s: expression returns %d series on a healthy service after one failed startup attempt; want active=%v", r.Alert, active, wantActive)
			}
		}
	}
	t.Logf("validated %d dashboard expressions, %d variable queries, %d alert expressions (each as written and without thresholds)", len(dash.exprs), len(dash.vars), alerts)

	svc.Terminate(t)
	if code := svc.Wait(t, 10*time.Second); code != 0 {
		t.Errorf("example exit code %d after SIGTERM, want 0\nstderr:\n%s", code, svc.Stderr())
	}
}
