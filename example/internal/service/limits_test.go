package service

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/fx/fxtest"

	"github.com/echofx/healthcheck/internal/testutil"
)

// TestServerLimits holds the production limits to what their comments
// promise.
func TestServerLimits(t *testing.T) {
	tests := []struct {
		checkTimeout time.Duration
		write        time.Duration
	}{
		{5 * time.Second, 30 * time.Second}, // HEALTH_CHECK_TIMEOUT's default
		{time.Second, 30 * time.Second},
		{30 * time.Second, 40 * time.Second},
		{2 * time.Minute, 2*time.Minute + 10*time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.checkTimeout.String(), func(t *testing.T) {
			l := serverLimits(tt.checkTimeout)
			want := limits{
				ReadHeader:     5 * time.Second,
				Read:           10 * time.Second,
				Write:          tt.write,
				Idle:           60 * time.Second,
				MaxHeaderBytes: 64 << 10,
			}
			if l != want {
				t.Fatalf("serverLimits(%v) = %+v, want %+v", tt.checkTimeout, l, want)
			}
			// The detailed route waits up to the check timeout: its answer
			// must still fit in the write timeout, with room to render.
			if l.Write < tt.checkTimeout+10*time.Second {
				t.Errorf("Write %v leaves under 10 s over the check timeout %v", l.Write, tt.checkTimeout)
			}
			// A half-sent request after a keep-alive waits under Idle
			// (fewer than 4 bytes) or ReadHeader (more): cut within 60 s.
			if max(l.Idle, l.ReadHeader) > time.Minute {
				t.Errorf("a half-sent request may be held %v, over 60 s", max(l.Idle, l.ReadHeader))
			}
			if l.Read <= l.ReadHeader {
				t.Errorf("Read %v not above ReadHeader %v: bodies get no time", l.Read, l.ReadHeader)
			}
		})
	}
}

func TestNewServerUsesLimits(t *testing.T) {
	l := limits{ReadHeader: 1, Read: 2, Write: 3, Idle: 4, MaxHeaderBytes: 5}
	srv := newServer(":1", http.NotFoundHandler(), slog.New(slog.DiscardHandler), l)
	got := limits{srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout, srv.MaxHeaderBytes}
	if got != l || srv.Addr != ":1" || srv.ErrorLog == nil {
		t.Fatalf("server limits %+v (ErrorLog %v), want %+v", got, srv.ErrorLog, l)
	}
}

// shortLimits keep the slow-client tests quick; TestServerLimits checks
// the production values.
var shortLimits = limits{
	ReadHeader:     300 * time.Millisecond,
	Read:           600 * time.Millisecond,
	Write:          5 * time.Second,
	Idle:           400 * time.Millisecond,
	MaxHeaderBytes: 4 << 10,
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string { b.mu.Lock(); defer b.mu.Unlock(); return b.b.String() }

// startListen runs listen with l and handler on a free loopback port
// through a real fx lifecycle (stopped at cleanup) and returns the
// address and the log.
func startListen(t *testing.T, handler http.Handler, l limits) (string, *syncBuffer) {
	t.Helper()
	port, err := testutil.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	t.Setenv("HTTP_ADDR", addr)
	log := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelInfo}))
	lc := fxtest.NewLifecycle(t)
	if err := listen(lc, handler, logger, l); err != nil {
		t.Fatal(err)
	}
	lc.RequireStart()
	t.Cleanup(lc.RequireStop)
	return addr, log
}

// okHandler answers 200 "ok" after reading the body.
var okHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	_, _ = io.WriteString(w, "ok")
})

// waitClosed reads conn until the server closes it and returns how long
// that took; it fails the test when conn is still open after guard.
func waitClosed(t *testing.T, conn net.Conn, br *bufio.Reader, guard time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	_ = conn.SetReadDeadline(start.Add(guard))
	_, err := io.Copy(io.Discard, br)
	took := time.Since(start)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the server still held the connection after %v", took)
	}
	return took
}

// TestHalfSentRequestAfterKeepAliveIsCut: one full request on a
// keep-alive connection, then a partial one and silence. Under 4 bytes
// the server waits under Idle, from 4 bytes on under ReadHeader; either
// way it closes the connection.
func TestHalfSentRequestAfterKeepAliveIsCut(t *testing.T) {
	addr, _ := startListen(t, okHandler, shortLimits)
	for _, tt := range []struct {
		partial string
		bound   time.Duration
	}{
		{"GE", shortLimits.Idle},
		{"GET /x HTTP/1.1\r\nHo", shortLimits.ReadHeader},
	} {
		t.Run(fmt.Sprintf("%q", tt.partial), func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			br := bufio.NewReader(conn)
			if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: example\r\n\r\n"); err != nil {
				t.Fatal(err)
			}
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || resp.Close {
				t.Fatalf("first request: %d, close %v: want a kept-alive 200", resp.StatusCode, resp.Close)
			}
			if _, err := io.WriteString(conn, tt.partial); err != nil {
				t.Fatal(err)
			}
			took := waitClosed(t, conn, br, 10*tt.bound)
			t.Logf("%q after a keep-alive: cut after %v (bound %v)", tt.partial, took, tt.bound)
			if took > tt.bound+2*time.Second {
				t.Fatalf("cut after %v, bound %v", took, tt.bound)
			}
		})
	}
}

// TestDrippedBodyIsCut: a body sent one byte every 50 ms is cut at Read,
// counted from the request's first bytes.
func TestDrippedBodyIsCut(t *testing.T) {
	addr, _ := startListen(t, okHandler, shortLimits)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	if _, err := io.WriteString(conn, "POST / HTTP/1.1\r\nHost: example\r\nContent-Length: 1000\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	dripped := make(chan struct{})
	go func() {
		defer close(dripped)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if _, err := conn.Write([]byte("x")); err != nil {
					return
				}
			}
		}
	}()
	defer func() { close(stop); <-dripped }()
	br := bufio.NewReader(conn)
	waitClosed(t, conn, br, 10*shortLimits.Read)
	took := time.Since(start)
	t.Logf("dripped body: cut %v after the request's first bytes (Read %v)", took, shortLimits.Read)
	if took > shortLimits.Read+2*time.Second {
		t.Fatalf("cut after %v, Read is %v", took, shortLimits.Read)
	}
}

// TestOversizedHeadersAnswer431: headers past MaxHeaderBytes (plus
// net/http's 4 KB slack) are refused.
func TestOversizedHeadersAnswer431(t *testing.T) {
	addr, _ := startListen(t, okHandler, shortLimits)
	req, err := http.NewRequest(http.MethodGet, "http://"+addr+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Big", strings.Repeat("a", shortLimits.MaxHeaderBytes+8<<10))
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("status %d, want 431", resp.StatusCode)
	}
}

// TestServerErrorsLogAtWarn: net/http's own error lines reach the
// service's slog logger at WARN.
func TestServerErrorsLogAtWarn(t *testing.T) {
	addr, log := startListen(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		w.WriteHeader(http.StatusTeapot) // net/http logs "superfluous response.WriteHeader call"
	}), shortLimits)
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// net/http logs the superfluous call inside it, in the handler, and
	// sends the response only once the handler returned.
	if !strings.Contains(log.String(), "superfluous") {
		t.Fatalf("net/http's error did not reach the logger:\n%s", log)
	}
	for _, line := range strings.Split(log.String(), "\n") {
		if strings.Contains(line, "superfluous") && !strings.Contains(line, "level=WARN") {
			t.Fatalf("net/http's error not at WARN: %s", line)
		}
	}
}
