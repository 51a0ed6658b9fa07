package main

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/echofx/healthcheck/internal/testutil"
)

const testSecret = "e2e-secret-0123456789abcdef0123456789abcdef"

const okBody = `{"status":"success","data":{"health":"ok"}}`

// eventually polls f every 20 ms until it returns true or d passes.
func eventually(t *testing.T, d time.Duration, what string, f func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !f() {
		if time.Since(start) > d {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		// kept: f reads the processes' HTTP answers, which change on the
		// checks' own schedule with no event outside the process
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(start)
}

// runProbe runs the probe subcommand and returns its exit code and output.
func runProbe(t *testing.T, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(buildExample(t), append([]string{"probe"}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatal(err)
		}
	}
	return cmd.ProcessState.ExitCode(), strings.TrimSpace(string(out))
}

func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped under -short")
	}
	pg := testutil.StartPostgres(t)
	s := startService(t, fastEnv("DATABASE_URL="+pg.DSN(), "HEALTH_JWT_SECRET="+testSecret)...)
	// Ready once the gate passed; healthy once the migration made the
	// optional schema check pass too.
	eventually(t, 20*time.Second, "a healthy service", func() bool { _, body := s.Get(t, "/healthcheck/"); return body == okBody })

	token := testutil.MintHS256([]byte(testSecret), testutil.ValidClaims("", "", time.Minute))
	auth := []string{"Authorization", "Bearer " + token}
	var bodies []string
	t.Run("routes", func(t *testing.T) {
		tests := []struct {
			path   string
			header []string
			code   int
			want   string // exact body, or a substring when prefixed with ~
		}{
			{"/healthcheck/", nil, 200, okBody},
			{"/healthcheck", nil, 200, okBody},
			{"/healthcheck/live", nil, 200, okBody},
			{"/healthcheck/ready", nil, 200, okBody},
			{"/healthcheck/detailed", auth, 200, `~"dependencies":{"database":"required","memory":"optional","migrations":"required","schema":"optional"}`},
			{"/healthcheck/detailed/database", auth, 200, `~"database"`},
			{"/healthcheck/detailed/nope", auth, 404, `{"status":"error","error":"unknown check"}`},
			{"/healthcheck/detailed", nil, 401, `{"status":"error","error":"unauthorized"}`},
			{"/healthcheck/detailed", []string{"Authorization", "Bearer " + token + "x"}, 401, `{"status":"error","error":"unauthorized"}`},
			{"/metrics", nil, 200, `~messenger_health_check_status{check="database"} 1`},
			{"/api/greeting", nil, 200, `~"message":"hello"`},
		}
		for _, tt := range tests {
			t.Run(tt.path, func(t *testing.T) {
				code, body := s.Get(t, tt.path, tt.header...)
				bodies = append(bodies, body)
				if code != tt.code {
					t.Fatalf("status %d, want %d: %s", code, tt.code, body)
				}
				if sub, ok := strings.CutPrefix(tt.want, "~"); ok {
					if !strings.Contains(body, sub) {
						t.Fatalf("body lacks %s: %s", sub, body)
					}
				} else if body != tt.want {
					t.Fatalf("body %s, want %s", body, tt.want)
				}
			})
		}
		for _, method := range []string{http.MethodHead} {
			for _, path := range []string{"/healthcheck/", "/healthcheck"} {
				req, _ := http.NewRequest(method, s.URL+path, nil)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != 200 {
					t.Fatalf("%s %s: %d", method, path, resp.StatusCode)
				}
			}
		}
	})
	if strings.Contains(s.Stdout(), "Bearer") {
		t.Fatal("a token was printed although HEALTH_JWT_SECRET is set")
	}

	if code, out := runProbe(t, s.URL+"/healthcheck/"); code != 0 {
		t.Fatalf("probe of a healthy service: exit %d: %s", code, out)
	}

	// A stopped database: 500 with the error body probes and dashboards
	// expect, the app never restarted.
	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	// Idle pooled connections first read the server's own goodbye, then
	// new ones are refused; both answer the error body
	// {"status":"error","error":"<check>: <message>"}.
	allowed := map[string]bool{
		"database: connection refused":                                  true,
		"database: terminating connection due to administrator command": true,
	}
	var down string
	took := eventually(t, 10*time.Second, "the public route to fail", func() bool {
		code, body := s.Get(t, "/healthcheck/")
		down = body
		return code == 500
	})
	t.Logf("outage detected after %v: %s", took, down)
	eventually(t, 10*time.Second, "connection refused", func() bool {
		code, body := s.Get(t, "/healthcheck/")
		var failure struct{ Status, Error string }
		if err := json.Unmarshal([]byte(body), &failure); err != nil || code != 500 || failure.Status != "error" || !allowed[failure.Error] {
			t.Fatalf("during the outage: %d %s", code, body)
		}
		down = body
		return failure.Error == "database: connection refused"
	})
	if code, _ := s.Get(t, "/healthcheck/ready"); code != 503 {
		t.Fatalf("ready during the outage: %d", code)
	}
	if code, _ := s.Get(t, "/healthcheck/live"); code != 200 {
		t.Fatalf("live during the outage: %d (a database outage must not restart pods)", code)
	}
	if code, out := runProbe(t, s.URL+"/healthcheck/"); code != 1 || !strings.Contains(out, "HTTP 500") {
		t.Fatalf("probe of an unhealthy service: exit %d: %s", code, out)
	}
	if err := pg.Start(); err != nil {
		t.Fatal(err)
	}
	took = eventually(t, 15*time.Second, "recovery", func() bool { code, _ := s.Get(t, "/healthcheck/"); return code == 200 })
	t.Logf("recovery detected after %v", took)

	for _, b := range append(bodies, down) {
		for _, secret := range []string{pg.Password(), pg.DSN(), pg.Addr(), testSecret, token} {
			if strings.Contains(b, secret) {
				t.Fatalf("a response carries a secret (%q): %s", secret, b)
			}
		}
	}

	// SIGTERM: readiness fails at once, then the process exits 0.
	s.Terminate(t)
	eventually(t, 5*time.Second, "draining readiness", func() bool {
		code, body := s.Get(t, "/healthcheck/ready")
		return code == 503 && body == `{"status":"error","error":"draining"}`
	})
	if code, _ := s.Get(t, "/healthcheck/live"); code != 200 {
		t.Fatalf("live while draining: %d", code)
	}
	if code := s.Wait(t, 20*time.Second); code != 0 {
		t.Fatalf("exit code %d after SIGTERM\n%s", code, s.Stderr())
	}
	if code, out := runProbe(t, s.URL+"/healthcheck/"); code != 1 {
		t.Fatalf("probe of a stopped service: exit %d: %s", code, out)
	}
}

