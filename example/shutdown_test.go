package main

import (
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/echofx/healthcheck/internal/testutil"
)

// hangingUpstream is a loopback TCP listener that accepts connections and
// never answers. It returns the URL to reach it and the count of
// connections accepted so far; everything closes at cleanup.
func hangingUpstream(t *testing.T) (string, func() int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + ln.Addr().String() + "/", func() int { mu.Lock(); defer mu.Unlock(); return len(conns) }
}

// TestHangingUpstreamCostsNothing: an optional upstream that accepts and
// never answers, with a 30 s check timeout. The first probes after start
// answer at once (they never wait on an optional check), and SIGTERM while
// the check hangs ends the process with exit code 0 after the drain,
// every stop hook run (the HTTP server's included).
func TestHangingUpstreamCostsNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped under -short")
	}
	pg := testutil.StartPostgres(t)
	upstream, accepted := hangingUpstream(t)
	const drain = 2 * time.Second
	s := startService(t, fastEnv(
		"DATABASE_URL="+pg.DSN(),
		"HEALTH_JWT_SECRET="+testSecret,
		"HEALTH_CHECK_EXTERNAL_URLS=slow="+upstream,
		"HEALTH_CHECK_TIMEOUT=30",
		"HEALTH_DRAIN_DELAY="+drain.String(),
	)...)
	// Readiness answers "starting" until the startup gate has passed
	// (the gate waits for the required checks only); every answer, the
	// first after the gate included, comes at once.
	timedGet := func(path string) (int, string) {
		start := time.Now()
		code, body := s.Get(t, path)
		if took := time.Since(start); took > 2*time.Second {
			t.Fatalf("GET %s took %v: it waited on the hanging optional check", path, took)
		}
		return code, body
	}
	eventually(t, 20*time.Second, "the startup gate", func() bool {
		_, body := timedGet("/healthcheck/ready")
		return !strings.Contains(body, "starting")
	})
	for _, path := range []string{"/healthcheck/ready", "/healthcheck/"} {
		start := time.Now()
		code, body := timedGet(path)
		t.Logf("GET %s after the gate: %d in %v: %s", path, code, time.Since(start).Round(time.Millisecond), body)
	}
	eventually(t, 10*time.Second, "the check to reach the upstream", func() bool { return accepted() > 0 })

	start := time.Now()
	s.Terminate(t)
	code := s.Wait(t, drain+15*time.Second)
	took := time.Since(start)
	t.Logf("SIGTERM with the check hanging: exit %d after %v (drain %v)", code, took.Round(time.Millisecond), drain)
	if code != 0 {
		t.Fatalf("exit code %d\n%s", code, s.Stderr())
	}
	if took > drain+5*time.Second {
		t.Errorf("exit %v after SIGTERM, want under the drain %v + 5 s", took, drain)
	}
	if !strings.Contains(s.Stderr(), "HTTP server shutting down") {
		t.Errorf("the HTTP server's stop hook did not run:\n%s", s.Stderr())
	}
}
