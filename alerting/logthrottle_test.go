package alerting_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/echofx/healthcheck/alerting"
	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/internal/testutil"
)

// lockedBuffer is a bytes.Buffer safe for a logger and a test at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Split(strings.TrimSpace(l.b.String()), "\n")
}

// TestFailingSinkLogsOnceAMinute: a sink that always fails logs one line
// a minute (the runner's clock) with the count of failures since the last
// line, and one line at Stop with the rest.
func TestFailingSinkLogsOnceAMinute(t *testing.T) {
	clock := testutil.NewFakeClock(time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC))
	r := newRunner(t, checks.WithClock(clock))
	flipping(t, r, "database")
	var logs lockedBuffer
	refuse := alerting.PublisherFunc(func(context.Context, alerting.Event) error {
		return checks.Permanent(errors.New("HTTP 400"))
	})
	d, err := alerting.New(r, noFolding, alerting.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))),
		alerting.WithSink(alerting.Sink{Name: "ops", Publisher: refuse}))
	if err != nil {
		t.Fatal(err)
	}
	d.Start()
	failed := func(n uint64) {
		t.Helper()
		waitFor(t, "the failures", func() bool { return d.Stats()[0].Failed == n })
	}
	for range 50 {
		refresh(t, r, "database")
	}
	failed(50)
	if l := logs.lines(); len(l) != 1 || !strings.Contains(l[0], "failures=1 ") {
		t.Fatalf("after 50 failures within a minute: %q", l)
	}
	clock.Advance(time.Minute)
	refresh(t, r, "database")
	failed(51)
	if l := logs.lines(); len(l) != 2 || !strings.Contains(l[1], "failures=50 ") {
		t.Fatalf("a minute later: %q", l)
	}
	for range 10 {
		refresh(t, r, "database")
	}
	failed(61)
	stop(t, d) // and the resolution of the alert firing, also refused
	l := logs.lines()
	if len(l) != 3 || !strings.Contains(l[2], `msg="alert sink stopped" sink=ops failures=11 undelivered=0`) {
		t.Fatalf("at stop: %q", l)
	}
}
