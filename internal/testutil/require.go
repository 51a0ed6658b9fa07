package testutil

import (
	"os"
	"testing"
)

// RequireDBEnv names the environment variable that, set to "1", turns a
// missing PostgreSQL or Redis installation from a skipped test into a failed
// one (for CI, where the servers must be present).
const RequireDBEnv = "HEALTHCHECK_REQUIRE_DB"

// RequireDB reports whether $HEALTHCHECK_REQUIRE_DB is "1".
func RequireDB() bool { return os.Getenv(RequireDBEnv) == "1" }

// missingDependency skips the test, or fails it when RequireDB is set.
func missingDependency(t testing.TB, msg string) {
	t.Helper()
	if RequireDB() {
		t.Fatal(msg)
	}
	t.Skip(msg + " (set " + RequireDBEnv + "=1 to fail instead)")
}

// launchDir makes a world-searchable directory for a launcher and removes it
// at cleanup. It is created under os.TempDir rather than with t.TempDir,
// whose per-test parent is mode 0700 and so unreachable by the postgres user
// when running as root.
func launchDir(t testing.TB, prefix string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := os.RemoveAll(dir); err != nil {
			t.Errorf("testutil: remove %s: %v", dir, err)
		}
	})
	return dir
}
