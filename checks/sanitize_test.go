package checks_test

import (
	"context"
	"errors"
	"fmt"
	"net"
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
		{"kv password", errors.New("host=db user=app password='s e' sslmode=off"), "host=db user=app password=*** sslmode=off"},
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
