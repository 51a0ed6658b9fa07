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

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/echofx/healthcheck/checks"
)

// TestSafeMessageOfRealConnectError connects with pgx to a closed port and
// a wrong password: the raw errors print user, host and database; the
// safe message must not.
func TestSafeMessageOfRealConnectError(t *testing.T) {
	_, err := pgconn.Connect(context.Background(), "postgres://secretuser:hunter2@127.0.0.1:1/secretdb?connect_timeout=2")
	if err == nil {
		t.Fatal("connected to port 1")
	}
	msg := checks.SafeMessage(err)
	for _, leak := range []string{"secretuser", "hunter2", "127.0.0.1", "secretdb"} {
		if strings.Contains(msg, leak) {
			t.Fatalf("SafeMessage(%q) = %q leaks %q", err, msg, leak)
		}
	}
}

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
		{"pg server error", &pgconn.PgError{Code: "3D000", Message: `database "x" does not exist`}, `database "x" does not exist`},
		{"pg auth error", &pgconn.PgError{Code: "28P01", Message: `password authentication failed for user "app"`}, "authentication failed"},
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
