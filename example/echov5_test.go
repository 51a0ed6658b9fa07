package main

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/echofx/healthcheck/internal/testutil"
)

// TestEchoV5Example runs the built Echo v5 example (./echov5) with its
// embedded PostgreSQL: the health routes answer through echov5health, the
// printed token opens the detailed route, the metrics follow the checks,
// the probe subcommand works, and SIGTERM ends it with exit code 0.
func TestEchoV5Example(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped under -short")
	}
	if _, err := testutil.FindPostgresBin(); err != nil {
		if testutil.RequireDB() {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	s := startPackage(t, "./echov5", fastEnv()...)
	eventually(t, 30*time.Second, "ready", func() bool {
		code, _ := s.Get(t, "/healthcheck/ready")
		return code == 200
	})
	// Ready means the required checks pass; the optional ones (schema,
	// memory) may still be without a first result on a loaded machine,
	// which the public route reads as degraded: wait for every check.
	eventually(t, 30*time.Second, "every check healthy", func() bool {
		_, body := s.Get(t, "/healthcheck/")
		return body == `{"status":"success","data":{"health":"ok"}}`
	})
	for _, path := range []string{"/healthcheck/", "/healthcheck", "/healthcheck/live"} {
		if code, body := s.Get(t, path); code != 200 || body != `{"status":"success","data":{"health":"ok"}}` {
			t.Fatalf("GET %s: %d %s", path, code, body)
		}
	}
	var token string
	eventually(t, 10*time.Second, "the curl line", func() bool {
		m := regexp.MustCompile(`Authorization: Bearer ([^']+)'`).FindStringSubmatch(s.Stdout())
		if m != nil {
			token = m[1]
		}
		return m != nil
	})
	if code, body := s.Get(t, "/healthcheck/detailed", "Authorization", "Bearer "+token); code != 200 ||
		!strings.Contains(body, `"database":{"status":"healthy"`) || !strings.Contains(body, `"migrations"`) {
		t.Fatalf("detailed: %d %s", code, body)
	}
	if code, body := s.Get(t, "/metrics"); code != 200 || !strings.Contains(body, `messenger_health_check_status{check="database"} 1`) {
		t.Fatalf("metrics: %d\n%s", code, body)
	}
	cmd := exec.Command(buildPackage(t, "./echov5"), "probe", s.URL+"/healthcheck/")
	if out, err := cmd.CombinedOutput(); err != nil || !strings.HasPrefix(string(out), "probe: healthy: HTTP 200") {
		t.Fatalf("probe: %v %s", err, out)
	}
	s.Terminate(t)
	if code := s.Wait(t, 30*time.Second); code != 0 {
		t.Fatalf("exit code %d\n%s", code, s.Stderr())
	}
}
