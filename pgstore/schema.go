package pgstore

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// schemaSQL is docs/store.sql (a test keeps them equal), for schema
// "healthcheck".
//
//go:embed schema.sql
var schemaSQL string

// tables are the store's tables, in schemaSQL's order.
var tables = []string{"instances", "transitions", "minute_buckets", "hour_buckets"}

// objects are the tables and indexes schemaSQL creates.
var objects = []string{"instances", "transitions", "transitions_by_check", "transitions_by_time",
	"minute_buckets", "minute_buckets_by_time", "minute_buckets_unrolled", "hour_buckets", "hour_buckets_by_time", "hour_buckets_fleet"}

// sqlFor is schemaSQL for schema.
func sqlFor(schema string) string {
	return strings.ReplaceAll(schemaSQL, `"healthcheck"`, quoteIdent(schema))
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// lockKey is the advisory lock of one purpose in schema: the migration and
// the maintenance of replicas sharing a schema serialize on it.
func lockKey(schema, purpose string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte("echofx/healthcheck/pgstore:" + purpose + ":" + schema))
	return int64(h.Sum64())
}

// migrate creates what is missing, in one transaction under a
// transaction-level advisory lock, so replicas starting at once wait for
// each other instead of racing on CREATE. When every table and index is
// there it runs no DDL at all: a CREATE INDEX IF NOT EXISTS still locks
// its table, which would deadlock with another replica's first write.
func (s *Store) migrate(ctx context.Context) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("pgstore: create the tables: %w", err)
	}
	defer conn.Release()
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", lockKey(s.cfg.Schema, "migrate")); err != nil {
			return err
		}
		names := make([]string, len(objects))
		for i, o := range objects {
			names[i] = quoteIdent(s.cfg.Schema) + "." + o
		}
		var missing int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM unnest($1::text[]) AS n WHERE to_regclass(n) IS NULL`, names).Scan(&missing); err != nil {
			return err
		}
		if missing == 0 {
			return nil
		}
		_, err := tx.Exec(ctx, sqlFor(s.cfg.Schema))
		return err
	})
	if err != nil {
		return fmt.Errorf("pgstore: create the tables of schema %q (run docs/store.sql as a role that may, "+
			"then set HEALTH_STORE_MIGRATE=false / Config.CheckOnly): %w", s.cfg.Schema, err)
	}
	return nil
}

// errMissingTables begins Start's error when Config.CheckOnly is set and
// a table is missing or may not be written.
var errMissingTables = errors.New("pgstore: the store's tables are missing or not writable")

// checkTables verifies that every table exists and that the pool's role
// may read and write it.
func (s *Store) checkTables(ctx context.Context) error {
	for _, t := range tables {
		name := quoteIdent(s.cfg.Schema) + "." + t
		var ok *bool
		err := s.pool.QueryRow(ctx,
			`SELECT CASE WHEN to_regclass($1) IS NULL THEN NULL
			 ELSE has_table_privilege(to_regclass($1), 'SELECT, INSERT, UPDATE, DELETE') END`, name).Scan(&ok)
		if err != nil {
			return fmt.Errorf("pgstore: check table %s: %w", name, err)
		}
		switch {
		case ok == nil:
			return fmt.Errorf("%w: table %s does not exist: run docs/store.sql (schema %q) with your migrations, or set HEALTH_STORE_MIGRATE=true", errMissingTables, name, s.cfg.Schema)
		case !*ok:
			return fmt.Errorf("%w: the application's role may not SELECT, INSERT, UPDATE and DELETE on %s: grant it (see docs/store.sql)", errMissingTables, name)
		}
	}
	return nil
}