func TestEmbeddedDatabaseAndGeneratedToken(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped under -short")
	}
	if _, err := testutil.FindPostgresBin(); err != nil {
		if testutil.RequireDB() {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	s := startService(t, fastEnv()...)
	var token string
	eventually(t, 30*time.Second, "the curl line", func() bool {
		m := regexp.MustCompile(`curl -s -H 'Authorization: Bearer ([^']+)' http://\S+/healthcheck/detailed`).FindStringSubmatch(s.Stdout())
		if m != nil {
			token = m[1]
		}
		return m != nil
	})
	if code, body := s.Get(t, "/healthcheck/detailed", "Authorization", "Bearer "+token); code != 200 || !strings.Contains(body, `"status":"healthy"`) {
		t.Fatalf("detailed with the printed token: %d %s", code, body)
	}
	dir := regexp.MustCompile(`starting an embedded PostgreSQL" dir=(\S+)`).FindStringSubmatch(s.Stderr())
	if dir == nil {
		t.Fatalf("the log does not say an embedded PostgreSQL started:\n%s", s.Stderr())
	}
	s.Terminate(t)
	if code := s.Wait(t, 30*time.Second); code != 0 {
		t.Fatalf("exit code %d\n%s", code, s.Stderr())
	}
	if _, err := os.Stat(dir[1]); !os.IsNotExist(err) {
		t.Fatalf("embedded PostgreSQL directory %s left behind", dir[1])
	}
}

func TestBadEnvironmentExits(t *testing.T) {
	tests := []struct{ env, variable string }{
		{"HEALTH_CHECK_TIMEOUT=soon", "HEALTH_CHECK_TIMEOUT"},
		{"HEALTH_FAILURE_STATUS=302", "HEALTH_FAILURE_STATUS"},
		{"HEALTH_JWT_SECRET=short", "HEALTH_JWT_SECRET"},
	}
	for _, tt := range tests {
		t.Run(tt.variable, func(t *testing.T) {
			s := launch(t, "DATABASE_URL=postgres://u:p@127.0.0.1:1/db", tt.env)
			if code := s.Wait(t, 30*time.Second); code == 0 {
				t.Fatal("exit code 0 with a bad environment")
			}
			if !strings.Contains(s.Stderr(), tt.variable) {
				t.Fatalf("stderr does not name %s:\n%s", tt.variable, s.Stderr())
			}
			if strings.Contains(s.Stderr(), "short") && tt.variable == "HEALTH_JWT_SECRET" {
				t.Fatal("the secret was echoed")
			}
		})
	}
}

func TestProbeDefaults(t *testing.T) {
	if code, out := runProbe(t, "http://127.0.0.1:1/healthcheck/"); code != 1 || !strings.HasPrefix(out, "probe: unhealthy") {
		t.Fatalf("probe of a closed port: exit %d: %s", code, out)
	}
	if code, out := runProbe(t, "::bad"); code != 1 {
		t.Fatalf("probe of a bad URL: exit %d: %s", code, out)
	}
}
