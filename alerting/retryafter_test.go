package alerting_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/echofx/healthcheck/alerting"
	"github.com/echofx/healthcheck/checks"
)

// TestRetryAfter: a 503 or 429 with Retry-After is retried no sooner than
// it says (with a first backoff of 1 ms), and no later than the sink's
// repeat interval when it says more.
func TestRetryAfter(t *testing.T) {
	t.Parallel() // about 4 s of waiting what the receiver asked
	for _, tc := range []struct {
		code       int
		retryAfter string
		repeat     time.Duration
		atLeast    time.Duration
	}{
		{http.StatusServiceUnavailable, "1", time.Hour, time.Second},
		{http.StatusTooManyRequests, "3600", 1500 * time.Millisecond, 1500 * time.Millisecond},
		{http.StatusTooManyRequests, "date", time.Hour, time.Second}, // an HTTP date 2 s ahead (1 to 2 s at its precision)
	} {
		t.Run(strconv.Itoa(tc.code)+" "+tc.retryAfter, func(t *testing.T) {
			arrivals := make(chan time.Time, 10)
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				arrivals <- time.Now()
				if n.Add(1) == 1 {
					v := tc.retryAfter
					if v == "date" {
						v = time.Now().Add(2 * time.Second).UTC().Format(http.TimeFormat)
					}
					w.Header().Set("Retry-After", v)
					w.WriteHeader(tc.code)
				}
			}))
			defer srv.Close()
			r := newRunner(t)
			addSwitchable(t, r, "database", checks.StatusUnhealthy)
			sink, err := alerting.Webhook("ops", srv.URL, alerting.WebhookConfig{RepeatInterval: tc.repeat})
			if err != nil {
				t.Fatal(err)
			}
			d, err := alerting.New(r, alerting.WithSink(sink), alerting.WithRetry(3, time.Millisecond), alerting.WithLogger(discardLogger()))
			if err != nil {
				t.Fatal(err)
			}
			d.Start()
			defer stop(t, d)
			refresh(t, r, "database")
			next := func() time.Time {
				select {
				case at := <-arrivals:
					return at
				case <-time.After(10 * time.Second):
					t.Fatal("no request")
					return time.Time{}
				}
			}
			first, second := next(), next()
			if gap := second.Sub(first); gap < tc.atLeast-50*time.Millisecond || gap > tc.atLeast+5*time.Second {
				t.Fatalf("retried after %v, want about %v", gap, tc.atLeast)
			}
		})
	}
}
