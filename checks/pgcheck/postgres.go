package pgcheck

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/checks/internal/report"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Defaults of the PostgreSQL check.
const (
	// defaultPoolThreshold is Config.PoolThreshold's default.
	defaultPoolThreshold = 0.9
	// defaultSlowThreshold is Config.SlowThreshold's default.
	defaultSlowThreshold = time.Second
)

// Config configures New. Zero fields take the documented
// defaults.
type Config struct {
	// Name of the check. Default "database".
	Name string
	// PoolThreshold: when the pool's acquired connections reach this
	// share of its MaxConns, the check is degraded with the message
	// "connection pool nearly exhausted (9/10)". Default
	// 0.9; a value above 1 or negative
	// (checks.Off) disables it (a full pool is still reported, see New).
	PoolThreshold float64
	// SlowThreshold: a probe (acquire and SELECT 1) slower than this makes
	// the check degraded with the message "slow response (1.2s)". Default
	// 1 s; negative (checks.Off) disables.
	SlowThreshold time.Duration
}

// New returns a Required, LevelBasic check (named cfg.Name, default
// "database") that runs SELECT 1 on a connection of the application's own
// pool. It never opens a connection of its own, nor uses a DSN: the pool
// dials when it has no idle connection, and the acquire and the query are
// bounded by the context the runner passes (the check's Timeout).
//
// Give the pool a connect timeout (connect_timeout in the DSN, or
// ConnConfig.ConnectTimeout): pgxpool finishes a dial in the background
// after the acquiring context gave up, so against a hanging server each
// probe that finds no idle connection would otherwise leave one more dial
// hanging until the server answers.
//
// Details, sampled from pool.Stat() before the probe (the application's
// use of the pool, not the probe's): "total_conns", "idle_conns",
// "acquired_conns", "max_conns", "empty_acquire_count", plus "response_ms"
// when the probe ran.
//
// Outcomes:
//
//   - healthy when SELECT 1 succeeds;
//   - degraded when it succeeds but acquired/max reached cfg.PoolThreshold
//     ("connection pool nearly exhausted (9/10)") or the probe took longer
//     than cfg.SlowThreshold ("slow response (1.2s)");
//   - degraded without probing when every connection is acquired
//     ("connection pool exhausted (10/10)"): the probe would only queue
//     behind the application, time out and call a busy database dead. If the
//     next run still finds the pool full with no acquire completed in
//     between, the pool is stuck rather than busy, and the check probes
//     (and waits for a connection) as usual, so a hung database still turns
//     unhealthy;
//   - unhealthy on error, marked permanent (Result.Permanent) when the server
//     says waiting will not help: the database does not exist (SQLSTATE
//     3D000), password authentication failed (28P01), invalid authorization
//     such as a missing role (28000). A server error shows its message, so a
//     missing database reads `database "app" does not exist`, except
//     authentication errors (SQLSTATE class 28, whose server messages name the
//     user), which read "authentication failed", and too_many_connections
//     (53300), which reads "too many connections". Other failures read as a
//     class: "timeout", "connection refused", "connection reset", "host not
//     found", "canceled" or "connection failed". Messages never carry the DSN,
//     the host, the user name or the password; the pgx error stays
//     reachable as Report.Err's cause.
//
// A nil pool is a *checks.ConfigError naming "pgcheck.New pool".
func New(pool *pgxpool.Pool, cfg Config) (checks.Check, error) {
	if pool == nil {
		return checks.Check{}, &checks.ConfigError{Package: "pgcheck", Setting: "pgcheck.New pool", Reason: "nil *pgxpool.Pool: pass the application's pool"}
	}
	name := cfg.Name
	if name == "" {
		name = "database"
	}
	threshold := cfg.PoolThreshold
	if threshold == 0 {
		threshold = defaultPoolThreshold
	}
	slow := cfg.SlowThreshold
	if slow == 0 {
		slow = defaultSlowThreshold
	}
	// The pool's AcquireCount when the previous run found it full; -1
	// when it did not.
	var (
		mu           sync.Mutex
		fullAcquires int64 = -1
	)
	fn := func(ctx context.Context) checks.Report {
		st := pool.Stat()
		acquired, maxConns := st.AcquiredConns(), st.MaxConns()
		details := map[string]any{
			"total_conns":         int(st.TotalConns()),
			"idle_conns":          int(st.IdleConns()),
			"acquired_conns":      int(acquired),
			"max_conns":           int(maxConns),
			"empty_acquire_count": st.EmptyAcquireCount(),
		}
		full := maxConns > 0 && acquired >= maxConns
		mu.Lock()
		stuck := full && fullAcquires >= 0 && st.AcquireCount() == fullAcquires
		if full {
			fullAcquires = st.AcquireCount()
		} else {
			fullAcquires = -1
		}
		mu.Unlock()
		if full && !stuck {
			return checks.Report{
				Status:  checks.StatusDegraded,
				Message: fmt.Sprintf("connection pool exhausted (%d/%d)", acquired, maxConns),
				Details: details,
			}
		}

		start := time.Now()
		var one int
		err := pool.QueryRow(ctx, "SELECT 1").Scan(&one)
		elapsed := time.Since(start)
		details["response_ms"] = report.DurationMS(elapsed)
		if err != nil {
			rep := report.Fail(postgresErrorMessage(ctx, err), err, details)
			rep.Permanent = ctx.Err() == nil && postgresPermanent(err)
			return rep
		}
		switch {
		case maxConns > 0 && threshold > 0 && threshold <= 1 && float64(acquired) >= threshold*float64(maxConns):
			return checks.Report{
				Status:  checks.StatusDegraded,
				Message: fmt.Sprintf("connection pool nearly exhausted (%d/%d)", acquired, maxConns),
				Details: details,
			}
		case slow > 0 && elapsed > slow:
			return checks.Report{Status: checks.StatusDegraded, Message: report.SlowMessage(elapsed), Details: details}
		}
		return checks.Report{Status: checks.StatusHealthy, Details: details}
	}
	return checks.Check{Name: name, Func: fn, Criticality: checks.Required, Level: checks.LevelBasic}, nil
}

// postgresPermanent reports whether err is a server error that waiting
// will not cure: the database does not exist (SQLSTATE 3D000), password
// authentication failed (28P01), or the authorization is invalid (28000:
// the role does not exist, no pg_hba.conf entry). Refused, reset and timed
// out connections, and a server starting up (57P03), are not permanent.
func postgresPermanent(err error) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return false
	}
	switch pgErr.Code {
	case "3D000", "28P01", "28000":
		return true
	}
	return false
}

// postgresErrorMessage returns the public message for a pgx error. pgx's own
// texts are never used: a *pgconn.ConnectError prints the user, database
// and host, and dial errors print the address.
func postgresErrorMessage(ctx context.Context, err error) string {
	if ctx.Err() != nil {
		// Whatever pgx returned (a cancelled query, a closed connection),
		// the cause is the deadline.
		return checks.ErrorClass(ctx.Err())
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return checks.SafeMessage(pgErr)
	}
	if c := checks.ErrorClass(err); c != "" {
		return c
	}
	return "connection failed"
}
