package pgstore

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// maintain rolls the minute buckets up into hours and deletes what is
// past its retention, in one transaction, if this replica takes the
// schema's maintenance lock (pg_try_advisory_xact_lock): one replica at a
// time does it, the others skip. Whatever the replica, it works on every
// service in the schema.
func (s *Store) maintain(ctx context.Context) error {
	s.io.Lock()
	defer s.io.Unlock()
	now := s.cfg.Clock.Now()
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	sc := quoteIdent(s.cfg.Schema)
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		var got bool
		if err := tx.QueryRow(ctx, "SELECT pg_try_advisory_xact_lock($1)", lockKey(s.cfg.Schema, "maintain")).Scan(&got); err != nil || !got {
			return err
		}
		b := &pgx.Batch{}
		b.Queue(rollupSQL(sc))
		b.Queue(`DELETE FROM `+sc+`.minute_buckets WHERE start_at < $1`, now.Add(-s.cfg.FineRetention))
		b.Queue(`DELETE FROM `+sc+`.hour_buckets WHERE start_at < $1`, now.Add(-s.cfg.HourlyRetention))
		b.Queue(`DELETE FROM `+sc+`.transitions WHERE at < $1`, now.Add(-s.cfg.TransitionRetention))
		b.Queue(`DELETE FROM `+sc+`.instances WHERE last_seen < $1`, now.Add(-goneAfter))
		return tx.SendBatch(ctx, b).Close()
	})
	if err == nil {
		s.lastMaint = now
	}
	return err
}

// goneAfter is how long an instance not seen stays in the fleet (as
// "gone") before it is dropped.
const goneAfter = 24 * time.Hour

// rollupSQL recomputes, from the minute buckets, every hour of every check
// and instance that holds a minute not yet rolled up, and marks those
// minutes rolled. One statement, one snapshot: a minute written meanwhile
// is either in the snapshot or left (or set back) unrolled for the next
// run, so nothing is counted twice or lost.
func rollupSQL(sc string) string {
	return `WITH marked AS (
  UPDATE ` + sc + `.minute_buckets SET rolled = true WHERE NOT rolled
  RETURNING service, check_name, instance, date_trunc('hour', start_at, 'UTC') AS h
), hours AS (
  SELECT DISTINCT service, check_name, instance, h FROM marked
), src AS (
  SELECT m.service, m.check_name, m.instance, g.h, m.runs, m.failures, m.latency_sum_us, m.latency_max_us, m.hist
  FROM ` + sc + `.minute_buckets m
  JOIN hours g ON g.service = m.service AND g.check_name = m.check_name AND g.instance = m.instance
   AND m.start_at >= g.h AND m.start_at < g.h + interval '1 hour'
), sums AS (
  SELECT service, check_name, instance, h, sum(runs)::integer AS runs, sum(failures)::integer AS failures,
         sum(latency_sum_us)::bigint AS ls, max(latency_max_us) AS lm
  FROM src GROUP BY 1, 2, 3, 4
), cells AS (
  SELECT service, check_name, instance, h, u.i, sum(u.v)::integer AS v
  FROM src, unnest(src.hist) WITH ORDINALITY AS u(v, i) GROUP BY 1, 2, 3, 4, 5
), hists AS (
  SELECT service, check_name, instance, h, array_agg(v ORDER BY i) AS hist FROM cells GROUP BY 1, 2, 3, 4
)
INSERT INTO ` + sc + `.hour_buckets AS hb (service, check_name, instance, start_at, runs, failures, latency_sum_us, latency_max_us, hist)
SELECT s.service, s.check_name, s.instance, s.h, s.runs, s.failures, s.ls, s.lm, hs.hist
FROM sums s JOIN hists hs USING (service, check_name, instance, h)
ON CONFLICT (service, check_name, instance, start_at) DO UPDATE SET
  runs = excluded.runs, failures = excluded.failures, latency_sum_us = excluded.latency_sum_us,
  latency_max_us = excluded.latency_max_us, hist = excluded.hist`
}
