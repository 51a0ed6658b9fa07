package alerting_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/echofx/healthcheck/alerting"
	"github.com/echofx/healthcheck/checks"
)

// hangingCloser is a Publisher that delivers at once and whose Close
// blocks until release is closed (or records that it was called).
type hangingCloser struct {
	release chan struct{}
	closed  atomic.Bool
}

func (h *hangingCloser) Publish(context.Context, alerting.Event) error { return nil }

func (h *hangingCloser) Close() error {
	h.closed.Store(true)
	if h.release != nil {
		<-h.release
	}
	return nil
}

// stopReturns calls d.Stop with a 100 ms budget and returns its error,
// failing if Stop has not returned after 5 s (a bound on a hang, not a
// timing assertion).
func stopReturns(t *testing.T, d *alerting.Dispatcher) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- d.Stop(ctx) }()
	select {
	case err := <-errc:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("Stop did not return after its ctx ended")
		return nil
	}
}

// TestStopBoundedByCtx: a Publisher that ignores its ctx, or a Close that
// hangs, does not hold Stop past its ctx (plus a short grace); the
// goroutines left behind end once the publisher returns (goleak checks).
func TestStopBoundedByCtx(t *testing.T) {
	t.Run("publisher ignores ctx", func(t *testing.T) {
		r := newRunner(t)
		addSwitchable(t, r, "database", checks.StatusUnhealthy)
		entered, release := make(chan struct{}), make(chan struct{})
		var once sync.Once
		pub := alerting.PublisherFunc(func(context.Context, alerting.Event) error {
			once.Do(func() { close(entered) })
			<-release // ignores ctx
			return nil
		})
		d, err := alerting.New(r, alerting.WithSink(alerting.Sink{Name: "stuck", Publisher: pub}))
		if err != nil {
			t.Fatal(err)
		}
		defer close(release)
		d.Start()
		refresh(t, r, "database")
		<-entered
		err = stopReturns(t, d)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Stop = %v, want one wrapping context.DeadlineExceeded", err)
		}
		// The event in flight, and the resolution queued at Stop.
		if !strings.Contains(err.Error(), "2 events undelivered (1 in flight)") {
			t.Fatalf("Stop = %v, want the events in flight counted", err)
		}
	})
	t.Run("close hangs", func(t *testing.T) {
		h := &hangingCloser{release: make(chan struct{})}
		defer close(h.release)
		d, err := alerting.New(newRunner(t), alerting.WithSink(alerting.Sink{Name: "stuck", Publisher: h}))
		if err != nil {
			t.Fatal(err)
		}
		d.Start()
		if err := stopReturns(t, d); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Stop = %v, want one wrapping context.DeadlineExceeded", err)
		}
	})
	t.Run("close hangs without Start", func(t *testing.T) {
		h := &hangingCloser{release: make(chan struct{})}
		defer close(h.release)
		d, err := alerting.New(newRunner(t), alerting.WithSink(alerting.Sink{Name: "stuck", Publisher: h}))
		if err != nil {
			t.Fatal(err)
		}
		if err := stopReturns(t, d); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Stop = %v, want one wrapping context.DeadlineExceeded", err)
		}
	})
}

// TestStopWithoutStartCloses: Stop closes io.Closer publishers even when
// Start was never called.
func TestStopWithoutStartCloses(t *testing.T) {
	h := &hangingCloser{}
	d, err := alerting.New(newRunner(t), alerting.WithSink(alerting.Sink{Name: "c", Publisher: h}))
	if err != nil {
		t.Fatal(err)
	}
	stop(t, d)
	if !h.closed.Load() {
		t.Fatal("Stop without Start did not close the publisher")
	}
}

// TestStartStopConcurrent: Start racing Stop is safe (go test -race): no
// WaitGroup Add races Stop's Wait, and every goroutine has ended when Stop
// returns (goleak checks).
func TestStartStopConcurrent(t *testing.T) {
	r := newRunner(t)
	for range 200 {
		d, err := alerting.New(r, alerting.WithSink(alerting.Sink{Name: "c", Publisher: &hangingCloser{}}))
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { defer wg.Done(); d.Start() }()
		stop(t, d)
		wg.Wait()
	}
}

// TestNewNamesBadSink: New's error names the bad sink's index and name.
func TestNewNamesBadSink(t *testing.T) {
	pub := alerting.PublisherFunc(func(context.Context, alerting.Event) error { return nil })
	_, err := alerting.New(newRunner(t), alerting.WithSink(alerting.Sink{Name: "ok", Publisher: pub}),
		alerting.WithSink(alerting.Sink{Name: "pager"}))
	if !errors.Is(err, checks.ErrInvalidConfig) || !strings.Contains(err.Error(), "sink 1") ||
		!strings.Contains(err.Error(), `"pager"`) {
		t.Fatalf("err = %v", err)
	}
}
