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
	cmd   *exec.Cmd
	url   string
	done  chan struct{}
	mu    sync.Mutex
	out   bytes.Buffer
	wrote chan struct{} // closed and replaced (under mu) after every write
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
	p = &promServer{url: fmt.Sprintf("http://127.0.0.1:%d", port), done: make(chan struct{}), wrote: make(chan struct{})}
	p.cmd = exec.Command(bin,
		"--config.file="+cfgPath,
		"--storage.tsdb.path="+dataDir,
		fmt.Sprintf("--web.listen-address=127.0.0.1:%d", port),
		"--log.level=info", // for "Server is ready to receive web requests."
	)
	p.cmd.Stdout = lockedWriter{&p.mu, &p.out, &p.wrote}
	p.cmd.Stderr = lockedWriter{&p.mu, &p.out, &p.wrote}
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
	timeout := time.NewTimer(20 * time.Second)
	defer timeout.Stop()
	for {
		p.mu.Lock()
		ready, wrote := strings.Contains(p.out.String(), "Server is ready to receive web requests."), p.wrote
		p.mu.Unlock()
		if ready {
			break
		}
		select {
		case <-wrote:
		case <-p.done:
			if strings.Contains(p.output(), "address already in use") {
				t.Logf("prometheus: port %d taken, retrying", port)
				return nil, true
			}
			t.Fatalf("prometheus exited at start:\n%s", p.output())
		case <-timeout.C:
			t.Fatalf("prometheus not ready after 20s:\n%s", p.output())
		}
	}
	resp, err := promClient.Get(p.url + "/-/ready")
	if err != nil {
		t.Fatalf("prometheus logged ready: %v\n%s", err, p.output())
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("prometheus logged ready, /-/ready = %d\n%s", resp.StatusCode, p.output())
	}
	return p, false
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
