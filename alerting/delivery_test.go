package alerting_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/echofx/healthcheck/alerting"
	"github.com/echofx/healthcheck/checks"
)

// noFolding turns the folding of a flapping check off, for the tests and
// benchmarks whose flipping check must make an event at every execution.
var noFolding = alerting.WithFlapping(checks.Off, 0)

// flipping registers a check named name whose status alternates at each
// execution between unhealthy and healthy, so that every result is an
// event.
func flipping(t testing.TB, r *checks.Runner, name string) {
	t.Helper()
	var mu sync.Mutex
	bad := false
	err := r.Register(checks.Check{Name: name, Func: func(context.Context) checks.Report {
		mu.Lock()
		defer mu.Unlock()
		bad = !bad
		if bad {
			return checks.Report{Status: checks.StatusUnhealthy, Message: "connection refused"}
		}
		return checks.Report{Status: checks.StatusHealthy}
	}})
	if err != nil {
		t.Fatal(err)
	}
}

// hangingServer never answers until the request is cancelled.
func hangingServer(t testing.TB) *httptest.Server {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // then the server notices the client leaving
		<-r.Context().Done()
	}))
	t.Cleanup(s.Close)
	return s
}

// drippingServer answers 200 at once, then drips its body a byte at a
// time until the request is cancelled.
func drippingServer(t testing.TB) *httptest.Server {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(200)
		for {
			if _, err := w.Write([]byte{'.'}); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func failingServer(t testing.TB) *httptest.Server {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	}))
	t.Cleanup(s.Close)
	return s
}

// TestQueueDropsOldest: while a delivery is stuck, a full queue keeps the
// newest events and counts the others as dropped.
func TestQueueDropsOldest(t *testing.T) {
	r := newRunner(t)
	flipping(t, r, "database")
	inFlight, release := make(chan struct{}), make(chan struct{})
	var mu sync.Mutex
	var got []string
	slow := alerting.PublisherFunc(func(ctx context.Context, e alerting.Event) error {
		mu.Lock()
		first := len(got) == 0
		got = append(got, e.ID)
		mu.Unlock()
		if first {
			close(inFlight)
			<-release
		}
		return nil
	})
	all := newRecorder()
	d, err := alerting.New(r, noFolding,
		alerting.WithDefaults(alerting.Thresholds{ErrorRate: -1}), // status events only
		alerting.WithSink(alerting.Sink{Name: "slow", Publisher: slow, QueueSize: 3}),
		alerting.WithSink(alerting.Sink{Name: "all", Publisher: all}))
	if err != nil {
		t.Fatal(err)
	}
	d.Start()
	refresh(t, r, "database")
	<-inFlight
	for range 9 {
		refresh(t, r, "database")
	}
	var ids []string
	for range 10 {
		ids = append(ids, all.next(t).ID)
	}
	st := d.Stats()[0]
	if st.Dropped != 6 || st.Queued != 3 {
		t.Fatalf("stats %+v", st)
	}
	close(release)
	stop(t, d)
	mu.Lock()
	defer mu.Unlock()
	if want := append(ids[:1:1], ids[7:]...); !slices.Equal(got, want) {
		t.Fatalf("delivered %v, want the first and the 3 newest %v", got, want)
	}
	if st := d.Stats()[0]; st.Sent != 4 || st.Dropped != 6 {
		t.Fatalf("stats after stop %+v", st)
	}
}

// TestBadReceivers: receivers that hang, drip or answer 500 cost a
// bounded number of goroutines however many events arrive; their queues
// drop the oldest events; Stop returns within its context.
func TestBadReceivers(t *testing.T) {
	r := newRunner(t)
	flipping(t, r, "database")
	var opts []alerting.Option
	for name, url := range map[string]string{
		"hanging": hangingServer(t).URL, "dripping": drippingServer(t).URL, "failing": failingServer(t).URL,
	} {
		s, err := alerting.Webhook(name, url, alerting.WebhookConfig{QueueSize: 8, Timeout: 50 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		opts = append(opts, alerting.WithSink(s))
	}
	opts = append(opts, alerting.WithRetry(3, 5*time.Millisecond), alerting.WithLogger(discardLogger()))
	base := runtime.NumGoroutine()
	d, err := alerting.New(r, append(opts, noFolding)...)
	if err != nil {
		t.Fatal(err)
	}
	d.Start()
	peak := 0
	for range 500 {
		refresh(t, r, "database")
		peak = max(peak, runtime.NumGoroutine())
	}
	// 3 workers, the repeat loop, and per sink at most 2 connections, each
	// with 2 goroutines on the client's side and 2 on the test server's
	// (52 with room for connections closed after a timeout and still
	// winding down); the limit doubles that for a loaded machine, far
	// under the 1,500 that one goroutine per event and sink would make.
	t.Logf("goroutines: %d before, at most %d during 500 events", base, peak)
	if limit := base + 2*(4+2*3*2*(2+2)); peak > limit {
		t.Fatalf("goroutines peaked at %d, base %d, limit %d", peak, base, limit)
	}
	// The failing sink gives an event up after its 3 attempts, which may
	// take longer than the 500 refreshes.
	waitFor(t, "the failing sink to give an event up", func() bool {
		for _, st := range d.Stats() {
			if st.Name == "failing" {
				return st.Failed > 0
			}
		}
		return false
	})
	for _, st := range d.Stats() {
		if st.Queued > 8 || st.Dropped == 0 || st.Sent+st.Failed+st.Dropped+uint64(st.Queued) > 500+1 {
			t.Errorf("stats %+v", st)
		}
		if st.Name == "failing" && (st.Failed == 0 || st.Retries == 0) {
			t.Errorf("500s not retried then failed: %+v", st)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := d.Stop(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Stop = %v, want the deadline (events left)", err)
	}
	for _, st := range d.Stats() {
		if st.Queued != 0 {
			t.Errorf("after Stop: %+v", st)
		}
	}
}

// TestStopFlushes: events queued at Stop are delivered when the receiver
// answers within the budget; after Stop, results make no events.
func TestStopFlushes(t *testing.T) {
	r := newRunner(t)
	flipping(t, r, "database")
	rc := newReceiver(t)
	s, err := alerting.Webhook("ops", rc.URL, alerting.WebhookConfig{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := alerting.New(r, alerting.WithSink(s), noFolding)
	if err != nil {
		t.Fatal(err)
	}
	for range 5 { // before Start: queued
		refresh(t, r, "database")
	}
	d.Start()
	stop(t, d) // the 5 events, and the last (firing) alert resolved at Stop
	if st := d.Stats()[0]; st.Sent != 6 || st.Queued != 0 {
		t.Fatalf("stats %+v", st)
	}
	refresh(t, r, "database")
	if st := d.Stats()[0]; st.Sent != 6 || st.Queued != 0 {
		t.Fatalf("an event after Stop: %+v", st)
	}
}
