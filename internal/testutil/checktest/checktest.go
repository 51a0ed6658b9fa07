// Package checktest holds the helpers the tests of the integration
// packages under checks share: run a check once through a runner, assert
// its status and message, and find a port nobody listens on.
package checktest

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/echofx/healthcheck/checks"
)

// Run registers c with a new runner and runs it once through
// Runner.Check, as the HTTP handlers and the lifecycle package do.
func Run(t *testing.T, c checks.Check) checks.Result {
	t.Helper()
	runner := checks.NewRunner()
	defer runner.Close()
	if err := runner.Register(c); err != nil {
		t.Fatalf("Register: %v", err)
	}
	res, err := runner.Check(context.Background(), c.Name)
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	return res
}

// AssertResult checks a result's status and that its message starts with
// wantMsg ("" means an empty message).
func AssertResult(t *testing.T, res checks.Result, want checks.Status, wantMsg string) {
	t.Helper()
	if res.Status != want {
		t.Errorf("status = %v, want %v (message %q, details %v)", res.Status, want, res.Message, res.Details)
	}
	if wantMsg == "" && res.Message != "" || !strings.HasPrefix(res.Message, wantMsg) {
		t.Errorf("message = %q, want prefix %q", res.Message, wantMsg)
	}
}

// AssertNotShown fails when any of secrets appears in the result's message
// or details.
func AssertNotShown(t *testing.T, res checks.Result, secrets ...string) {
	t.Helper()
	shown := res.Message + " " + fmt.Sprint(res.Details)
	for _, s := range secrets {
		if s != "" && strings.Contains(shown, s) {
			t.Errorf("result shows %q: message %q, details %v", s, res.Message, res.Details)
		}
	}
}

// ClosedAddr returns a loopback address on which nothing listens.
func ClosedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// Must returns c, panicking when err is set: it wraps an integration's New
// in a test whose configuration is known to be valid, e.g.
// checktest.Run(t, checktest.Must(pgcheck.New(pool, pgcheck.Config{}))).
func Must(c checks.Check, err error) checks.Check {
	if err != nil {
		panic(err)
	}
	return c
}
