package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/echofx/healthcheck/healthfx"
	"github.com/echofx/healthcheck/internal/testutil"
	"github.com/echofx/healthcheck/lifecycle"
)

// TestKubernetesManifests checks kubernetes.yaml against the code: the
// probe paths and port, and the timing relations its comments claim, then
// runs the example with the manifest's environment and checks the routes
// answer and that a SIGTERM drains and exits within the grace period.
func TestKubernetesManifests(t *testing.T) {
	m := deployLoadManifest(t)
	port := deployDefaultPort(t)

	// The container port named "http" is the example's default port, and
	// HTTP_ADDR (if set) listens on it.
	portByName := map[string]int{}
	for _, p := range m.container.Ports {
		portByName[p.Name] = p.ContainerPort
	}
	if got := portByName["http"]; got != port {
		t.Errorf("containerPort http = %d, want %d (defaultAddr %q)", got, port, defaultAddr)
	}
	if addr, ok := m.env["HTTP_ADDR"]; ok {
		_, p, err := net.SplitHostPort(addr)
		if err != nil || p != strconv.Itoa(port) {
			t.Errorf("HTTP_ADDR=%q does not listen on containerPort %d", addr, port)
		}
	}

	// Probes: the routes the code serves, on the named port.
	for _, tc := range []struct {
		probe, path string
	}{
		{"startupProbe", deployStartupPath},
		{"livenessProbe", deployLivePath},
		{"readinessProbe", deployReadyPath},
	} {
		p := m.probes[tc.probe]
		if p.HTTPGet == nil {
			t.Errorf("%s: want an httpGet probe", tc.probe)
			continue
		}
		if p.HTTPGet.Path != tc.path {
			t.Errorf("%s: path %q, want %q", tc.probe, p.HTTPGet.Path, tc.path)
		}
		if n, err := strconv.Atoi(p.HTTPGet.Port); err == nil {
			if n != port {
				t.Errorf("%s: port %d, want %d", tc.probe, n, port)
			}
		} else if portByName[p.HTTPGet.Port] != port {
			t.Errorf("%s: port %q names no container port %d", tc.probe, p.HTTPGet.Port, port)
		}
		if p.HTTPGet.Scheme != "" && p.HTTPGet.Scheme != "HTTP" {
			t.Errorf("%s: scheme %q, the example serves plain HTTP", tc.probe, p.HTTPGet.Scheme)
		}
		if p.PeriodSeconds < 1 || p.FailureThreshold < 1 || p.TimeoutSeconds < 1 {
			t.Errorf("%s: periodSeconds, failureThreshold and timeoutSeconds must be set explicitly (commented), got %+v", tc.probe, p)
		}
		if p.TimeoutSeconds > p.PeriodSeconds {
			t.Errorf("%s: timeoutSeconds %d > periodSeconds %d", tc.probe, p.TimeoutSeconds, p.PeriodSeconds)
		}
	}

	// The environment must be accepted by the service's own loader (the
	// secrets come from the Secret and are not checked here).
	cfg, err := healthfx.LoadConfig(func(k string) (string, bool) { v, ok := m.env[k]; return v, ok })
	if err != nil {
		t.Fatalf("manifest env rejected by healthfx.LoadConfig: %v", err)
	}
	if ns := m.env["HEALTH_METRICS_NAMESPACE"]; ns != "messenger" {
		t.Errorf("HEALTH_METRICS_NAMESPACE=%q, want messenger (the dashboard and alerts query messenger_*)", ns)
	}
	if len(cfg.AlertmanagerURLs) == 0 || cfg.ServiceName != "messenger" {
		t.Errorf("the deployment must push its alerts: HEALTH_ALERTMANAGER_URL and HEALTH_SERVICE_NAME=messenger, got %v %q",
			cfg.AlertmanagerURLs, cfg.ServiceName)
	}
	if f := m.fieldEnv["HEALTH_INSTANCE"]; f != "metadata.name" {
		t.Errorf("HEALTH_INSTANCE must be the pod's name (downward API fieldRef metadata.name), got %q", f)
	}
	if _, ok := m.secretEnv["DATABASE_URL"]; !ok {
		t.Errorf("DATABASE_URL must come from a Secret (and must be set: no embedded PostgreSQL in the image)")
	}
	if _, ok := m.env["DATABASE_URL"]; ok {
		t.Errorf("DATABASE_URL must not be a literal in the manifest")
	}

	if _, ok := m.env["HEALTH_DRAIN_DELAY"]; !ok {
		t.Fatal("HEALTH_DRAIN_DELAY must be set explicitly")
	}
	drain := cfg.DrainDelay // as LoadConfig parsed it, above

	seconds := func(n int) time.Duration { return time.Duration(n) * time.Second }
	ready, startup := m.probes["readinessProbe"], m.probes["startupProbe"]
	readyDetect := seconds(ready.PeriodSeconds * ready.FailureThreshold)
	startupBudget := seconds(startup.PeriodSeconds * startup.FailureThreshold)
	graceP := m.deployment.Template.Spec.TerminationGracePeriodSeconds
	if graceP == nil {
		t.Fatal("terminationGracePeriodSeconds must be set explicitly")
	}
	grace := seconds(*graceP)

	for _, c := range []struct {
		what string
		ok   bool
	}{
		// The drain lasts until the kubelet has seen readiness fail.
		{fmt.Sprintf("HEALTH_DRAIN_DELAY %v >= readiness periodSeconds x failureThreshold %v", drain, readyDetect), drain >= readyDetect},
		// The drain runs inside fx's stop timeout, which must leave room
		// for the cleanups and the server's shutdown after it.
		{fmt.Sprintf("HEALTH_DRAIN_DELAY %v < fx stop timeout %v", drain, deployFxTimeout), drain < deployFxTimeout},
		// The kubelet must not SIGKILL a pod that is still stopping.
		{fmt.Sprintf("terminationGracePeriodSeconds %v >= drain %v + fx stop timeout %v", grace, drain, deployFxTimeout), grace >= drain+deployFxTimeout},
		// The startupProbe must not kill a pod still inside its startup
		// gate or fx's start timeout.
		{fmt.Sprintf("startupProbe budget %v >= HEALTH_STARTUP_MAX_WAIT %v", startupBudget, cfg.StartupMaxWait), startupBudget >= cfg.StartupMaxWait},
		{fmt.Sprintf("startupProbe budget %v >= fx start timeout %v", startupBudget, deployFxTimeout), startupBudget >= deployFxTimeout},
		// The gate's first attempt, the part of it inside fx's start,
		// fits fx's start timeout (the rest runs in the background).
		{fmt.Sprintf("first gate attempt %v < fx start timeout %v", lifecycle.StartFirstAttemptWait, deployFxTimeout), lifecycle.StartFirstAttemptWait < deployFxTimeout},
	} {
		if !c.ok {
			t.Errorf("violated: %s", c.what)
		}
	}

	// Deployment, Service and PDB agree with each other.
	d := m.deployment
	for k, v := range d.Selector.MatchLabels {
		if d.Template.Metadata.Labels[k] != v {
			t.Errorf("Deployment selector %s=%s does not match the pod labels", k, v)
		}
	}
	for k, v := range m.service.Selector {
		if d.Template.Metadata.Labels[k] != v {
			t.Errorf("Service selector %s=%s does not match the pod labels", k, v)
		}
	}
	for _, p := range m.service.Ports {
		if p.TargetPort != "http" && p.TargetPort != strconv.Itoa(port) {
			t.Errorf("Service port %s: targetPort %q is not the container's http port", p.Name, p.TargetPort)
		}
	}
	if m.pdb != nil && m.pdb.MinAvailable >= d.Replicas {
		t.Errorf("PodDisruptionBudget minAvailable %d >= replicas %d blocks every node drain", m.pdb.MinAvailable, d.Replicas)
	}
	if p := d.Template.Metadata.Annotations["prometheus.io/port"]; p != "" && p != strconv.Itoa(port) {
		t.Errorf("prometheus.io/port %q, want %d", p, port)
	}
	metricsPath := d.Template.Metadata.Annotations["prometheus.io/path"]
	if t.Failed() {
		return
	}

	// Run the example with the manifest's environment (its own loopback
	// port instead of HTTP_ADDR, a test database and a JWT secret instead
	// of the Secret) and check what the manifest relies on.
	pg := testutil.StartPostgres(t)
	env := []string{"DATABASE_URL=" + pg.DSN(), "HEALTH_JWT_SECRET=" + deployRandomHex(t, 32)}
	for k, v := range m.env {
		if k != "HTTP_ADDR" {
			env = append(env, k+"="+v)
		}
	}
	svc := startService(t, env...)

	// Started (and ready) within the startupProbe's budget; /startup
	// answers 503 until the gate passed, then 200. The lifecycle logs
	// "lifecycle started" once the gate (the migration included: the gate
	// waits for the required migrations check) passed and it turned ready.
	if code, body := svc.Get(t, deployStartupPath); code != http.StatusOK &&
		(code != http.StatusServiceUnavailable || body != `{"status":"error","error":"starting"}`) {
		t.Fatalf("%s = %d %s before the gate passed, want 503 starting", deployStartupPath, code, body)
	}
	svc.WaitLog(t, `msg="lifecycle started"`, startupBudget)
	for _, path := range []string{deployStartupPath, deployReadyPath} {
		if code, body := svc.Get(t, path); code != http.StatusOK {
			t.Fatalf("%s = %d %s once the lifecycle started\nstderr:\n%s", path, code, body, svc.Stderr())
		}
	}
	for _, tc := range []struct{ probe, path string }{
		{"startupProbe", m.probes["startupProbe"].HTTPGet.Path},
		{"livenessProbe", m.probes["livenessProbe"].HTTPGet.Path},
		{"readinessProbe", m.probes["readinessProbe"].HTTPGet.Path},
		{"prometheus.io/path", metricsPath},
	} {
		if tc.path == "" {
			continue
		}
		if code, body := svc.Get(t, tc.path); code != http.StatusOK {
			t.Errorf("%s: GET %s = %d %s", tc.probe, tc.path, code, body)
		}
	}
	if _, body := svc.Get(t, metricsPath); !strings.Contains(body, "messenger_health_check_status{") {
		t.Errorf("GET %s: no messenger_health_check_status series", metricsPath)
	}

	// SIGTERM as the kubelet sends it: readiness fails at once while the
	// process keeps serving (liveness stays 200) for the drain, then it
	// exits 0 within terminationGracePeriodSeconds.
	//
	// First wait until app.Start has returned ("service started"): a
	// SIGTERM while app.Start is still running is handled as a signal
	// during start (serve returns without the drain, app.go).
	svc.WaitLog(t, `msg="service started"`, startupBudget)
	start := time.Now()
	svc.Terminate(t)
	// The signal is logged just before app.Stop, whose first step fails
	// readiness: from then on each answer is the wait.
	svc.WaitLog(t, `msg="signal received: shutting down"`, 10*time.Second)
	// Readiness fails in the stop's first step, right after that line:
	// 2 s covers a loaded machine and is well within the drain.
	signaled := time.Now()
	for {
		code, _ := svc.Get(t, deployReadyPath)
		if code == http.StatusServiceUnavailable {
			break
		}
		if time.Since(signaled) > 2*time.Second {
			t.Fatalf("%s still %d 2s after the signal was handled (drain %v); the drain needs it to fail at once", deployReadyPath, code, drain)
		}
	}
	if code, _ := svc.Get(t, deployLivePath); code != http.StatusOK {
		t.Errorf("%s = %d during the drain; a liveness failure would restart the pod", deployLivePath, code)
	}
	if code, _ := svc.Get(t, deployStartupPath); code != http.StatusOK {
		t.Errorf("%s = %d during the drain; the startup route stays 200 once the gate passed", deployStartupPath, code)
	}
	if code := svc.Wait(t, grace); code != 0 {
		t.Errorf("exit code %d after SIGTERM, want 0\nstderr:\n%s", code, svc.Stderr())
	}
	if took := time.Since(start); took < drain || took >= grace {
		t.Errorf("stopped %v after SIGTERM, want within [drain %v, grace %v)", took, drain, grace)
	} else {
		t.Logf("stopped %v after SIGTERM (drain %v, grace %v)", took.Round(time.Millisecond), drain, grace)
	}
}

func deployRandomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
