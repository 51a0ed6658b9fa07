// Package sqlcheck checks any SQL database the application reaches through
// database/sql (MySQL, MariaDB, PostgreSQL through pgx's stdlib, SQL Server,
// ...), on the application's own *sql.DB. It imports no driver: the
// application's driver is the one that runs.
//
// # Limits
//
// The check runs on the application's own *sql.DB: one ping (or one query
// answering one row) bounded by the check's Timeout. What a lying server's
// packet may cost is the driver's bound (go-sql-driver/mysql: its
// maxAllowedPacket, 64 MiB by default), which the check does not change
// because the pool is the application's.
package sqlcheck

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/echofx/healthcheck/checks/internal/report"

	"github.com/echofx/healthcheck/checks"
)

// Defaults of the check.
const (
	defaultName          = "database"
	defaultPoolThreshold = 0.9
	defaultSlowThreshold = time.Second
)

// Config configures New. Zero fields take the documented defaults; a
// negative threshold (checks.Off) turns it off.
type Config struct {
	// Name of the check. Default "database".
	Name string
	// Query, when set, makes the probe run it (it must return at least one
	// row, such as "SELECT 1 FROM DUAL") instead of the default probe (see
	// New).
	Query string
	// Classifier, when set, is consulted before the built-in rules, for a
	// driver whose errors they do not read (see New): for example, with
	// github.com/go-sql-driver/mysql, errors.As on *mysql.MySQLError gives
	// the error Number and Message to any rule the application wants.
	Classifier Classifier
	// PoolThreshold: when the connections in use reach this share of the
	// pool's MaxOpenConnections, the check is degraded with the message
	// "connection pool nearly exhausted (9/10)". Default 0.9; a negative
	// value (checks.Off) or a value above 1 disables it (a full pool is
	// still reported, see New). A pool without a limit (SetMaxOpenConns(0),
	// the database/sql default) has no saturation to read.
	PoolThreshold float64
	// SlowThreshold: a probe slower than this makes the check degraded with
	// the message "slow response (1.2s)". Default 1 s; negative
	// (checks.Off) disables.
	SlowThreshold time.Duration
}

type config struct {
	name       string
	threshold  float64
	slow       time.Duration
	query      string
	classifier Classifier
}

// Classifier turns a driver's error into a public message, and says whether
// waiting will not cure it (permanent). It returns msg "" for an error it
// does not know, which the built-in rules then handle (see New). msg is
// shown to anyone: it must carry no DSN, host, user name or password.
type Classifier func(err error) (msg string, permanent bool)

// New returns a Required, LevelBasic check (named cfg.Name, default
// "database") of the application's *sql.DB: one round trip to the server on a
// connection of the application's own pool, and a reading of the pool's
// saturation from db.Stats(). It never opens a connection of its own, nor
// sees a DSN: the pool dials when it has no idle connection, bounded by
// the context the runner passes (the check's Timeout).
//
// The probe is db.PingContext when the driver's connections implement
// driver.Pinger (go-sql-driver/mysql sends COM_PING, pgx's stdlib and
// lib/pq an empty statement: each a real round trip), and SELECT 1 otherwise,
// since database/sql's PingContext only takes a connection from the pool
// when the driver cannot ping. The check finds out on its first run, on
// a connection it then probes. Config.Query forces a query instead.
//
// Details, sampled from db.Stats() before the probe (the application's use
// of the pool, not the probe's): "open_connections", "in_use", "idle",
// "max_open_connections" (0: no limit), "wait_count", "wait_duration_ms",
// plus "response_ms" when the probe ran.
//
// Outcomes:
//
//   - healthy when the probe succeeds;
//   - degraded when it succeeds but in_use/max_open_connections reached the
//     pool threshold ("connection pool nearly exhausted (9/10)") or the probe
//     took longer than the slow threshold ("slow response (1.2s)");
//   - degraded without probing when every connection is in use
//     ("connection pool exhausted (10/10)"): the probe would only queue
//     behind the application and call a busy database dead. database/sql
//     counts no completed acquires, so when the next run still finds the
//     pool full the check probes, waiting for a connection like the
//     application does: a busy pool hands one over and reads degraded
//     ("connection pool exhausted (10/10)"), a stuck one (a hung database
//     holding every connection) times out and reads unhealthy;
//   - unhealthy on error, with a message that is safe to show.
//
// Error messages, without importing a driver, in this order:
//
//   - the context's end reads "timeout" (or "canceled"), whatever the
//     driver returned;
//   - Config.Classifier, when it knows the error;
//   - a server error carrying an SQLSTATE (an error with a SQLState() string
//     method, as pgx's *pgconn.PgError and lib/pq's *pq.Error have): class
//     28 reads "authentication failed", 53300 and 08004 "too many
//     connections", others the server's message without its driver framing
//     (`database "app" does not exist`); 3D000, 28000 and 28P01 are
//     permanent;
//   - a MySQL or MariaDB server error as go-sql-driver/mysql prints it
//     ("Error 1049 (42000): Unknown database 'app'"): access denied to a
//     database (1044, which a user without global privileges also gets for
//     a database that does not exist) reads "access denied to database
//     'app'", a refused login (1045, 1698) "authentication failed", 1130
//     "host not allowed", 1040, 1203 and 1226 "too many connections", others the
//     server's message ("Unknown database 'app'"); 1044, 1045, 1049, 1130
//     and 1698 are permanent;
//   - a checks.SafeError's SafeMessage;
//   - a transport failure's class (checks.ErrorClass): "connection
//     refused", "connection reset", "host not found", "timeout", ...;
//   - anything else reads "connection failed".
//
// Server messages pass through checks.Redact and lose any quoted user
// ("user 'app'@'10.0.0.1'" becomes "user ***"). Messages never carry the
// DSN, the host, the user name or the password; the driver's error stays
// reachable as Report.Err's cause. A permanent failure sets
// Report.Permanent, so the lifecycle's startup gate stops at once.
//
// A nil db is a *checks.ConfigError naming "sqlcheck.New db".
func New(db *sql.DB, cfg Config) (checks.Check, error) {
	if db == nil {
		return checks.Check{}, &checks.ConfigError{Package: "sqlcheck", Setting: "sqlcheck.New db", Reason: "nil *sql.DB: pass the application's pool"}
	}
	c := &checker{db: db, cfg: config{name: cfg.Name, threshold: cfg.PoolThreshold, slow: cfg.SlowThreshold, query: cfg.Query, classifier: cfg.Classifier}}
	if c.cfg.name == "" {
		c.cfg.name = defaultName
	}
	if c.cfg.threshold == 0 {
		c.cfg.threshold = defaultPoolThreshold
	}
	if c.cfg.slow == 0 {
		c.cfg.slow = defaultSlowThreshold
	}
	return checks.Check{Name: c.cfg.name, Func: c.run, Criticality: checks.Required, Level: checks.LevelBasic}, nil
}

