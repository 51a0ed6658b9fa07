package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Fleet answers for the whole service, from the database: its instances
// and, per check, the availability over 24 h, 7 d and 30 d across the
// service's instances (1 - failures/runs; null without runs), 30 daily
// availabilities (UTC days, oldest first; null for a day without runs)
// and the last 20 transitions, newest first:
//
//	{"service":"orders","generated_at":"2026-11-08T10:00:00Z",
//	 "instances":[{"instance":"web-1-4711","version":"1.4.2","status":"healthy",
//	   "last_seen":"…","started_at":"…"}],
//	 "checks":{"database":{"availability":{"24h":0.9993,"7d":0.9999,"30d":0.99995},
//	   "days":[{"day":"2026-10-10","availability":null}, … {"day":"2026-11-08","availability":0.99}],
//	   "transitions":[{"time":"…","instance":"web-1-4711","from":"healthy","to":"unhealthy","message":"connection refused"}]}}}
//
// An instance's status is "healthy", "degraded" or "unhealthy" as it last
// wrote it, or "gone" when it has not written for three of its intervals
// (or stopped); gone instances are dropped after a day. Fleet runs one
// batch of three queries on one pooled connection; its error is the
// database's, for logs only (httphealth answers 503 without it).
func (s *Store) Fleet(ctx context.Context) ([]byte, error) {
	now := s.cfg.Clock.Now().UTC()
	sc := quoteIdent(s.cfg.Schema)
	// Hours are read from hour_buckets up to the boundary, the hour of the
	// oldest minute not yet rolled up (none: now), and from minute_buckets
	// after it; the 24 h window's first, partial hour from minute_buckets
	// too ("e" rows), so that it is exact to the minute.
	from30 := now.Add(-30 * 24 * time.Hour).Truncate(time.Hour)
	from24 := now.Add(-24 * time.Hour)
	edgeEnd := from24.Truncate(time.Hour).Add(time.Hour)
	firstDay := now.Truncate(24*time.Hour).AddDate(0, 0, -29)

	b := &pgx.Batch{}
	b.Queue(`SELECT instance, version, status, last_seen, started_at, interval_ms FROM `+sc+`.instances
WHERE service = $1 AND last_seen >= $2 ORDER BY instance`, s.cfg.Service, now.Add(-goneAfter))
	b.Queue(`WITH b AS (
  SELECT coalesce(date_trunc('hour', min(start_at), 'UTC'), $2::timestamptz + interval '1 hour') AS boundary
  FROM `+sc+`.minute_buckets WHERE service = $1 AND NOT rolled
), src AS (
  SELECT 'h' AS kind, check_name, start_at, runs, failures FROM `+sc+`.hour_buckets
  WHERE service = $1 AND start_at >= $3 AND start_at < (SELECT boundary FROM b)
  UNION ALL
  SELECT 'm', check_name, start_at, runs, failures FROM `+sc+`.minute_buckets
  WHERE service = $1 AND start_at >= (SELECT boundary FROM b) AND start_at >= $3
  UNION ALL
  SELECT 'e', check_name, start_at, runs, failures FROM `+sc+`.minute_buckets
  WHERE service = $1 AND start_at >= $4 AND start_at < least($5, (SELECT boundary FROM b))
), w AS (
  SELECT kind, check_name, start_at, runs, failures,
    kind = 'e' OR kind = 'm' AND start_at >= $4 OR kind = 'h' AND start_at >= $5 AS in24
  FROM src
)
SELECT check_name, date_trunc('day', start_at, 'UTC') AS day,
  coalesce(sum(runs) FILTER (WHERE in24), 0)::bigint, coalesce(sum(failures) FILTER (WHERE in24), 0)::bigint,
  coalesce(sum(runs) FILTER (WHERE kind <> 'e' AND start_at >= $6), 0)::bigint,
  coalesce(sum(failures) FILTER (WHERE kind <> 'e' AND start_at >= $6), 0)::bigint,
  coalesce(sum(runs) FILTER (WHERE kind <> 'e'), 0)::bigint, coalesce(sum(failures) FILTER (WHERE kind <> 'e'), 0)::bigint
FROM w GROUP BY 1, 2`,
		s.cfg.Service, now, from30, from24, edgeEnd, now.Add(-7*24*time.Hour).Truncate(time.Hour))
	b.Queue(`SELECT check_name, at, instance, from_status, to_status, message FROM (
  SELECT check_name, at, instance, from_status, to_status, message,
         row_number() OVER (PARTITION BY check_name ORDER BY at DESC, id DESC) AS n
  FROM `+sc+`.transitions WHERE service = $1 AND at >= $2
) t WHERE n <= 20 ORDER BY check_name, at DESC, n`, s.cfg.Service, now.Add(-30*24*time.Hour))

	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("pgstore: fleet: %w", err)
	}
	defer conn.Release()
	br := conn.SendBatch(ctx, b)
	defer br.Close()

	out := fleetJSON{Service: s.cfg.Service, GeneratedAt: now, Instances: []instanceJSON{}, Checks: map[string]*checkJSON{}, firstDay: firstDay}
	rows, _ := br.Query()
	for rows.Next() {
		var in instanceJSON
		var intervalMS int64
		if err := rows.Scan(&in.Instance, &in.Version, &in.Status, &in.LastSeen, &in.StartedAt, &intervalMS); err != nil {
			return nil, fmt.Errorf("pgstore: fleet: %w", err)
		}
		if in.LastSeen.Before(now.Add(-3 * time.Duration(intervalMS) * time.Millisecond)) {
			in.Status = "gone"
		}
		in.LastSeen, in.StartedAt = in.LastSeen.UTC(), in.StartedAt.UTC()
		out.Instances = append(out.Instances, in)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pgstore: fleet: %w", err)
	}

	type counts struct{ r24, f24, r7, f7, r30, f30 int64 }
	totals := map[string]*counts{}
	daily := map[string]map[time.Time][2]int64{}
	rows, _ = br.Query()
	for rows.Next() {
		var name string
		var day time.Time
		var c counts
		var r, f int64
		if err := rows.Scan(&name, &day, &c.r24, &c.f24, &c.r7, &c.f7, &r, &f); err != nil {
			return nil, fmt.Errorf("pgstore: fleet: %w", err)
		}
		t := totals[name]
		if t == nil {
			t = &counts{}
			totals[name], daily[name] = t, map[time.Time][2]int64{}
		}
		t.r24, t.f24, t.r7, t.f7 = t.r24+c.r24, t.f24+c.f24, t.r7+c.r7, t.f7+c.f7
		t.r30, t.f30 = t.r30+r, t.f30+f
		daily[name][day.UTC()] = [2]int64{r, f}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pgstore: fleet: %w", err)
	}
	for name, t := range totals {
		c := out.check(name)
		c.Availability = windowsJSON{H24: ratio(t.r24, t.f24), D7: ratio(t.r7, t.f7), D30: ratio(t.r30, t.f30)}
		for i := range c.Days {
			rf := daily[name][c.Days[i].day]
			c.Days[i].Availability = ratio(rf[0], rf[1])
		}
	}

	rows, _ = br.Query()
	for rows.Next() {
		var name string
		var tr transitionJSON
		if err := rows.Scan(&name, &tr.Time, &tr.Instance, &tr.From, &tr.To, &tr.Message); err != nil {
			return nil, fmt.Errorf("pgstore: fleet: %w", err)
		}
		tr.Time = tr.Time.UTC()
		c := out.check(name)
		c.Transitions = append(c.Transitions, tr)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pgstore: fleet: %w", err)
	}
	return json.Marshal(out)
}

