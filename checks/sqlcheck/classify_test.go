package sqlcheck

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

// stateError is an error with an SQLSTATE, framed as lib/pq frames its
// server errors.
type stateError struct{ code, text string }

func (e *stateError) Error() string    { return e.text }
func (e *stateError) SQLState() string { return e.code }

// Texts no local server produces on demand; the real servers' errors are
// tested against MariaDB and PostgreSQL.
func TestClassifyTexts(t *testing.T) {
	tests := []struct {
		err       error
		msg       string
		permanent bool
	}{
		{&stateError{"3D000", `pq: database "orders" does not exist`}, `database "orders" does not exist`, true},
		{&stateError{"28P01", `pq: password authentication failed for user "app"`}, "authentication failed", true},
		{&stateError{"53300", `FATAL: sorry, too many clients already (SQLSTATE 53300)`}, "too many connections", false},
		{&stateError{"57P03", `FATAL: the database system is starting up (SQLSTATE 57P03)`}, "the database system is starting up", false},
		{&stateError{"XX000", `ERROR: role "app" is locked (SQLSTATE XX000)`}, "role *** is locked", false},
		{&stateError{"XX000", ""}, "server error XX000", false},
		{fmt.Errorf("ping: %w", errors.New("Error 1130: Host '10.1.2.3' is not allowed to connect to this MariaDB server")), "host not allowed", true},
		{errors.New("Error 1040 (08004): Too many connections"), "too many connections", false},
		{errors.New("Error 1317 (70100): Query execution was interrupted"), "Query execution was interrupted", false},
		{errors.New("Error 1105 (HY000): unknown error for user 'app'@'10.0.0.7'"), "unknown error for user ***", false},
		{errors.New("dial tcp db.internal:3306: something odd"), "connection failed", false},
	}
	c := &checker{}
	for _, tt := range tests {
		msg, permanent := c.classify(context.Background(), tt.err)
		if msg != tt.msg || permanent != tt.permanent {
			t.Errorf("classify(%q) = %q, %v; want %q, %v", tt.err, msg, permanent, tt.msg, tt.permanent)
		}
	}
}
