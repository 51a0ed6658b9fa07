package main

import (
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/echofx/healthcheck/internal/testutil"
)

// TestSecondSignalStopsAtOnce: a second SIGTERM or SIGINT during a 10 s
// drain ends the process at once, with the shell's exit code for that
// signal and a log line; the embedded database is still removed.
func TestSecondSignalStopsAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped under -short")
	}
	if _, err := testutil.FindPostgresBin(); err != nil {
		if testutil.RequireDB() {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	pg := testutil.StartPostgres(t)
	const drain = 10 * time.Second
	tests := []struct {
		sig      syscall.Signal
		code     int
		embedded bool // no DATABASE_URL: the service starts its own PostgreSQL
	}{
		{syscall.SIGTERM, 143, false},
		{syscall.SIGINT, 130, true},
	}
	for _, tt := range tests {
		t.Run(tt.sig.String(), func(t *testing.T) {
			env := fastEnv("HEALTH_JWT_SECRET="+testSecret, "HEALTH_DRAIN_DELAY="+drain.String())
			if !tt.embedded {
				env = append(env, "DATABASE_URL="+pg.DSN())
			}
			s := startService(t, env...)
			eventually(t, 30*time.Second, "ready", func() bool { code, _ := s.Get(t, "/healthcheck/ready"); return code == 200 })
			first := time.Now()
			s.Signal(t, tt.sig)
			eventually(t, 5*time.Second, "the drain", func() bool { code, _ := s.Get(t, "/healthcheck/ready"); return code == 503 })
			second := time.Now()
			s.Signal(t, tt.sig)
			code := s.Wait(t, drain/2)
			t.Logf("exit %d %v after the second %v, %v after the first (drain %v)",
				code, time.Since(second).Round(time.Millisecond), tt.sig, time.Since(first).Round(time.Millisecond), drain)
			if code != tt.code {
				t.Fatalf("exit code %d, want %d\n%s", code, tt.code, s.Stderr())
			}
			if !strings.Contains(s.Stderr(), "second signal: exiting at once") {
				t.Fatalf("no log line for the second signal:\n%s", s.Stderr())
			}
			if tt.embedded {
				dir := regexp.MustCompile(`starting an embedded PostgreSQL" dir=(\S+)`).FindStringSubmatch(s.Stderr())
				if dir == nil {
					t.Fatalf("no embedded PostgreSQL in the log:\n%s", s.Stderr())
				}
				if _, err := os.Stat(dir[1]); !os.IsNotExist(err) {
					t.Fatalf("embedded PostgreSQL directory %s left behind", dir[1])
				}
			}
		})
	}
}
