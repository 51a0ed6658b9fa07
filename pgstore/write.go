package pgstore

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// flush writes the heartbeat and what waits in one batch (one round trip,
// one implicit transaction) on one connection; on failure the events go
// back to the front of the buffer.
func (s *Store) flush(ctx context.Context) error {
	s.io.Lock()
	defer s.io.Unlock()
	s.mu.Lock()
	p := s.pend
	s.pend = newPending()
	status := s.statusLocked().String()
	if s.stopped {
		status = "gone"
	}
	started := s.started
	s.mu.Unlock()
	if started.IsZero() {
		started = s.cfg.Clock.Now()
	}

	err := s.send(ctx, s.batch(p, status, started))
	if err != nil {
		s.mu.Lock()
		s.pend.prepend(p)
		s.trimLocked()
		s.mu.Unlock()
	}
	return err
}

func (s *Store) send(ctx context.Context, b *pgx.Batch) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	return conn.SendBatch(ctx, b).Close()
}

// batch builds the statements of one write: the heartbeat, the
// transitions (one INSERT over arrays) and the minute buckets (one upsert
// over arrays), whatever the number of checks.
func (s *Store) batch(p pending, status string, started time.Time) *pgx.Batch {
	sc := quoteIdent(s.cfg.Schema)
	now := s.cfg.Clock.Now()
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO `+sc+`.instances AS i (service, instance, version, started_at, last_seen, status, interval_ms)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (service, instance) DO UPDATE SET version = excluded.version, started_at = excluded.started_at,
  last_seen = greatest(i.last_seen, excluded.last_seen), status = excluded.status, interval_ms = excluded.interval_ms`,
		s.cfg.Service, s.cfg.Instance, s.cfg.Version, started, now, status, s.cfg.Interval.Milliseconds())
	if n := len(p.trans); n > 0 {
		cs, fs, ts, ms := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		ats := make([]time.Time, n)
		for i, t := range p.trans {
			cs[i], fs[i], ts[i], ms[i], ats[i] = t.check, t.from, t.to, t.message, t.at
		}
		b.Queue(`INSERT INTO `+sc+`.transitions (service, check_name, instance, from_status, to_status, message, at)
SELECT $1, u.c, $2, u.f, u.t, u.m, u.a
FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[]) AS u(c, f, t, m, a)`,
			s.cfg.Service, s.cfg.Instance, cs, fs, ts, ms, ats)
	}
	if n := len(p.keys); n > 0 {
		cs, hs := make([]string, n), make([]string, n)
		starts := make([]time.Time, n)
		runs, fails := make([]int32, n), make([]int32, n)
		sums, maxs := make([]int64, n), make([]int64, n)
		for i, k := range p.keys {
			a := p.buckets[k]
			cs[i], starts[i] = k.check, time.Unix(k.start, 0).UTC()
			runs[i], fails[i], sums[i], maxs[i] = a.runs, a.failures, a.sumUS, a.maxUS
			hs[i] = histText(&a.hist)
		}
		b.Queue(`INSERT INTO `+sc+`.minute_buckets AS m (service, check_name, instance, start_at, runs, failures, latency_sum_us, latency_max_us, hist)
SELECT $1, u.c, $2, u.s, u.r, u.f, u.ls, u.lm, u.h::integer[]
FROM unnest($3::text[], $4::timestamptz[], $5::integer[], $6::integer[], $7::bigint[], $8::bigint[], $9::text[]) AS u(c, s, r, f, ls, lm, h)
ON CONFLICT (service, check_name, instance, start_at) DO UPDATE SET
  runs = m.runs + excluded.runs, failures = m.failures + excluded.failures,
  latency_sum_us = m.latency_sum_us + excluded.latency_sum_us,
  latency_max_us = greatest(m.latency_max_us, excluded.latency_max_us),
  hist = ARRAY(SELECT x.a + x.b FROM unnest(m.hist, excluded.hist) AS x(a, b)),
  rolled = false`,
			s.cfg.Service, s.cfg.Instance, cs, starts, runs, fails, sums, maxs, hs)
	}
	return b
}

// histText is h as a PostgreSQL array literal.
func histText(h *[nHist]int32) string {
	var sb strings.Builder
	sb.WriteByte('{')
	for i, v := range h {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(strconv.Itoa(int(v)))
	}
	sb.WriteByte('}')
	return sb.String()
}
