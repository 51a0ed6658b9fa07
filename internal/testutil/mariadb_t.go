package testutil

import (
	"errors"
	"testing"
)

// StartMariaDB launches a MariaDB server for the test in a temporary
// directory (see LaunchMariaDB) and closes it when the test ends. It skips
// the test when the server binaries are not installed, or fails it if
// RequireDB is true; any other launch error fails the test.
func StartMariaDB(t testing.TB) *MariaDB {
	t.Helper()
	return StartMariaDBWith(t, MariaDBOptions{})
}

// StartMariaDBWith is StartMariaDB with options (Dir and Logf are filled in).
func StartMariaDBWith(t testing.TB, opts MariaDBOptions) *MariaDB {
	t.Helper()
	if _, err := FindMariaDB(); errors.Is(err, ErrNoMariaDB) {
		missingDependency(t, "MariaDB server binaries not found: apt-get install mariadb-server")
	}
	opts.Dir, opts.Logf = launchDir(t, "healthcheck-mariadb-"), t.Logf
	m, err := LaunchMariaDB(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("testutil: close mariadb: %v", err)
		}
	})
	return m
}
