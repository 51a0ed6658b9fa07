package sqlcheck_test

import (
	"context"
	"github.com/echofx/healthcheck/internal/testutil/checktest"
	"testing"

	"github.com/echofx/healthcheck/checks/sqlcheck"
	"github.com/echofx/healthcheck/internal/testutil"
)

// BenchmarkMariaDB compares one run of the check with its baseline, a bare
// db.PingContext on the same pool: the difference is the pool reading and
// the report.
func BenchmarkMariaDB(b *testing.B) {
	my := testutil.StartMariaDB(b)
	ctx := context.Background()
	b.Run("ping", func(b *testing.B) {
		db := openDB(b, "mysql", my.DSN(), 4)
		for b.Loop() {
			if err := db.PingContext(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("check", func(b *testing.B) {
		c := checktest.Must(sqlcheck.New(openDB(b, "mysql", my.DSN(), 4), sqlcheck.Config{}))
		for b.Loop() {
			if rep := c.Func(ctx); rep.Message != "" {
				b.Fatal(rep.Message)
			}
		}
	})
}
