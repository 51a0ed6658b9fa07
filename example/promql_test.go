package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/echofx/healthcheck/internal/testutil"
)

// promClient talks to the test's Prometheus without keep-alive, so no
// idle connection goroutine outlives the test (goleak checks the package).
var promClient = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

// promServer is a Prometheus process started by the test.
type promServer struct {
	cmd  *exec.Cmd
	url  string
	done chan struct{}
	mu   sync.Mutex
	out  bytes.Buffer
}

func (p *promServer) output() string { p.mu.Lock(); defer p.mu.Unlock(); return p.out.String() }

// promStart runs prometheus on a free loopback port with storage in a
// temporary directory, scraping target every second under the job name the
// rules expect ("messenger", see prometheus/prometheus.yml) and evaluating
// rules every second. It returns once /-/ready answers; the process gets
// SIGTERM (then SIGKILL) at cleanup.
func promStart(t *testing.T, bin, target, rules string) *promServer {
	t.Helper()
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "prometheus.yml")
	cfg := fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - %q
scrape_configs:
  - job_name: messenger
    static_configs:
      - targets: [%q]
`, rules, target)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	// FreePort does not reserve the port: retry if another process takes
	// it before Prometheus binds it.
	for attempt := 1; ; attempt++ {
		p, portTaken := promLaunch(t, bin, cfgPath, filepath.Join(dir, fmt.Sprintf("data-%d", attempt)))
		if p != nil {
			return p
		}
		if !portTaken || attempt == 3 {
			t.Fatal("prometheus did not start")
		}
	}
}

// promLaunch starts one prometheus process and waits until it is ready. It
// returns nil and portTaken true when the port was taken meanwhile.
func promLaunch(t *testing.T, bin, cfgPath, dataDir string) (p *promServer, portTaken bool) {
	t.Helper()
	port, err := testutil.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	p = &promServer{url: fmt.Sprintf("http://127.0.0.1:%d", port), done: make(chan struct{})}
	p.cmd = exec.Command(bin,
		"--config.file="+cfgPath,
		"--storage.tsdb.path="+dataDir,
		fmt.Sprintf("--web.listen-address=127.0.0.1:%d", port),
		"--log.level=warn",
	)
	p.cmd.Stdout = lockedWriter{&p.mu, &p.out}
	p.cmd.Stderr = lockedWriter{&p.mu, &p.out}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		// Only the process this test started, by its PID.
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := promClient.Get(p.url + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, false
			}
		}
		select {
		case <-p.done:
			if strings.Contains(p.output(), "address already in use") {
				t.Logf("prometheus: port %d taken, retrying", port)
				return nil, true
			}
			t.Fatalf("prometheus exited at start:\n%s", p.output())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("prometheus not ready after 20s:\n%s", p.output())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// promQueryResult is the answer of /api/v1/query.
type promQueryResult struct {
	Status    string `json:"status"`
	ErrorType string `json:"errorType"`
	Error     string `json:"error"`
	Data      struct {
		ResultType string            `json:"resultType"`
		Result     []json.RawMessage `json:"result"`
	} `json:"data"`
}

// query evaluates expr at the current time and returns the number of
// series in the result, or an error for an HTTP or PromQL failure.
func (p *promServer) query(expr string) (int, error) {
	resp, err := promClient.PostForm(p.url+"/api/v1/query", url.Values{"query": {expr}})
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	var r promQueryResult
	// A scalar or string result is a [time, value] pair, not a list of
	// series: decode the list form only for vectors and matrices.
	var head struct {
		Status string `json:"status"`
		Data   struct {
			ResultType string `json:"resultType"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return 0, fmt.Errorf("HTTP %d: %s", resp.StatusCode, b)
	}
	if head.Data.ResultType == "scalar" || head.Data.ResultType == "string" {
		return 1, nil
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return 0, fmt.Errorf("HTTP %d: %s", resp.StatusCode, b)
	}
	if r.Status != "success" {
		return 0, fmt.Errorf("%s: %s", r.ErrorType, r.Error)
	}
	return len(r.Data.Result), nil
}

