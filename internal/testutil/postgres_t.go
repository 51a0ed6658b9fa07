package testutil

import (
	"errors"
	"testing"
)

// StartPostgres launches a PostgreSQL cluster for the test in a temporary
// directory (see LaunchPostgres) and closes it when the test ends. It skips
// the test when the server binaries are not installed, or fails it if
// RequireDB is true; any other launch error fails the test.
func StartPostgres(t testing.TB) *Postgres {
	t.Helper()
	if _, err := FindPostgresBin(); errors.Is(err, ErrNoPostgres) {
		missingDependency(t, "PostgreSQL server binaries not found: apt-get install postgresql")
	}
	p, err := LaunchPostgres(PostgresOptions{Dir: launchDir(t, "healthcheck-pg-"), Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("testutil: close postgres: %v", err)
		}
	})
	return p
}
