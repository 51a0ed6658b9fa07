package main

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/echofx/healthcheck/internal/testutil"
)

// TestStopWithFrozenDatabase: PostgreSQL frozen (SIGSTOP of the server
// and its backends) with greeting requests in flight, then SIGTERM. The
// pool's close, which waits on pgx's cancel requests to the frozen server,
// is abandoned after a bounded wait: the process exits 0 before fx's 15 s
// stop timeout (it used to exit 1 at it, "stop failed: context deadline
// exceeded"), with every stop hook run.
func TestStopWithFrozenDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped under -short")
	}
	pg := testutil.StartPostgres(t)
	s := startService(t, fastEnv(
		"DATABASE_URL="+pg.DSN(),
		"HEALTH_JWT_SECRET="+testSecret,
		"HEALTH_DRAIN_DELAY=2s",
	)...)
	eventually(t, 30*time.Second, "ready", func() bool { code, _ := s.Get(t, "/healthcheck/ready"); return code == 200 })
	if code, body := s.Get(t, "/api/greeting"); code != 200 {
		t.Fatalf("greeting before the freeze: %d %s", code, body)
	}

	if err := pg.Pause(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pg.Resume() })
	client := &http.Client{Timeout: 30 * time.Second}
	var wg sync.WaitGroup
	defer wg.Wait()
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if resp, err := client.Get(s.URL + "/api/greeting"); err == nil {
				resp.Body.Close()
			}
		}()
	}
	// In flight: the pool has connections acquired by queries that the
	// frozen server does not answer.
	metricsClient := &http.Client{Timeout: 5 * time.Second}
	eventually(t, 10*time.Second, "greeting queries in flight", func() bool {
		m, err := soakScrape(metricsClient, s.URL+"/metrics")
		return err == nil && m["messenger_db_pool_acquired_conns"] >= 1
	})

	start := time.Now()
	s.Terminate(t)
	// Fails at fx's 15 s stop timeout, where the old pool.Close hook ended.
	code := s.Wait(t, 14*time.Second)
	t.Logf("exit %d %v after SIGTERM (drain 2s)", code, time.Since(start).Round(time.Millisecond))
	log := s.Stderr()
	if code != 0 {
		t.Fatalf("exit code %d, want 0\n%s", code, log)
	}
	// Every stop step ran, in order: the drain, the HTTP server, the pool
	// (abandoned), and the app's stop returned.
	last := -1
	for _, line := range []string{
		"draining",
		"health shutdown completed",
		"HTTP server shutting down",
		"database pool close abandoned",
		"service stopped: every stop hook ran",
	} {
		i := strings.Index(log, line)
		if i < 0 || i < last {
			t.Fatalf("%q missing or out of order in the log:\n%s", line, log)
		}
		last = i
	}
	if strings.Contains(log, "stop failed") {
		t.Errorf("the log reports a failed stop:\n%s", log)
	}
}
