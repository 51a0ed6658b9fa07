package lifecycle_test

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/checks/httpcheck"
	"github.com/echofx/healthcheck/lifecycle"
)

// hangingListener accepts connections on loopback and never answers; it is
// closed, with its connections, at the end of the test.
func hangingListener(t *testing.T) (addr string, accepted *signal) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted = newSignal()
	var mu sync.Mutex
	var conns []net.Conn
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
			accepted.fire()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return ln.Addr().String(), accepted
}

// With an upstream that accepts and never answers (checked over HTTP with
// a 30 s timeout) and a Func that ignores its context for 30 s, both in
// flight in the periodic runner, Stop returns promptly, and so does
// Runner.Close.
func TestStopWithHangingChecksIsPrompt(t *testing.T) {
	addr, accepted := hangingListener(t)
	upstream, err := httpcheck.New("http://"+addr+"/health", httpcheck.Config{Name: "upstream"})
	if err != nil {
		t.Fatal(err)
	}
	upstream.Criticality = checks.Optional
	upstream.Timeout = 30 * time.Second

	release := make(chan struct{})
	defer close(release)
	stuckCalled := newSignal()
	stuck := checks.Check{Name: "stuck", Criticality: checks.Optional, Timeout: 30 * time.Second,
		Func: func(context.Context) checks.Report {
			stuckCalled.fire()
			select { // ignores its context
			case <-release:
			case <-time.After(30 * time.Second):
			}
			return checks.Report{}
		}}

	runner := checks.NewRunner()
	if err := runner.Register(upstream, stuck); err != nil {
		t.Fatal(err)
	}
	lc := newLifecycle(t, runner, lifecycle.WithDrainDelay(0), lifecycle.WithLogger(discard))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := lc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	accepted.wait(t, "the upstream check in flight")
	stuckCalled.wait(t, "the stuck check in flight")

	begin := time.Now()
	if err := lc.Stop(ctx); err != nil {
		t.Fatalf("Stop = %v", err)
	}
	if d := time.Since(begin); d > 3*time.Second {
		t.Fatalf("Stop took %v with checks hanging, want well under 3s", d)
	}
	begin = time.Now()
	runner.Close()
	if d := time.Since(begin); d > 3*time.Second {
		t.Fatalf("Runner.Close took %v with checks hanging, want well under 3s", d)
	}
}
