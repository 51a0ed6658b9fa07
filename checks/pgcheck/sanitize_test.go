package pgcheck_test

import (
	"context"
	"strings"
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

// TestSafeMessageOfPgError: checks.SafeMessage, which imports no driver,
// shows a PostgreSQL server error's own message, except the
// authentication errors that name the role.
func TestSafeMessageOfPgError(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"pg server error", &pgconn.PgError{Code: "3D000", Message: `database "x" does not exist`}, `database "x" does not exist`},
		{"pg auth error", &pgconn.PgError{Code: "28P01", Message: `password authentication failed for user "app"`}, "authentication failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := checks.SafeMessage(tt.err); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}
