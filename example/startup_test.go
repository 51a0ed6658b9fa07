package main

import (
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/echofx/healthcheck/internal/testutil"
)

// TestStartWaitsForTheDatabase runs the built example against a
// PostgreSQL that is down: the service comes up and waits (live 200,
// ready 503 "starting"), and a SIGTERM during the wait exits 0 at once.
func TestStartWaitsForTheDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped under -short")
	}
	pg := testutil.StartPostgres(t)
	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	s := startService(t, fastEnv("DATABASE_URL="+pg.DSN(), "HEALTH_JWT_SECRET="+testSecret)...)
	if code, body := s.Get(t, "/healthcheck/ready"); code != 503 || body != `{"status":"error","error":"starting"}` {
		t.Fatalf("ready while waiting: %d %s", code, body)
	}
	// Past the lifecycle's first attempt (app.Start returned): still up, still waiting.
	s.WaitLog(t, `msg="startup gate continues in the background"`, 10*time.Second)
	if code, _ := s.Get(t, "/healthcheck/live"); code != 200 {
		t.Fatalf("live while waiting: %d", code)
	}
	s.Terminate(t)
	start := time.Now()
	if code := s.Wait(t, 10*time.Second); code != 0 {
		t.Fatalf("exit code %d after SIGTERM during the wait\n%s", code, s.Stderr())
	}
	t.Logf("exited %v after SIGTERM", time.Since(start).Round(time.Millisecond))
}

// TestMissingDatabaseFailsStart: a database that does not exist fails the
// start within 10 s with the server's message, exit code 1.
func TestMissingDatabaseFailsStart(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped under -short")
	}
	pg := testutil.StartPostgres(t)
	start := time.Now()
	s := launch(t, fastEnv("DATABASE_URL="+pg.DSNFor("database_not_exist"), "HEALTH_JWT_SECRET="+testSecret)...)
	if code := s.Wait(t, 10*time.Second); code != 1 {
		t.Fatalf("exit code %d, want 1\n%s", code, s.Stderr())
	}
	if !strings.Contains(s.Stderr(), `database \"database_not_exist\" does not exist`) {
		t.Fatalf("the log lacks the server's message:\n%s", s.Stderr())
	}
	if strings.Contains(s.Stderr(), pg.Password()) {
		t.Fatal("the log shows the password")
	}
	t.Logf("exited %v after the start", time.Since(start).Round(time.Millisecond))
}

// TestWeakSecretRefused: a JWT secret of white space is refused at start,
// naming the variable and not echoing it.
func TestWeakSecretRefused(t *testing.T) {
	s := launch(t, "DATABASE_URL=postgres://u:p@127.0.0.1:1/db", "HEALTH_JWT_SECRET="+strings.Repeat(" ", 40))
	if code := s.Wait(t, 30*time.Second); code == 0 {
		t.Fatal("exit code 0 with a blank secret")
	}
	if !strings.Contains(s.Stderr(), "HEALTH_JWT_SECRET") || !strings.Contains(s.Stderr(), "blank") {
		t.Fatalf("stderr does not name HEALTH_JWT_SECRET:\n%s", s.Stderr())
	}
}

// TestGateGivesUpExits1: a database still down when the startup budget
// runs out stops the service with exit code 1.
func TestGateGivesUpExits1(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped under -short")
	}
	s := launch(t, fastEnv("DATABASE_URL=postgres://u:p@127.0.0.1:1/db", "HEALTH_JWT_SECRET="+testSecret,
		"HEALTH_STARTUP_MAX_WAIT=3s", "HEALTH_STARTUP_INITIAL_BACKOFF=200ms", "HEALTH_STARTUP_MAX_BACKOFF=500ms")...)
	if code := s.Wait(t, 30*time.Second); code != 1 {
		t.Fatalf("exit code %d, want 1\n%s", code, s.Stderr())
	}
}

// TestSettingsMoveTheRoutes: HEALTH_PATH_PREFIX moves the health routes,
// the printed curl line and the probe's default target; HEALTH_METRICS_PATH
// moves /metrics.
func TestSettingsMoveTheRoutes(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped under -short")
	}
	pg := testutil.StartPostgres(t)
	s := launchPackage(t, ".", fastEnv("DATABASE_URL="+pg.DSN(), "HEALTH_PATH_PREFIX=/ops/health", "HEALTH_METRICS_PATH=/m")...)
	eventually(t, 30*time.Second, "ready", func() bool {
		code, _ := getNoFail(s.URL + "/ops/health/ready")
		return code == 200
	})
	if code, _ := s.Get(t, "/m"); code != 200 {
		t.Fatalf("/m: %d", code)
	}
	if code, _ := getNoFail(s.URL + "/metrics"); code != 404 {
		t.Fatalf("/metrics still served: %d", code)
	}
	eventually(t, 10*time.Second, "the curl line", func() bool { return strings.Contains(s.Stdout(), "/ops/health/detailed") })
	addr := strings.TrimPrefix(s.URL, "http://")
	cmd := exec.Command(buildExample(t), "probe")
	cmd.Env = []string{"HTTP_ADDR=" + addr, "HEALTH_PATH_PREFIX=/ops/health"}
	if out, err := cmd.CombinedOutput(); err != nil || !strings.HasPrefix(string(out), "probe: healthy") {
		t.Fatalf("probe: %v %s", err, out)
	}
}

// getNoFail is a GET that reports a refused connection as code 0.
func getNoFail(url string) (int, string) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
