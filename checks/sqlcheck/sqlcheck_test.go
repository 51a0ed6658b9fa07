package sqlcheck_test

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	// The MySQL driver is a test-only import: the check itself imports no
	// driver, so users compile only their own.
	_ "github.com/go-sql-driver/mysql"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/checks/sqlcheck"
	"github.com/echofx/healthcheck/internal/testutil"
	"github.com/echofx/healthcheck/internal/testutil/checktest"
)

// openDB opens driverName's dsn, closed when the test ends. It does not
// connect: the check's first probe does.
func openDB(t testing.TB, driverName, dsn string, maxOpen int) *sql.DB {
	t.Helper()
	db, err := sql.Open(driverName, dsn)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(maxOpen)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// newRunner registers c with timeout on a runner closed when the test ends.
func newRunner(t *testing.T, c checks.Check, timeout time.Duration) *checks.Runner {
	t.Helper()
	c.Timeout = timeout
	r := checks.NewRunner()
	t.Cleanup(r.Close)
	if err := r.Register(c); err != nil {
		t.Fatal(err)
	}
	return r
}

// refresh runs the check now and returns its result.
func refresh(t *testing.T, r *checks.Runner, name string) checks.Result {
	t.Helper()
	res, err := r.Refresh(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func runOnce(t *testing.T, c checks.Check) checks.Result {
	t.Helper()
	return refresh(t, newRunner(t, c, 2*time.Second), c.Name)
}

// assertTimeout asserts an unhealthy result for a timeout: "timeout" from
// the check, or the runner's "timeout after 300ms" when the deadline
// passed before the check returned.
func assertTimeout(t *testing.T, res checks.Result) {
	t.Helper()
	if res.Status != checks.StatusUnhealthy || !strings.HasPrefix(res.Message, "timeout") || res.Permanent {
		t.Errorf("result = %v %q (permanent %v), want unhealthy timeout", res.Status, res.Message, res.Permanent)
	}
}

func assertResult(t *testing.T, res checks.Result, want checks.Status, wantMsg string, permanent bool) {
	t.Helper()
	if res.Status != want || res.Message != wantMsg {
		t.Errorf("result = %v %q, want %v %q (details %v)", res.Status, res.Message, want, wantMsg, res.Details)
	}
	if res.Permanent != permanent {
		t.Errorf("result.Permanent = %v, want %v", res.Permanent, permanent)
	}
}

// holdConns takes n connections from db, released when the test ends
// unless released before.
func holdConns(t *testing.T, db *sql.DB, n int) []*sql.Conn {
	t.Helper()
	var held []*sql.Conn
	for range n {
		conn, err := db.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, conn)
		t.Cleanup(func() { _ = conn.Close() })
	}
	return held
}

func TestMariaDB(t *testing.T) {
	my := testutil.StartMariaDBWith(t, testutil.MariaDBOptions{User: "health_user", Database: "orders"})
	// Nothing that locates or authenticates the database may be shown.
	secrets := []string{my.Password(), my.User(), my.Addr(), my.Host(), strconv.Itoa(my.Port()), my.DSN(), "@tcp("}
	wrongPassword := strings.Replace(my.DSN(), ":"+my.Password()+"@", ":not-"+my.Password()+"@", 1)
	unknownUser := strings.Replace(my.DSN(), my.User()+":", "nobody:", 1)
	// MariaDB tells a missing database from a forbidden one only to a user
	// with a global privilege.
	if err := my.Exec(context.Background(), "CREATE USER 'health_dba'@'%' IDENTIFIED BY 'dba-secret-pw'; GRANT ALL ON *.* TO 'health_dba'@'%';"); err != nil {
		t.Fatal(err)
	}
	dba := strings.Replace(my.DSNFor("database_not_exist"), my.User()+":"+my.Password()+"@", "health_dba:dba-secret-pw@", 1)
	secrets = append(secrets, "health_dba", "dba-secret-pw")

	tests := []struct {
		name, dsn string
		want      checks.Status
		wantMsg   string // exact
		permanent bool   // the server says waiting will not help
	}{
		{"healthy", my.DSN(), checks.StatusHealthy, "", false},
		{"unknown database", dba, checks.StatusUnhealthy, "Unknown database 'database_not_exist'", true},
		{"unknown database, no global privilege", my.DSNFor("database_not_exist"), checks.StatusUnhealthy, "access denied to database 'database_not_exist'", true},
		{"wrong password", wrongPassword, checks.StatusUnhealthy, "authentication failed", true},
		{"unknown user", unknownUser, checks.StatusUnhealthy, "authentication failed", true},
		{"database not granted", my.DSNFor("mysql"), checks.StatusUnhealthy, "access denied to database 'mysql'", true},
		{"refused", strings.Replace(my.DSN(), my.Addr(), checktest.ClosedAddr(t), 1), checks.StatusUnhealthy, "connection refused", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openDB(t, "mysql", tt.dsn, 4)
			c := checktest.Must(sqlcheck.New(db, sqlcheck.Config{}))
			if c.Name != "database" || c.Criticality != checks.Required || c.Level != checks.LevelBasic {
				t.Errorf("check = %q, %v, %v; want database, required, basic", c.Name, c.Criticality, c.Level)
			}
			res := runOnce(t, c)
			assertResult(t, res, tt.want, tt.wantMsg, tt.permanent)
			if tt.want != checks.StatusHealthy {
				// The report's error shows the same text; the driver's
				// error stays its cause.
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				rep := c.Func(ctx)
				cancel()
				if rep.Err == nil || checks.SafeMessage(rep.Err) != tt.wantMsg || rep.Err.Error() != tt.wantMsg || errors.Unwrap(rep.Err) == nil {
					t.Errorf("report.Err = %v, want a safe error %q with a cause", rep.Err, tt.wantMsg)
				}
			}
			checktest.AssertNotShown(t, res, secrets...)
			for _, k := range []string{"open_connections", "in_use", "idle", "max_open_connections"} {
				if _, ok := res.Details[k].(int); !ok {
					t.Errorf("details = %v, want int %s", res.Details, k)
				}
			}
			if res.Details["max_open_connections"] != 4 {
				t.Errorf("max_open_connections = %v, want 4", res.Details["max_open_connections"])
			}
			if _, ok := res.Details["wait_count"].(int64); !ok {
				t.Errorf("details = %v, want wait_count", res.Details)
			}
			for _, k := range []string{"wait_duration_ms", "response_ms"} {
				if _, ok := res.Details[k].(float64); !ok {
					t.Errorf("details = %v, want float %s", res.Details, k)
				}
			}
		})
	}

	t.Run("options", func(t *testing.T) {
		db := openDB(t, "mysql", my.DSN(), 0)
		res := runOnce(t, checktest.Must(sqlcheck.New(db, sqlcheck.Config{Name: "orders-db", SlowThreshold: time.Nanosecond})))
		if !strings.HasPrefix(res.Message, "slow response (") || res.Status != checks.StatusDegraded {
			t.Errorf("slow: %v %q", res.Status, res.Message)
		}
		res = runOnce(t, checktest.Must(sqlcheck.New(db, sqlcheck.Config{Query: "SELECT 1 FROM DUAL"})))
		assertResult(t, res, checks.StatusHealthy, "", false)
		res = runOnce(t, checktest.Must(sqlcheck.New(db, sqlcheck.Config{Query: "SELECT 1 FROM DUAL WHERE 1 = 0"})))
		assertResult(t, res, checks.StatusUnhealthy, "probe query returned no row", false)
		res = runOnce(t, checktest.Must(sqlcheck.New(db, sqlcheck.Config{Query: "SELECT * FROM no_such_table"})))
		assertResult(t, res, checks.StatusUnhealthy, "Table 'orders.no_such_table' doesn't exist", false)
	})

	t.Run("classifier", func(t *testing.T) {
		db := openDB(t, "mysql", dba, 0)
		classify := func(err error) (string, bool) {
			if strings.Contains(err.Error(), "Error 1049") {
				return "schema missing, run the migrations", true
			}
			return "", false
		}
		res := runOnce(t, checktest.Must(sqlcheck.New(db, sqlcheck.Config{Classifier: classify})))
		assertResult(t, res, checks.StatusUnhealthy, "schema missing, run the migrations", true)
		// An error the classifier does not know falls to the built-in rules.
		db = openDB(t, "mysql", wrongPassword, 0)
		res = runOnce(t, checktest.Must(sqlcheck.New(db, sqlcheck.Config{Classifier: classify})))
		assertResult(t, res, checks.StatusUnhealthy, "authentication failed", true)
	})

	t.Run("too many connections", func(t *testing.T) {
		if err := my.Exec(context.Background(), "CREATE USER 'health_one'@'%' IDENTIFIED BY 'one-secret-pw' WITH MAX_USER_CONNECTIONS 1; GRANT ALL ON orders.* TO 'health_one'@'%';"); err != nil {
			t.Fatal(err)
		}
		dsn := strings.Replace(my.DSN(), my.User()+":"+my.Password()+"@", "health_one:one-secret-pw@", 1)
		holdConns(t, openDB(t, "mysql", dsn, 1), 1) // the account's one connection
		res := runOnce(t, checktest.Must(sqlcheck.New(openDB(t, "mysql", dsn, 1), sqlcheck.Config{})))
		assertResult(t, res, checks.StatusUnhealthy, "too many connections", false)
		checktest.AssertNotShown(t, res, "health_one", "one-secret-pw", my.Addr())
	})

	t.Run("nil db", func(t *testing.T) {
		_, err := sqlcheck.New(nil, sqlcheck.Config{})
		var ce *checks.ConfigError
		if !errors.As(err, &ce) || ce.Setting != "sqlcheck.New db" {
			t.Fatalf("New(nil) = %v, want a *checks.ConfigError naming sqlcheck.New db", err)
		}
	})

	t.Run("pool nearly exhausted", func(t *testing.T) {
		db := openDB(t, "mysql", my.DSN(), 4)
		holdConns(t, db, 3)
		// 3/4 in use: below the default threshold, at 0.75.
		assertResult(t, runOnce(t, checktest.Must(sqlcheck.New(db, sqlcheck.Config{}))), checks.StatusHealthy, "", false)
		res := runOnce(t, checktest.Must(sqlcheck.New(db, sqlcheck.Config{PoolThreshold: 0.75})))
		assertResult(t, res, checks.StatusDegraded, "connection pool nearly exhausted (3/4)", false)
		if res.Details["in_use"] != 3 || res.Details["max_open_connections"] != 4 {
			t.Errorf("details = %v, want 3 of 4 in use", res.Details)
		}
	})

	t.Run("pool exhausted", func(t *testing.T) {
		db := openDB(t, "mysql", my.DSN(), 2)
		held := holdConns(t, db, 2)
		c := checktest.Must(sqlcheck.New(db, sqlcheck.Config{}))
		r := newRunner(t, c, 300*time.Millisecond)
		// Full: degraded at once, without queueing behind the application
		// (had it waited, it would have timed out: unhealthy).
		res := refresh(t, r, c.Name)
		assertResult(t, res, checks.StatusDegraded, "connection pool exhausted (2/2)", false)
		if res.Details["response_ms"] != nil {
			t.Errorf("details = %v, want no probe", res.Details)
		}
		// Still full: the check waits for a connection like the
		// application, and none comes: stuck.
		assertTimeout(t, refresh(t, r, c.Name))

		// Busy rather than stuck: a connection comes back while the probe
		// waits for one.
		r = newRunner(t, c, time.Minute)
		waits := db.Stats().WaitCount
		var (
			wg   sync.WaitGroup
			busy checks.Result
		)
		wg.Go(func() { busy = refresh(t, r, c.Name) })
		for db.Stats().WaitCount == waits { // the probe is queued
			// kept: database/sql shows a queued request only in Stats; no event to wait on
			time.Sleep(time.Millisecond)
		}
		_ = held[0].Close()
		wg.Wait()
		assertResult(t, busy, checks.StatusDegraded, "connection pool exhausted (2/2)", false)
		if _, ok := busy.Details["response_ms"].(float64); !ok {
			t.Errorf("details = %v, want a probe", busy.Details)
		}
		// A free connection: probed and judged by the threshold.
		assertResult(t, refresh(t, r, c.Name), checks.StatusHealthy, "", false)
	})
}

func TestMariaDBOutages(t *testing.T) {
	my := testutil.StartMariaDB(t)
	secrets := []string{my.Password(), my.User() + "@", my.Addr(), my.Host(), my.DSN()}

	t.Run("paused", func(t *testing.T) {
		for _, warm := range []bool{false, true} {
			db := openDB(t, "mysql", my.DSN(), 4)
			c := checktest.Must(sqlcheck.New(db, sqlcheck.Config{}))
			r := newRunner(t, c, 300*time.Millisecond)
			if warm { // an idle connection in the pool
				assertResult(t, refresh(t, r, c.Name), checks.StatusHealthy, "", false)
			}
			if err := my.Pause(); err != nil {
				t.Fatal(err)
			}
			res := refresh(t, r, c.Name)
			// The check's own report (the runner may give up first).
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			rep := c.Func(ctx)
			cancel()
			if err := my.Resume(); err != nil {
				t.Fatal(err)
			}
			assertTimeout(t, res)
			if rep.Status != checks.StatusUnhealthy || rep.Message != "timeout" || rep.Permanent {
				t.Errorf("report = %v %q, want unhealthy %q", rep.Status, rep.Message, "timeout")
			}
			checktest.AssertNotShown(t, res, secrets...)
			assertResult(t, refresh(t, r, c.Name), checks.StatusHealthy, "", false)
		}
	})

	t.Run("stopped", func(t *testing.T) {
		db := openDB(t, "mysql", my.DSN(), 4)
		c := checktest.Must(sqlcheck.New(db, sqlcheck.Config{}))
		r := newRunner(t, c, 2*time.Second)
		assertResult(t, refresh(t, r, c.Name), checks.StatusHealthy, "", false)
		if err := my.Stop(); err != nil {
			t.Fatal(err)
		}
		res := refresh(t, r, c.Name)
		assertResult(t, res, checks.StatusUnhealthy, "connection refused", false)
		checktest.AssertNotShown(t, res, secrets...)
		if err := my.Start(); err != nil {
			t.Fatal(err)
		}
		assertResult(t, refresh(t, r, c.Name), checks.StatusHealthy, "", false)
	})
}
