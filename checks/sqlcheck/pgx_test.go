package sqlcheck_test

import (
	"net/url"
	"testing"
	"time"

	// pgx's database/sql driver, already a dependency of the module.
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/checks/sqlcheck"
	"github.com/echofx/healthcheck/internal/testutil"
	"github.com/echofx/healthcheck/internal/testutil/checktest"
)

// The same check on PostgreSQL through pgx's stdlib driver: any SQL
// database, the same messages as the pgxpool check.
func TestPostgresThroughStdlib(t *testing.T) {
	pg := testutil.StartPostgres(t)
	secrets := []string{pg.Password(), pg.User(), pg.Addr(), pg.Host(), pg.DSN(), "postgres://"}
	wrongPassword, err := url.Parse(pg.DSN())
	if err != nil {
		t.Fatal(err)
	}
	wrongPassword.User = url.UserPassword(pg.User(), "not-"+pg.Password())

	tests := []struct {
		name, dsn string
		want      checks.Status
		wantMsg   string
		permanent bool
	}{
		{"healthy", pg.DSN(), checks.StatusHealthy, "", false},
		{"missing database", pg.DSNFor("database_not_exist"), checks.StatusUnhealthy, `database "database_not_exist" does not exist`, true},
		{"wrong password", wrongPassword.String(), checks.StatusUnhealthy, "authentication failed", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runOnce(t, checktest.Must(sqlcheck.New(openDB(t, "pgx", tt.dsn, 4), sqlcheck.Config{})))
			assertResult(t, res, tt.want, tt.wantMsg, tt.permanent)
			checktest.AssertNotShown(t, res, secrets...)
		})
	}

	t.Run("paused then stopped", func(t *testing.T) {
		db := openDB(t, "pgx", pg.DSN(), 4)
		c := checktest.Must(sqlcheck.New(db, sqlcheck.Config{}))
		r := newRunner(t, c, 300*time.Millisecond)
		assertResult(t, refresh(t, r, c.Name), checks.StatusHealthy, "", false)
		if err := pg.Pause(); err != nil {
			t.Fatal(err)
		}
		res := refresh(t, r, c.Name)
		if err := pg.Resume(); err != nil {
			t.Fatal(err)
		}
		assertTimeout(t, res)
		if err := pg.Stop(); err != nil {
			t.Fatal(err)
		}
		res = refresh(t, r, c.Name)
		assertResult(t, res, checks.StatusUnhealthy, "connection refused", false)
		checktest.AssertNotShown(t, res, secrets...)
	})
}
