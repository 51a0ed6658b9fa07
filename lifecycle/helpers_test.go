package lifecycle_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/lifecycle"
)

// t0 is the fake clocks' start.
var t0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// newRunner returns a runner on clock with cs registered, closed at the
// end of the test.
func newRunner(t *testing.T, clock checks.Clock, cs ...checks.Check) *checks.Runner {
	t.Helper()
	r := checks.NewRunner(checks.WithClock(clock))
	if err := r.Register(cs...); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return r
}

// probe is a check function whose outcome the test sets; it counts calls.
type probe struct {
	calls atomic.Int32
	fail  atomic.Bool
	// upAt, when > 0, makes calls before the upAt-th fail.
	upAt int32
}

var errRefused = fmt.Errorf("dial tcp 10.0.0.5:5432: connect: %w", syscall.ECONNREFUSED)

func (p *probe) fn(context.Context) error {
	n := p.calls.Add(1)
	if p.fail.Load() || (p.upAt > 0 && n < p.upAt) {
		return errRefused
	}
	return nil
}

// check returns a check of that name running p.
func (p *probe) check(name string) checks.Check {
	return checks.Check{Name: name, Func: checks.FromFunc(p.fn)}
}

// logRecord is one captured log record.
type logRecord struct {
	Level slog.Level
	Msg   string
	Attrs map[string]any
}

// logSink is a slog.Handler that keeps records for assertions.
type logSink struct {
	mu      sync.Mutex
	records []logRecord
}

func (s *logSink) Enabled(context.Context, slog.Level) bool { return true }

func (s *logSink) Handle(_ context.Context, r slog.Record) error {
	rec := logRecord{Level: r.Level, Msg: r.Message, Attrs: map[string]any{}}
	r.Attrs(func(a slog.Attr) bool {
		rec.Attrs[a.Key] = a.Value.Any()
		return true
	})
	s.mu.Lock()
	s.records = append(s.records, rec)
	s.mu.Unlock()
	return nil
}

func (s *logSink) WithAttrs([]slog.Attr) slog.Handler { return s }
func (s *logSink) WithGroup(string) slog.Handler      { return s }

func (s *logSink) logger() *slog.Logger { return slog.New(s) }

// find returns the records with that message.
func (s *logSink) find(msg string) []logRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []logRecord
	for _, r := range s.records {
		if r.Msg == msg {
			out = append(out, r)
		}
	}
	return out
}

// events is a concurrency-safe ordered list of strings.
type events struct {
	mu   sync.Mutex
	list []string
}

func (e *events) add(s string) {
	e.mu.Lock()
	e.list = append(e.list, s)
	e.mu.Unlock()
}

func (e *events) get() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.list)
}

// signal is a channel closed once, by the first of any number of fire
// calls: an event a test waits for.
type signal struct {
	once sync.Once
	ch   chan struct{}
}

func newSignal() *signal { return &signal{ch: make(chan struct{})} }

func (s *signal) fire() { s.once.Do(func() { close(s.ch) }) }

// wait waits for the signal (at most 30 s: a bound on a hang, not a
// timing assertion), failing with what.
func (s *signal) wait(t *testing.T, what string) {
	t.Helper()
	select {
	case <-s.ch:
	case <-time.After(30 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// testCtx returns a context that ends with the test, bounded generously.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func constRand(v float64) func() float64 { return func() float64 { return v } }

var discard = slog.New(slog.DiscardHandler)

// newLifecycle returns lifecycle.New's Lifecycle, failing the test on an
// error.
func newLifecycle(t testing.TB, r *checks.Runner, opts ...lifecycle.Option) *lifecycle.Lifecycle {
	t.Helper()
	l, err := lifecycle.New(r, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return l
}