// Probe kinds, found on the first run.
const (
	probeUnknown int32 = iota
	probePing
	probeQuery
)

type checker struct {
	db    *sql.DB
	cfg   config
	probe atomic.Int32

	mu      sync.Mutex
	wasFull bool // the previous run found every connection in use
}

func (c *checker) run(ctx context.Context) checks.Report {
	st := c.db.Stats()
	details := map[string]any{
		"open_connections":     st.OpenConnections,
		"in_use":               st.InUse,
		"idle":                 st.Idle,
		"max_open_connections": st.MaxOpenConnections,
		"wait_count":           st.WaitCount,
		"wait_duration_ms":     report.DurationMS(st.WaitDuration),
	}
	inUse, max := st.InUse, st.MaxOpenConnections
	full := max > 0 && inUse >= max
	c.mu.Lock()
	stuck := full && c.wasFull
	c.wasFull = full
	c.mu.Unlock()
	if full && !stuck {
		return checks.Report{
			Status:  checks.StatusDegraded,
			Message: fmt.Sprintf("connection pool exhausted (%d/%d)", inUse, max),
			Details: details,
		}
	}

	start := time.Now()
	err := c.roundTrip(ctx)
	elapsed := time.Since(start)
	details["response_ms"] = report.DurationMS(elapsed)
	if err != nil {
		msg, permanent := c.classify(ctx, err)
		return checks.Report{
			Status:    checks.StatusUnhealthy,
			Message:   msg,
			Details:   details,
			Err:       checks.NewSafeError(msg, err),
			Permanent: permanent,
		}
	}
	threshold := c.cfg.threshold
	switch {
	case full:
		return checks.Report{
			Status:  checks.StatusDegraded,
			Message: fmt.Sprintf("connection pool exhausted (%d/%d)", inUse, max),
			Details: details,
		}
	case max > 0 && threshold > 0 && threshold <= 1 && float64(inUse) >= threshold*float64(max):
		return checks.Report{
			Status:  checks.StatusDegraded,
			Message: fmt.Sprintf("connection pool nearly exhausted (%d/%d)", inUse, max),
			Details: details,
		}
	case c.cfg.slow > 0 && elapsed > c.cfg.slow:
		return checks.Report{Status: checks.StatusDegraded, Message: report.SlowMessage(elapsed), Details: details}
	}
	return checks.Report{Status: checks.StatusHealthy, Details: details}
}

// roundTrip makes one round trip to the server.
func (c *checker) roundTrip(ctx context.Context) error {
	if c.cfg.query != "" {
		return queryOne(ctx, c.db, c.cfg.query)
	}
	switch c.probe.Load() {
	case probePing:
		return c.db.PingContext(ctx)
	case probeQuery:
		return queryOne(ctx, c.db, "SELECT 1")
	}
	// First run: see whether the driver can ping, on a connection that is
	// then probed.
	conn, err := c.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	kind := probeQuery
	if err := conn.Raw(func(dc any) error {
		if _, ok := dc.(driver.Pinger); ok {
			kind = probePing
		}
		return nil
	}); err != nil {
		return err
	}
	c.probe.Store(kind)
	if kind == probePing {
		return conn.PingContext(ctx)
	}
	return queryOne(ctx, conn, "SELECT 1")
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// queryOne runs query and reads its first row, whatever its columns.
func queryOne(ctx context.Context, q queryer, query string) error {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return checks.NewSafeError("probe query returned no row", nil)
	}
	return rows.Close()
}
