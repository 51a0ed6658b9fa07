package testutil

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// ErrNoAlertmanager is returned (possibly wrapped) by LaunchAlertmanager
// when the Alertmanager binary is not installed.
var ErrNoAlertmanager = errors.New("alertmanager not found: install the Debian package prometheus-alertmanager (apt-get install prometheus-alertmanager)")

const alertmanagerReadyTimeout = 20 * time.Second

// AlertmanagerOptions configures LaunchAlertmanager.
type AlertmanagerOptions struct {
	// Dir is the directory under which the server's working directory is
	// created (required). Close removes only what LaunchAlertmanager
	// created.
	Dir string
	// Logf, if set, receives progress messages.
	Logf func(format string, args ...any)
	// Config, if set, is the configuration file's content (routes,
	// receivers, inhibit rules); default: every alert to a null receiver.
	Config string
}

// Alertmanager is a prometheus-alertmanager started by LaunchAlertmanager on
// 127.0.0.1, without clustering, routing every alert to a receiver that
// sends nothing. Its methods are safe for concurrent use.
type Alertmanager struct {
	dir  string
	port int

	mu     sync.Mutex
	proc   *process
	closed bool
}

// FindAlertmanager returns the path of the Alertmanager binary: Debian's
// prometheus-alertmanager, or alertmanager, from $PATH or /usr/bin; else
// ErrNoAlertmanager.
func FindAlertmanager() (string, error) {
	for _, name := range []string{"prometheus-alertmanager", "alertmanager"} {
		if path, err := exec.LookPath(name); err == nil {
			return path, nil
		}
		p := "/usr/bin/" + name
		if fi, err := os.Stat(p); err == nil && fi.Mode().Perm()&0o111 != 0 {
			return p, nil
		}
	}
	return "", ErrNoAlertmanager
}

// alertmanagerConfig routes everything to a null receiver.
const alertmanagerConfig = `route:
  receiver: "null"
  group_wait: 0s
receivers:
  - name: "null"
`

// LaunchAlertmanager starts an Alertmanager on a free 127.0.0.1 port with a
// null receiver and no cluster, and waits up to 20 s until /-/ready answers.
// The caller must Close it. On failure the error includes the tail of its
// log and nothing is left running.
func LaunchAlertmanager(opts AlertmanagerOptions) (*Alertmanager, error) {
	if opts.Dir == "" {
		return nil, errors.New("testutil: AlertmanagerOptions.Dir is required")
	}
	bin, err := FindAlertmanager()
	if err != nil {
		return nil, err
	}
	logf := opts.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	a := &Alertmanager{}
	if a.dir, err = os.MkdirTemp(opts.Dir, "alertmanager-"); err != nil {
		return nil, fmt.Errorf("testutil: %w", err)
	}
	if a.dir, err = filepath.Abs(a.dir); err != nil {
		_ = a.Close()
		return nil, err
	}
	cfgPath := filepath.Join(a.dir, "alertmanager.yml")
	content := alertmanagerConfig
	if opts.Config != "" {
		content = opts.Config
	}
	if err := os.WriteFile(cfgPath, []byte(content), 0o644); err != nil {
		_ = a.Close()
		return nil, fmt.Errorf("testutil: %w", err)
	}
	for range 3 {
		if a.port, err = FreePort(); err != nil {
			break
		}
		if err = a.start(bin, cfgPath); err == nil || !strings.Contains(err.Error(), "address already in use") {
			break
		}
		logf("testutil: port %d taken, retrying", a.port)
	}
	if err != nil {
		_ = a.Close()
		return nil, err
	}
	logf("testutil: Alertmanager listening on %s", a.URL())
	return a, nil
}

func (a *Alertmanager) start(bin, cfgPath string) error {
	proc, err := startProcess(procSpec{
		path: bin,
		args: []string{
			"--config.file=" + cfgPath,
			"--storage.path=" + filepath.Join(a.dir, "data"),
			"--web.listen-address=127.0.0.1:" + strconv.Itoa(a.port),
			"--cluster.listen-address=",
			"--log.level=warn",
		},
		dir:      a.dir,
		logPath:  filepath.Join(a.dir, "alertmanager.log"),
		deathSig: syscall.SIGTERM,
	})
	if err != nil {
		return err
	}
	if err := a.waitReady(proc); err != nil {
		proc.kill()
		return fmt.Errorf("%w\nalertmanager log:\n%s", err, proc.logTail())
	}
	a.proc = proc
	return nil
}