// labelValues returns the values of label on the series matching match,
// as Grafana's label_values(match, label) does.
func (p *promServer) labelValues(match, label string) ([]string, error) {
	resp, err := promClient.Get(p.url + "/api/v1/label/" + url.PathEscape(label) + "/values?" + url.Values{"match[]": {match}}.Encode())
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var r struct {
		Status string   `json:"status"`
		Error  string   `json:"error"`
		Data   []string `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return nil, err
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("%s", r.Error)
	}
	return r.Data, nil
}

// promWaitFor polls cond every 100 ms until it holds or d passes.
func promWaitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// promThreshold matches a comparison with a number literal on its right
// ("> 0.1", "== 0", "< 600", "> bool 1").
var promThreshold = regexp.MustCompile(`\s*(?:==|!=|>=|<=|>|<)\s*(?:bool\s+)?[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?`)

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

// promGrafanaVar matches $name, ${name} and ${name:format}.
var promGrafanaVar = regexp.MustCompile(`\$(?:\{(\w+)(?::\w+)?\}|(\w+))`)

// promGrafanaBuiltins are Grafana's interval variables, replaced by values
// that make sense over the test's few seconds of 1 s scrapes: every
// window holds at least two samples, which rate() and increase() need.
var promGrafanaBuiltins = map[string]string{
	"__rate_interval": "1m",
	"__interval":      "15s",
	"__range":         "1h",
}

// promDashboard is what the test reads of dashboard.json.
type promDashboard struct {
	exprs []promExpr          // every targets[].expr, variables substituted
	vars  []promLabelValuesQ  // label_values() template variable queries
	subst func(string) string // variable substitution
}

type promExpr struct{ where, expr string }

type promLabelValuesQ struct{ name, match, label string }

var promLabelValuesRE = regexp.MustCompile(`^label_values\((.+),\s*(\w+)\)$`)

func promLoadDashboard(t *testing.T) promDashboard {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("deploy", "grafana", "dashboard.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		SchemaVersion int `json:"schemaVersion"`
		Templating    struct {
			List []struct {
				Name       string `json:"name"`
				Type       string `json:"type"`
				AllValue   string `json:"allValue"`
				Definition string `json:"definition"`
			} `json:"list"`
		} `json:"templating"`
		Panels []json.RawMessage `json:"panels"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("dashboard.json: %v", err)
	}
	if d.SchemaVersion < 36 {
		t.Errorf("schemaVersion %d: want a current Grafana schema (>= 36)", d.SchemaVersion)
	}
	values := map[string]string{}
	for k, v := range promGrafanaBuiltins {
		values[k] = v
	}
	var out promDashboard
	for _, v := range d.Templating.List {
		switch v.Type {
		case "query":
			// "All" selected: the variable's allValue (a regex).
			values[v.Name] = v.AllValue
			if v.AllValue == "" {
				values[v.Name] = ".*"
			}
			m := promLabelValuesRE.FindStringSubmatch(v.Definition)
			if m == nil {
				t.Errorf("variable %s: query %q is not label_values(selector, label)", v.Name, v.Definition)
				continue
			}
			out.vars = append(out.vars, promLabelValuesQ{name: v.Name, match: m[1], label: m[2]})
		case "datasource":
			values[v.Name] = "prometheus"
		}
	}
	out.subst = func(s string) string {
		return promGrafanaVar.ReplaceAllStringFunc(s, func(m string) string {
			sm := promGrafanaVar.FindStringSubmatch(m)
			name := sm[1] + sm[2]
			v, ok := values[name]
			if !ok {
				t.Errorf("unknown Grafana variable %s in %q", m, s)
				return m
			}
			return v
		})
	}
	for i := range out.vars {
		out.vars[i].match = out.subst(out.vars[i].match)
	}

	// Panels, including those nested in collapsed rows.
	type panel struct {
		Title   string            `json:"title"`
		Type    string            `json:"type"`
		Panels  []json.RawMessage `json:"panels"`
		Targets []struct {
			RefID string `json:"refId"`
			Expr  string `json:"expr"`
		} `json:"targets"`
		Datasource struct {
			UID string `json:"uid"`
		} `json:"datasource"`
	}
	var walk func([]json.RawMessage)
	walk = func(raw []json.RawMessage) {
		for _, r := range raw {
			var p panel
			if err := json.Unmarshal(r, &p); err != nil {
				t.Fatalf("dashboard.json panel: %v", err)
			}
			walk(p.Panels)
			if p.Type == "row" {
				continue
			}
			if p.Datasource.UID != "${DS_PROMETHEUS}" {
				t.Errorf("panel %q: datasource uid %q, want ${DS_PROMETHEUS}", p.Title, p.Datasource.UID)
			}
			if len(p.Targets) == 0 {
				t.Errorf("panel %q has no query", p.Title)
			}
			for _, tg := range p.Targets {
				if strings.TrimSpace(tg.Expr) == "" {
					t.Errorf("panel %q target %s: empty expr", p.Title, tg.RefID)
					continue
				}
				out.exprs = append(out.exprs, promExpr{where: fmt.Sprintf("panel %q target %s", p.Title, tg.RefID), expr: out.subst(tg.Expr)})
			}
		}
	}
	walk(d.Panels)
	return out
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
//     startup gate has failed once. That makes the failure counter (which
//     exists only after a failure) real, fires the alert in Prometheus,
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
	promWaitFor(t, 10*time.Second, "a failed startup attempt in /metrics", func() bool {
		_, body := svc.Get(t, "/metrics")
		return strings.Contains(body, `messenger_health_startup_failures_total{check="database"}`)
	})
	if err := pg.Start(); err != nil {
		t.Fatal(err)
	}
	promWaitFor(t, 15*time.Second, "readiness once the database is up", func() bool {
		code, _ := svc.Get(t, "/healthcheck/ready")
		return code == http.StatusOK
	})

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
