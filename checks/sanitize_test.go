package checks_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"
	"testing"

	"github.com/echofx/healthcheck/checks"
)

func TestSafeMessage(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"deadline", fmt.Errorf("query: %w", context.DeadlineExceeded), "timeout"},
		{"refused", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, "connection refused"},
		{"dns", &net.DNSError{Err: "no such host", Name: "secret-host"}, "host not found"},
		{"url userinfo", errors.New(`Get "http://user:pw@x/y": bad`), `Get "http://***@x/y": bad`},
		{"kv password", errors.New("host=db user=app password='s e' sslmode=off"), "host=*** user=*** password=*** sslmode=off"},
		{"userinfo with @ in password", errors.New("dial postgres://app:pa@ss@db/x"), "dial postgres://***@db/x"},
		{"address", errors.New("read 10.1.2.3:5432 failed"), "read *** failed"},
		{"url error", &url.Error{Op: "Get", URL: "http://u:p@10.0.0.1/?key=secret", Err: errors.New("eof")}, "request failed"},
		{"op error", &net.OpError{Op: "read", Net: "tcp", Err: errors.New("weird")}, "read failed"},
		{"bearer", errors.New("sent Authorization: Bearer abc.def.ghi"), "sent Authorization: ***"},
		{"safe", fmt.Errorf("wrapped: %w", checks.NewSafeError("db down", errors.New("pw=1"))), "db down"},
		{"long", errors.New(strings.Repeat("é", 300)), strings.Repeat("é", 100) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := checks.SafeMessage(tt.err); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}
