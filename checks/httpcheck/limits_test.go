package httpcheck_test

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/checks/httpcheck"
	"github.com/echofx/healthcheck/internal/testutil/checktest"
)

// TestHTTPHeaderLimit: a peer answering 200 with 1 MiB of headers (under
// net/http's 10 MiB default) is not read to the end: the default client stops
// at 64 KiB and the check reads unhealthy.
func TestHTTPHeaderLimit(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
				if _, err := http.ReadRequest(bufio.NewReader(conn)); err != nil {
					return
				}
				w := bufio.NewWriter(conn)
				w.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n")
				line := "X-Padding: " + strings.Repeat("p", 1000) + "\r\n"
				for range (1 << 20) / len(line) {
					if _, err := w.WriteString(line); err != nil {
						return
					}
				}
				w.WriteString("\r\n")
				_ = w.Flush()
			}()
		}
	}()

	c := checktest.Must(httpcheck.New("http://"+ln.Addr().String()+"/", httpcheck.Config{Name: "api"}))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rep := c.Func(ctx)
	if rep.Status != checks.StatusUnhealthy {
		t.Fatalf("1 MiB of response headers read as %v (%q), want unhealthy", rep.Status, rep.Message)
	}
}
