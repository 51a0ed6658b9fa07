package adaptertest_test

import (
	"context"
	"github.com/echofx/healthcheck/internal/testutil/checktest"
	"net/http"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/echofx/healthcheck/checks/pgcheck"
	"github.com/echofx/healthcheck/internal/testutil"
)

// TestMissingDatabase serves a runner whose PostgreSQL check points at a
// database that does not exist, on every adapter: the public route says
// the server's message, and no response, detailed ones included, carries
// the DSN, the user name, the password, the host or the token.
func TestMissingDatabase(t *testing.T) {
	pg := testutil.StartPostgres(t)
	pool, err := pgxpool.New(context.Background(), pg.DSNFor("database_not_exist"))
	must(t, err)
	t.Cleanup(pool.Close)
	runner := newRunner(t, checktest.Must(pgcheck.New(pool, pgcheck.Config{})))
	if _, err := runner.Refresh(context.Background(), "database"); err != nil {
		t.Fatal(err)
	}
	token := validToken()
	secrets := []string{pg.DSNFor("database_not_exist"), pg.Password(), pg.User(), token, string(testSecret),
		pg.Addr(), "127.0.0.1"}
	forEach(t, func(t *testing.T, a adapter) {
		jc := jwtConfig()
		m := a.mount(t, runner, &jc)
		rec := do(m.handler, http.MethodGet, a.base+"/healthcheck/")
		if want := `{"status":"error","error":"database \"database_not_exist\" does not exist"}`; rec.Code != 500 || rec.Body.String() != want {
			t.Errorf("public = %d %s, want 500 %s", rec.Code, rec.Body, want)
		}
		for _, req := range []struct{ path, accept string }{
			{"/healthcheck/", ""}, {"/healthcheck/ready", ""}, {"/healthcheck/detailed?history=1", ""},
			{"/healthcheck/detailed/database", ""}, {"/healthcheck/detailed", "application/health+json"},
		} {
			rec := do(m.handler, http.MethodGet, a.base+req.path, "Authorization", "Bearer "+token, "Accept", req.accept)
			body := rec.Body.String()
			if !strings.Contains(body, "database_not_exist") {
				t.Errorf("%s: the server's message is missing: %s", req.path, body)
			}
			for _, s := range secrets {
				if s != "" && strings.Contains(body, s) {
					t.Errorf("%s leaks %q: %s", req.path, s, body)
				}
			}
		}
	})
}