func (a *Alertmanager) waitReady(proc *process) error {
	ctx, cancel := context.WithTimeout(context.Background(), alertmanagerReadyTimeout)
	defer cancel()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, a.URL()+"/-/ready", nil)
		resp, err := client.Do(req)
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("HTTP %d", resp.StatusCode)
		}
		select {
		case <-proc.done:
			return fmt.Errorf("testutil: alertmanager exited during startup: %v", proc.err)
		case <-ctx.Done():
			return fmt.Errorf("testutil: alertmanager not ready after %v: %w", alertmanagerReadyTimeout, err)
		case <-tick.C:
		}
	}
}

// URL returns the server's base URL, http://127.0.0.1:port.
func (a *Alertmanager) URL() string { return "http://127.0.0.1:" + strconv.Itoa(a.port) }

// AlertmanagerAlert is an alert as GET /api/v2/alerts returns it.
type AlertmanagerAlert struct {
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	Status       struct {
		State string `json:"state"` // active, suppressed, unprocessed
	} `json:"status"`
}

// ActiveAlerts returns the alerts Alertmanager holds as active now
// (GET /api/v2/alerts?active=true&silenced=false&inhibited=false); a
// resolved alert is not among them.
func (a *Alertmanager) ActiveAlerts(ctx context.Context) ([]AlertmanagerAlert, error) {
	var out []AlertmanagerAlert
	return out, a.getJSON(ctx, "/api/v2/alerts?active=true&silenced=false&inhibited=false&unprocessed=true", &out)
}

// getJSON GETs path of Alertmanager's API on a connection of its own and
// decodes the 200 answer into out.
func (a *Alertmanager) getJSON(ctx context.Context, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.URL()+path, nil)
	if err != nil {
		return err
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("testutil: alertmanager %s: HTTP %d", path, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("testutil: alertmanager %s: %w", path, err)
	}
	return nil
}

// Stop terminates the server (SIGTERM, then SIGKILL after 10 s).
// Stopping a stopped server does nothing.
func (a *Alertmanager) Stop() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	proc := a.proc
	if proc == nil {
		return nil
	}
	a.proc = nil
	if !proc.stopWithin(syscall.SIGTERM, 10*time.Second) {
		return errors.New("testutil: alertmanager did not stop within 10s")
	}
	return nil
}

// Close stops the server and removes its directory. It is idempotent.
func (a *Alertmanager) Close() error {
	err := a.Stop()
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return err
	}
	a.closed = true
	return errors.Join(err, os.RemoveAll(a.dir))
}

// StartAlertmanager launches an Alertmanager for the test (see
// LaunchAlertmanager) and closes it when the test ends. It skips the test,
// saying "install prometheus-alertmanager", when the binary is missing, or
// fails it if RequireDB is true.
func StartAlertmanager(t testing.TB) *Alertmanager {
	t.Helper()
	return StartAlertmanagerConfig(t, "")
}

// StartAlertmanagerConfig is StartAlertmanager with the configuration
// file's content (AlertmanagerOptions.Config; "" for the null receiver).
func StartAlertmanagerConfig(t testing.TB, config string) *Alertmanager {
	t.Helper()
	if _, err := FindAlertmanager(); errors.Is(err, ErrNoAlertmanager) {
		missingDependency(t, "alertmanager not found: install prometheus-alertmanager (apt-get install prometheus-alertmanager)")
	}
	a, err := LaunchAlertmanager(AlertmanagerOptions{Dir: launchDir(t, "healthcheck-alertmanager-"), Logf: t.Logf, Config: config})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := a.Close(); err != nil {
			t.Errorf("testutil: close alertmanager: %v", err)
		}
	})
	return a
}
