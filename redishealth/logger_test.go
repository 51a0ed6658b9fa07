package redishealth

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// lines is a slog.Handler keeping each record's message and attributes.
type lines struct {
	mu   sync.Mutex
	list []string
}

func (h *lines) Enabled(context.Context, slog.Level) bool { return true }
func (h *lines) Handle(_ context.Context, r slog.Record) error {
	s := r.Level.String() + " " + r.Message
	r.Attrs(func(a slog.Attr) bool { s += " " + a.String(); return true })
	h.mu.Lock()
	h.list = append(h.list, s)
	h.mu.Unlock()
	return nil
}
func (h *lines) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *lines) WithGroup(string) slog.Handler      { return h }

func (h *lines) take() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := h.list
	h.list = nil
	return out
}

// go-redis's pool logs this line for every dial that fails.
const dialFormat = "redis: connection pool: failed to dial after %d attempts: %v"

func TestLoggerFoldsDialFailures(t *testing.T) {
	h := &lines{}
	l := Logger(slog.New(h))
	now := time.Unix(1_700_000_000, 0)
	l.now = func() time.Time { return now }
	ctx := context.Background()
	dialErr := fmt.Errorf("dial tcp 10.1.2.3:6379: connect: connection refused")

	// An outage: one dial failure a second for 90 s.
	for range 90 {
		l.Printf(ctx, dialFormat, 1, dialErr)
		now = now.Add(time.Second)
	}
	got := h.take()
	if len(got) != 2 {
		t.Fatalf("90 dial failures in 90 s gave %d lines, want 2 (the first, then one a minute later):\n%s", len(got), strings.Join(got, "\n"))
	}
	if want := `WARN go-redis message=connection pool: failed to dial after 1 attempts: dial tcp ***: connect: connection refused`; got[0] != want {
		t.Errorf("first line = %q, want %q", got[0], want)
	}
	if !strings.HasSuffix(got[1], "folded=59") {
		t.Errorf("second line = %q, want folded=59", got[1])
	}
	// Any other line is written as it comes.
	for range 3 {
		l.Printf(ctx, "redis: connection pool: conn[%d] rejected by hook, returning to pool", 7)
	}
	if n := len(h.take()); n != 3 {
		t.Errorf("other lines: %d written, want 3", n)
	}
}