func ratio(runs, failures int64) *float64 {
	if runs <= 0 {
		return nil
	}
	v := 1 - float64(failures)/float64(runs)
	return &v
}

func days(first time.Time) []dayJSON {
	ds := make([]dayJSON, 30)
	for i := range ds {
		d := first.AddDate(0, 0, i)
		ds[i] = dayJSON{Day: d.Format(time.DateOnly), day: d}
	}
	return ds
}

type fleetJSON struct {
	Service     string                `json:"service"`
	GeneratedAt time.Time             `json:"generated_at"`
	Instances   []instanceJSON        `json:"instances"`
	Checks      map[string]*checkJSON `json:"checks"`
	firstDay    time.Time
}

func (f *fleetJSON) check(name string) *checkJSON {
	c := f.Checks[name]
	if c == nil {
		c = &checkJSON{Days: days(f.firstDay), Transitions: []transitionJSON{}}
		f.Checks[name] = c
	}
	return c
}

type instanceJSON struct {
	Instance  string    `json:"instance"`
	Version   string    `json:"version"`
	Status    string    `json:"status"`
	LastSeen  time.Time `json:"last_seen"`
	StartedAt time.Time `json:"started_at"`
}

type checkJSON struct {
	Availability windowsJSON      `json:"availability"`
	Days         []dayJSON        `json:"days"`
	Transitions  []transitionJSON `json:"transitions"`
}

type windowsJSON struct {
	H24 *float64 `json:"24h"`
	D7  *float64 `json:"7d"`
	D30 *float64 `json:"30d"`
}

type dayJSON struct {
	Day          string   `json:"day"`
	Availability *float64 `json:"availability"`
	day          time.Time
}

type transitionJSON struct {
	Time     time.Time `json:"time"`
	Instance string    `json:"instance"`
	From     string    `json:"from"`
	To       string    `json:"to"`
	Message  string    `json:"message"`
}
