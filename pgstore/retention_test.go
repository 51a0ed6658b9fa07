package pgstore_test

import (
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/internal/testutil"
	"github.com/echofx/healthcheck/pgstore"
)

// Minute buckets are rolled up into hours as they age and deleted after
// FineRetention; hours and transitions after theirs; the 7 d and 30 d
// availability keeps counting the rolled-up hours.
func TestRollupAndRetention(t *testing.T) {
	pg := testutil.StartPostgres(t)
	clk := testutil.NewFakeClock(t0)
	dep := &dependency{}
	r := newReplica(t, pg, clk, pgstore.Config{Instance: "a"}, extCheck(dep))
	r.start()
	ctx := ctxT(t)
	rows := func(table string) (n, runs int64) {
		t.Helper()
		if err := r.pool.QueryRow(ctx, `SELECT count(*), coalesce(sum(runs), 0) FROM healthcheck.`+table).Scan(&n, &runs); err != nil {
			t.Fatal(err)
		}
		return n, runs
	}
	maintain := func() {
		t.Helper()
		if err := pgstore.Maintain(ctx, r.store); err != nil {
			t.Fatal(err)
		}
	}

	// One hour: an outage of 10 minutes among 61 runs, one a minute and a
	// second one in the hour's last minute but one, written after that
	// hour was rolled up (as a replica's buffer after an outage is).
	for i := range 60 {
		dep.down.Store(i >= 20 && i < 30)
		r.runAll()
		if i == 58 {
			r.flush()
			maintain()
			if n, runs := rows("hour_buckets"); n != 1 || runs != 59 {
				t.Fatalf("hour buckets %d with %d runs, want 1 with 59", n, runs)
			}
			r.runAll() // into the minute already rolled up
		}
		clk.Advance(time.Minute)
	}
	r.flush()
	maintain()
	if n, runs := rows("hour_buckets"); n != 1 || runs != 61 {
		t.Fatalf("hour buckets %d with %d runs, want 1 with 61", n, runs)
	}
	maintain() // nothing new: nothing counted twice
	if n, runs := rows("hour_buckets"); n != 1 || runs != 61 {
		t.Fatalf("after a second roll-up: %d buckets, %d runs", n, runs)
	}
	var hist []int32
	// Run times are real (a loaded machine puts some past 1 ms): the
	// roll-up must carry all 61 runs into the hour's histogram, whichever
	// slots they fell in.
	if err := r.pool.QueryRow(ctx, `SELECT hist FROM healthcheck.hour_buckets`).Scan(&hist); err != nil || len(hist) != 13 {
		t.Fatalf("hour histogram %v (%v): want 13 slots", hist, err)
	}
	if sum := func() (n int32) {
		for _, c := range hist {
			n += c
		}
		return n
	}(); sum != 61 {
		t.Fatalf("hour histogram %v: %d runs, want the 61", hist, sum)
	}

	// Two days later the minutes are gone, the hour is kept and still
	// counted in 7 d and 30 d; 24 h has only the recent runs.
	clk.Advance(49 * time.Hour)
	r.runAll()
	r.flush()
	maintain()
	if n, _ := rows("minute_buckets"); n != 1 {
		t.Errorf("minute buckets after 49 h: %d, want 1 (the recent one)", n)
	}
	f, raw := readFleet(t, r.store)
	av := f.Checks["payments"].Availability
	if v := av["24h"]; v == nil || *v != 1 {
		t.Errorf("24h %v: %s", v, raw)
	}
	if v := av["7d"]; v == nil || *v != 1-10.0/62 {
		t.Errorf("7d %v, want %v: %s", v, 1-10.0/62, raw)
	}
	if d := f.Checks["payments"].Days[27]; d.Day != "2026-11-08" || d.Availability == nil || *d.Availability != 51.0/61 {
		t.Errorf("the outage's day: %+v", d)
	}
	if n := len(f.Checks["payments"].Transitions); n != 2 {
		t.Errorf("transitions: %d", n)
	}

	// 31 days later: hours and transitions past their retention are gone.
	clk.Advance(31 * 24 * time.Hour)
	r.runAll()
	r.flush()
	maintain()
	if n, _ := rows("hour_buckets"); n != 1 {
		t.Errorf("hour buckets after 31 d: %d, want 1 (the newest)", n)
	}
	f, raw = readFleet(t, r.store)
	if n := len(f.Checks["payments"].Transitions); n != 0 {
		t.Errorf("transitions after 31 d: %s", raw)
	}
	if v := f.Checks["payments"].Availability["30d"]; v == nil || *v != 1 {
		t.Errorf("30d %v: %s", v, raw)
	}
}

// docs/store.sql is the SQL the store runs.
func TestDocsStoreSQL(t *testing.T) {
	doc, err := os.ReadFile("../docs/store.sql")
	if err != nil {
		t.Fatal(err)
	}
	if string(doc) != pgstore.SchemaSQL() {
		t.Error("docs/store.sql differs from pgstore/schema.sql: cp pgstore/schema.sql docs/store.sql")
	}
	// migrate runs no DDL when every object it looks for exists: it must
	// look for every one the SQL creates.
	created := regexp.MustCompile(`CREATE (?:TABLE|INDEX) IF NOT EXISTS (?:"healthcheck"\.)?(\w+)`).FindAllStringSubmatch(pgstore.SchemaSQL(), -1)
	var names []string
	for _, m := range created {
		names = append(names, m[1])
	}
	if got, want := strings.Join(pgstore.Objects(), ","), strings.Join(names, ","); got != want {
		t.Errorf("objects %s, the SQL creates %s", got, want)
	}
}

func TestNewConfigErrors(t *testing.T) {
	pg := testutil.StartPostgres(t)
	pool := newPool(t, pg)
	for _, tc := range []struct {
		name string
		cfg  pgstore.Config
	}{
		{"Schema", pgstore.Config{Schema: "Health; DROP"}},
		{"Interval", pgstore.Config{Interval: time.Millisecond}},
		{"FineRetention", pgstore.Config{FineRetention: time.Hour}},
		{"HourlyRetention", pgstore.Config{FineRetention: 72 * time.Hour, HourlyRetention: 48 * time.Hour}},
		{"BufferSize", pgstore.Config{BufferSize: -1}},
	} {
		_, err := pgstore.New(pool, tc.cfg)
		var ce *checks.ConfigError
		if !errors.Is(err, checks.ErrInvalidConfig) || !errors.As(err, &ce) || ce.Setting != "Config."+tc.name {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	if _, err := pgstore.New(nil, pgstore.Config{}); !errors.Is(err, checks.ErrInvalidConfig) {
		t.Errorf("nil pool: %v", err)
	}
	if _, err := pgstore.New(pool, pgstore.Config{}); err != nil {
		t.Errorf("zero Config: %v", err)
	}
}
