package healthfx_test

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	// A test-only import: healthfx and checks/sqlcheck import no driver.
	_ "github.com/go-sql-driver/mysql"
	"github.com/labstack/echo/v4"
	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/healthfx"
	"github.com/echofx/healthcheck/internal/testutil"
	"github.com/echofx/healthcheck/lifecycle"
)

func openMySQL(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(body))
}

// An app that provides a *sql.DB gets the "database" check on it: the
// public route follows the server.
func TestModuleSQLDB(t *testing.T) {
	my := testutil.StartMariaDB(t)
	quietEnv(t)
	t.Setenv("HEALTH_CHECK_DETAILED", "true")
	t.Setenv("HEALTH_JWT_SECRET", secret)
	var (
		e      *echo.Echo
		runner *checks.Runner
	)
	app := fxtest.New(t,
		fx.NopLogger,
		fx.Provide(echo.New),
		fx.Supply(openMySQL(t, my.DSN())),
		healthfx.Module,
		fx.Populate(&e, &runner),
	)
	app.RequireStart()
	defer app.RequireStop()
	if names := checkNames(runner); !slices.Equal(names, []string{"database"}) {
		t.Fatalf("checks = %v, want [database]", names)
	}
	srv := httptest.NewServer(e)
	defer srv.Close()

	if code, body := httpGet(t, srv.URL+"/healthcheck/"); code != 200 || body != `{"status":"success","data":{"health":"ok"}}` {
		t.Fatalf("public route: %d %s", code, body)
	}
	token := testutil.MintHS256([]byte(secret), testutil.ValidClaims("", "", time.Minute))
	if code, body := get(t, e, "/healthcheck/detailed", token); code != 200 || !strings.Contains(body, `"database":"required"`) ||
		!strings.Contains(body, `"max_open_connections":0`) {
		t.Fatalf("detailed: %d %s", code, body)
	}

	if err := my.Stop(); err != nil {
		t.Fatal(err)
	}
	var code int
	var body string
	// A check that ran during the shutdown may first say something else
	// ("terminating connection…"): wait for the stopped server's answer.
	eventually(t, 10*time.Second, "public route failing with connection refused after the database stopped", func() bool {
		code, body = httpGet(t, srv.URL+"/healthcheck/")
		return code == 500 && body == `{"status":"error","error":"database: connection refused"}`
	})
	_, detailed := get(t, e, "/healthcheck/detailed", token)
	for _, leak := range []string{my.Password(), my.User() + "@", my.DSN(), my.Addr()} {
		if strings.Contains(body, leak) || strings.Contains(detailed, leak) {
			t.Fatalf("a response leaks %q: %s %s", leak, body, detailed)
		}
	}
}

func checkNames(r *checks.Runner) []string {
	var names []string
	for _, c := range r.Checks() {
		names = append(names, c.Name)
	}
	return names
}

// A database that does not exist fails app.Start at once with the
// server's message, as with a *pgxpool.Pool.
func TestModuleSQLDBPermanentFailure(t *testing.T) {
	my := testutil.StartMariaDB(t)
	quietEnv(t)
	app := fx.New(fx.NopLogger, fx.Provide(echo.New), fx.Supply(openMySQL(t, my.DSNFor("database_not_exist"))), healthfx.Module)
	ctx, cancel := context.WithTimeout(context.Background(), app.StartTimeout())
	defer cancel()
	start := time.Now()
	err := app.Start(ctx)
	// The app's account has no global privilege: MariaDB answers "access
	// denied" rather than "unknown database".
	if !errors.Is(err, lifecycle.ErrStartupFailed) || !strings.Contains(err.Error(), "access denied to database 'database_not_exist'") {
		t.Fatalf("Start: %v, want the server's access denied", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v: a permanent failure should fail at once", d)
	}
	if strings.Contains(err.Error(), my.Password()) || strings.Contains(err.Error(), my.User()+"@") {
		t.Fatalf("error leaks a credential: %v", err)
	}
}

// With a *pgxpool.Pool and a *sql.DB, each is checked: the pool keeps
// HEALTH_CHECK_DATABASE_NAME, the *sql.DB takes
// HEALTH_CHECK_DATABASE_SQL_NAME; HEALTH_CHECK_DATABASE_SQL=false leaves
// it out.
func TestModulePoolAndSQLDB(t *testing.T) {
	pg := testutil.StartPostgres(t)
	my := testutil.StartMariaDB(t)
	for _, tc := range []struct {
		env   map[string]string
		want  []string
		errOn string
	}{
		{nil, []string{"database", "sql"}, ""},
		{map[string]string{"HEALTH_CHECK_DATABASE_SQL_NAME": "mariadb"}, []string{"database", "mariadb"}, ""},
		{map[string]string{"HEALTH_CHECK_DATABASE_SQL": "false"}, []string{"database"}, ""},
		{map[string]string{"HEALTH_CHECK_DATABASE": "false"}, nil, ""},
		{map[string]string{"HEALTH_CHECK_DATABASE_SQL_NAME": "database"}, nil, "HEALTH_CHECK_DATABASE_SQL_NAME"},
		{map[string]string{"HEALTH_CHECK_DATABASE_SQL_NAME": "no spaces"}, nil, "HEALTH_CHECK_DATABASE_SQL_NAME"},
	} {
		t.Run(strings.Join(slices.Sorted(mapsKeysValues(tc.env)), ","), func(t *testing.T) {
			quietEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			var runner *checks.Runner
			opts := []fx.Option{fx.NopLogger, fx.Provide(echo.New), fx.Supply(newPool(t, pg.DSN()), openMySQL(t, my.DSN())), healthfx.Module,
				healthfx.SupplyCheck(checks.Check{Name: "noop", Func: checks.FromFunc(func(context.Context) error { return nil })}),
				fx.Populate(&runner)}
			if tc.errOn != "" {
				err := fx.New(opts...).Err()
				var ce *checks.ConfigError
				if !errors.As(err, &ce) || ce.Setting != tc.errOn {
					t.Fatalf("fx.New: %v, want an error naming %s", err, tc.errOn)
				}
				return
			}
			app := fxtest.New(t, opts...)
			app.RequireStart()
			defer app.RequireStop()
			got := slices.DeleteFunc(checkNames(runner), func(n string) bool { return n == "noop" })
			if !slices.Equal(got, tc.want) {
				t.Fatalf("checks = %v, want %v", got, tc.want)
			}
		})
	}
}

func mapsKeysValues(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k, v := range m {
			if !yield(k + "=" + v) {
				return
			}
		}
	}
}
