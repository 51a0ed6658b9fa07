package main

import (
	"regexp"
	"testing"
	"time"

	"github.com/echofx/healthcheck/internal/testutil"
)

// TestOutagesAreLogged stops and restarts the database under the built
// example: each outage is logged at the default level, ERROR for the
// required database check going unhealthy and INFO for its recovery with
// the outage's length.
func TestOutagesAreLogged(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped under -short")
	}
	pg := testutil.StartPostgres(t)
	s := startService(t, fastEnv("DATABASE_URL="+pg.DSN(), "HEALTH_JWT_SECRET="+testSecret)...)
	eventually(t, 30*time.Second, "ready", func() bool { code, _ := s.Get(t, "/healthcheck/ready"); return code == 200 })
	down := regexp.MustCompile(`level=ERROR msg="health check unhealthy" check=database`)
	up := regexp.MustCompile(`level=INFO msg="health check recovered" check=database .*outage=`)
	for round := 1; round <= 3; round++ {
		if err := pg.Stop(); err != nil {
			t.Fatal(err)
		}
		eventually(t, 20*time.Second, "the outage logged", func() bool { return len(down.FindAllString(s.Stderr(), -1)) >= round })
		if err := pg.Start(); err != nil {
			t.Fatal(err)
		}
		eventually(t, 20*time.Second, "the recovery logged", func() bool { return len(up.FindAllString(s.Stderr(), -1)) >= round })
	}
}
