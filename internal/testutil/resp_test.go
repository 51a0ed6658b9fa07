package testutil

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"
	"time"
)

// scriptedServer answers each RESP command read from one connection with
// the next reply, and records the commands' raw bytes.
func scriptedServer(t *testing.T, replies ...string) (addr string, got <-chan string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan string, 1)
	go func() {
		defer close(out)
		defer l.Close()
		conn, err := l.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		r := bufio.NewReader(conn)
		var seen strings.Builder
		for _, reply := range replies {
			header, err := r.ReadString('\n') // *N
			if err != nil {
				return
			}
			seen.WriteString(header)
			n := int(header[1] - '0')
			for range 2 * n { // $len and value lines
				line, err := r.ReadString('\n')
				if err != nil {
					return
				}
				seen.WriteString(line)
			}
			if _, err := conn.Write([]byte(reply)); err != nil {
				return
			}
		}
		out <- seen.String()
	}()
	return l.Addr().String(), out
}

func TestRedisPingProtocol(t *testing.T) {
	addr, got := scriptedServer(t, "+OK\r\n", "+PONG\r\n")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := redisPing(ctx, addr, "p w"); err != nil {
		t.Fatal(err)
	}
	want := "*2\r\n$4\r\nAUTH\r\n$3\r\np w\r\n*1\r\n$4\r\nPING\r\n"
	if s := <-got; s != want {
		t.Errorf("sent %q, want %q", s, want)
	}
}

func TestRedisPingErrorReply(t *testing.T) {
	addr, got := scriptedServer(t, "-WRONGPASS invalid username-password pair\r\n")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := redisPing(ctx, addr, "bad")
	if err == nil || !strings.Contains(err.Error(), "WRONGPASS") {
		t.Errorf("err = %v, want the server's WRONGPASS", err)
	}
	<-got
}
