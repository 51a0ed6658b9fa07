package checks_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/internal/testutil"
)

// records is a slog.Handler keeping every record.
type records struct {
	mu   sync.Mutex
	list []slog.Record
}

func (h *records) Enabled(context.Context, slog.Level) bool { return true }
func (h *records) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	h.list = append(h.list, r.Clone())
	h.mu.Unlock()
	return nil
}
func (h *records) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *records) WithGroup(string) slog.Handler      { return h }

// take returns the records written since the last call.
func (h *records) take() []slog.Record {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := h.list
	h.list = nil
	return out
}

func attrOf(r slog.Record, key string) any {
	var v any
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == key {
			v = a.Value.Any()
			return false
		}
		return true
	})
	return v
}

// line describes an expected record.
type line struct {
	level slog.Level
	msg   string
	attrs map[string]any
}

func expectLines(t *testing.T, h *records, want ...line) {
	t.Helper()
	got := h.take()
	if len(got) != len(want) {
		for _, r := range got {
			t.Logf("got %v %q", r.Level, r.Message)
		}
		t.Fatalf("got %d log lines, want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i].Level != w.level || got[i].Message != w.msg {
			t.Errorf("line %d = %v %q, want %v %q", i, got[i].Level, got[i].Message, w.level, w.msg)
		}
		for k, v := range w.attrs {
			if a := attrOf(got[i], k); a != v {
				t.Errorf("line %d %s = %v, want %v", i, k, a, v)
			}
		}
	}
}

func TestLogTransitions(t *testing.T) {
	clock := testutil.NewFakeClock(time.Unix(1_700_000_000, 0))
	h := &records{}
	r := newRunner(t, checks.WithClock(clock))
	var dbDown, cacheDown atomic.Bool
	err := r.Register(
		checks.Check{Name: "db", Interval: 10 * time.Second, Func: func(context.Context) checks.Report {
			if dbDown.Load() {
				return checks.Report{Err: errors.New("connection refused")}
			}
			return checks.Report{}
		}},
		checks.Check{Name: "cache", Criticality: checks.Optional, Interval: 10 * time.Second, Func: func(context.Context) checks.Report {
			if cacheDown.Load() {
				return checks.Report{Status: checks.StatusDegraded, Message: "slow response (2s)"}
			}
			return checks.Report{}
		}},
	)
	if err != nil {
		t.Fatal(err)
	}
	r.AddHooks(checks.LogTransitions(slog.New(h), r))
	ctx := context.Background()
	refresh := func(name string) {
		t.Helper()
		if _, err := r.Refresh(ctx, name); err != nil {
			t.Fatal(err)
		}
	}

	refresh("db")
	refresh("db") // no transition, no line
	expectLines(t, h, line{slog.LevelInfo, "health check healthy", map[string]any{"check": "db", "to": "healthy"}})

	clock.Advance(10 * time.Second)
	dbDown.Store(true)
	refresh("db")
	expectLines(t, h, line{slog.LevelError, "health check unhealthy", map[string]any{
		"check": "db", "from": "healthy", "message": "connection refused", "duration": 10 * time.Second, "criticality": "required",
	}})

	// Its recovery a second later is written at once too; a third change
	// within the interval of the outage's line is flapping: folded.
	clock.Advance(time.Second)
	dbDown.Store(false)
	refresh("db")
	expectLines(t, h, line{slog.LevelInfo, "health check recovered", map[string]any{"check": "db", "outage": time.Second}})
	for _, down := range []bool{true, false} {
		clock.Advance(time.Second)
		dbDown.Store(down)
		refresh("db")
	}
	expectLines(t, h)
	// An interval after the outage's line, the latest transition, with the
	// count.
	clock.Advance(7 * time.Second)
	expectLines(t, h, line{slog.LevelInfo, "health check recovered", map[string]any{
		"check": "db", "from": "unhealthy", "folded": int64(1), "outage": time.Second, // the latest outage
	}})

	// A transition an interval after the last line is written at once.
	clock.Advance(10 * time.Second)
	dbDown.Store(true)
	refresh("db")
	expectLines(t, h, line{slog.LevelError, "health check unhealthy", map[string]any{"check": "db"}})
	clock.Advance(20 * time.Second)
	dbDown.Store(false)
	refresh("db")
	expectLines(t, h, line{slog.LevelInfo, "health check recovered", map[string]any{"outage": 20 * time.Second, "duration": 20 * time.Second}})

	// An optional check going degraded is a warning.
	refresh("cache")
	clock.Advance(10 * time.Second)
	cacheDown.Store(true)
	refresh("cache")
	expectLines(t, h,
		line{slog.LevelInfo, "health check healthy", map[string]any{"check": "cache"}},
		line{slog.LevelWarn, "health check degraded", map[string]any{"check": "cache", "criticality": "optional", "message": "slow response (2s)"}},
	)
}

// An outage right after a healthy start is written when it happens, and so
// is its recovery: the start-up line does not count against the limit.
func TestLogTransitionsOutageAtOnce(t *testing.T) {
	clock := testutil.NewFakeClock(time.Unix(1_700_000_000, 0))
	h := &records{}
	r := newRunner(t, checks.WithClock(clock))
	var down atomic.Bool
	if err := r.Register(checks.Check{Name: "database", Interval: 15 * time.Second, Func: func(context.Context) checks.Report {
		if down.Load() {
			return checks.Report{Err: errors.New("connection refused")}
		}
		return checks.Report{}
	}}); err != nil {
		t.Fatal(err)
	}
	r.AddHooks(checks.LogTransitions(slog.New(h), r))
	step := func(after time.Duration, isDown bool) {
		t.Helper()
		clock.Advance(after)
		down.Store(isDown)
		if _, err := r.Refresh(context.Background(), "database"); err != nil {
			t.Fatal(err)
		}
	}

	step(0, false)
	expectLines(t, h, line{slog.LevelInfo, "health check healthy", nil})
	step(5*time.Second, true)
	expectLines(t, h, line{slog.LevelError, "health check unhealthy", map[string]any{"check": "database", "duration": 5 * time.Second}})
	step(3*time.Second, false)
	expectLines(t, h, line{slog.LevelInfo, "health check recovered", map[string]any{"outage": 3 * time.Second}})
	// Down again 2 s later: the third change within 15 s is flapping.
	step(2*time.Second, true)
	expectLines(t, h)
	clock.Advance(10 * time.Second) // 15 s after the outage's line
	expectLines(t, h, line{slog.LevelError, "health check unhealthy", map[string]any{"folded": nil}})
	// After a quiet interval, the next change is written at once again.
	step(15*time.Second, false)
	expectLines(t, h, line{slog.LevelInfo, "health check recovered", map[string]any{"outage": 25 * time.Second}})
}
