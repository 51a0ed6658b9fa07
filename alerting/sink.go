package alerting

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/echofx/healthcheck/checks"
)

// Publisher receives every event of a Dispatcher, one at a time, on the
// sink's own goroutine. Publish must honour ctx, whose deadline is the
// sink's Timeout. A returned error is retried with backoff unless it is
// marked with checks.Permanent; an error's text is logged, so it must not carry
// a secret. A Publisher that also implements io.Closer is closed by
// Dispatcher.Stop after its last delivery.
type Publisher interface {
	// Publish delivers e; nil means delivered, checks.Permanent(err) means
	// do not retry.
	Publish(ctx context.Context, e Event) error
}

// PublisherFunc adapts a function to Publisher.
type PublisherFunc func(ctx context.Context, e Event) error

// Publish calls f.
func (f PublisherFunc) Publish(ctx context.Context, e Event) error { return f(ctx, e) }

// Sink is a named Publisher with its delivery settings. Zero fields take
// the defaults.
type Sink struct {
	// Name identifies the sink in logs and metrics (label "sink").
	// Required; unique within a Dispatcher.
	Name string
	// Publisher delivers the events. Required.
	Publisher Publisher
	// RepeatInterval is how often an alert still firing is repeated to this
	// sink. Default: the Dispatcher's (WithRepeatInterval).
	RepeatInterval time.Duration
	// QueueSize bounds the events waiting for delivery; when full, the
	// oldest is dropped. Default 256.
	QueueSize int
	// Timeout bounds one delivery attempt. Default 5 s.
	Timeout time.Duration
}

// SinkStats are a sink's counters since New.
type SinkStats struct {
	Name string
	// Sent counts events delivered; Failed, events given up (after the
	// retries, or at once for a permanent failure); Dropped, events
	// pushed out of a full queue or abandoned at Stop; Retries, attempts
	// after the first.
	Sent, Failed, Dropped, Retries uint64
	// Queued is the number of events waiting now.
	Queued int
}

// queue is one sink's bounded queue and its delivery goroutine.
type queue struct {
	sink   Sink
	repeat time.Duration

	mu   sync.Mutex
	buf  []Event // ring
	head int
	n    int
	wake chan struct{}

	sent, failed, dropped, retries atomic.Uint64
	inFlight                       atomic.Int32 // 1 while an event is being delivered

	logMu    sync.Mutex
	lastLog  time.Time // when the last failure line was written (the runner's clock)
	unlogged uint64    // failures since, not yet in a line
}

// logInterval is the least time between two lines logging a sink's
// failures: a sink that keeps failing logs one line a minute, with the
// count.
const logInterval = time.Minute

// logFailure counts a failed event and logs it, with the failures since
// the last line, unless a line was written less than logInterval ago.
func (q *queue) logFailure(d *Dispatcher, e Event, attempts int, err error) {
	now := d.clock.Now()
	q.logMu.Lock()
	q.unlogged++
	if !q.lastLog.IsZero() && now.Sub(q.lastLog) < logInterval {
		q.logMu.Unlock()
		return
	}
	n := q.unlogged
	q.unlogged, q.lastLog = 0, now
	q.logMu.Unlock()
	d.cfg.logger.Warn("alert delivery failed", "sink", q.sink.Name, "event", string(e.Kind),
		"check", e.Check, "attempts", attempts, "failures", n, "error", checks.SafeMessage(err))
}

// logStopped writes the sink's last line at Stop: the failures not yet
// logged and the events left undelivered (queued or in flight), if any.
func (q *queue) logStopped(d *Dispatcher) {
	q.logMu.Lock()
	n := q.unlogged
	q.unlogged = 0
	q.logMu.Unlock()
	left := q.undelivered()
	if n == 0 && left == 0 {
		return
	}
	d.cfg.logger.Warn("alert sink stopped", "sink", q.sink.Name, "failures", n, "undelivered", left)
}

// undelivered counts the events queued and the one in flight.
func (q *queue) undelivered() int { return q.len() + int(q.inFlight.Load()) }

func newQueue(s Sink, repeat time.Duration) *queue {
	if s.QueueSize <= 0 {
		s.QueueSize = defaultQueueSize
	}
	if s.Timeout <= 0 {
		s.Timeout = defaultTimeout
	}
	if s.RepeatInterval > 0 {
		repeat = s.RepeatInterval
	}
	return &queue{sink: s, repeat: repeat, buf: make([]Event, s.QueueSize), wake: make(chan struct{}, 1)}
}

// push appends e, dropping the oldest event when full. It never blocks.
func (q *queue) push(e Event) {
	q.mu.Lock()
	if q.n == len(q.buf) {
		q.buf[q.head] = Event{}
		q.head = (q.head + 1) % len(q.buf)
		q.n--
		q.dropped.Add(1)
	}
	q.buf[(q.head+q.n)%len(q.buf)] = e
	q.n++
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *queue) pop() (Event, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.n == 0 {
		return Event{}, false
	}
	e := q.buf[q.head]
	q.buf[q.head] = Event{}
	q.head = (q.head + 1) % len(q.buf)
	q.n--
	return e, true
}

// discard empties the queue, counting its events as dropped.
func (q *queue) discard() {
	q.mu.Lock()
	q.dropped.Add(uint64(q.n))
	clear(q.buf)
	q.head, q.n = 0, 0
	q.mu.Unlock()
}

func (q *queue) stats() SinkStats {
	q.mu.Lock()
	n := q.n
	q.mu.Unlock()
	return SinkStats{Name: q.sink.Name, Sent: q.sent.Load(), Failed: q.failed.Load(),
		Dropped: q.dropped.Load(), Retries: q.retries.Load(), Queued: n}
}

// run delivers events until closing is closed and the queue is empty, or
// ctx ends (the queue's rest is then counted as dropped).
func (q *queue) run(ctx context.Context, closing <-chan struct{}, d *Dispatcher) {
	defer func() {
		q.discard()
		q.close()
	}()
	for {
		if ctx.Err() != nil {
			return
		}
		e, ok := q.pop()
		if !ok {
			select {
			case <-q.wake:
				continue
			case <-closing:
				if q.len() == 0 {
					return
				}
				continue
			case <-ctx.Done():
				return
			}
		}
		q.inFlight.Store(1)
		q.deliver(ctx, e, d)
		q.inFlight.Store(0)
	}
}

// close closes the publisher if it is an io.Closer.
func (q *queue) close() {
	if c, ok := q.sink.Publisher.(io.Closer); ok {
		_ = c.Close()
	}
}

// len returns the number of queued events.
func (q *queue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.n
}

// deliver attempts e up to the configured attempts.
func (q *queue) deliver(ctx context.Context, e Event, d *Dispatcher) {
	backoff := d.cfg.backoff
	for attempt := 1; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, q.sink.Timeout)
		err := q.publish(actx, e)
		cancel()
		if err == nil {
			q.sent.Add(1)
			return
		}
		if ctx.Err() != nil {
			q.dropped.Add(1) // abandoned at Stop
			return
		}
		if checks.IsPermanent(err) || attempt >= d.cfg.maxAttempts {
			// Logged before it is counted: whoever sees Failed grow
			// sees the line that logged it, or (within logInterval of
			// the last line) the failure counted for the next line or
			// Stop's.
			q.logFailure(d, e, attempt, err)
			q.failed.Add(1)
			return
		}
		q.retries.Add(1)
		wait := backoff/2 + rand.N(backoff/2+1)
		backoff = min(backoff*2, 30*time.Second)
		if he, ok := errors.AsType[*httpError](err); ok && he.RetryAfter > 0 {
			// The receiver said when: not sooner, and not later than the
			// next repeat would have resent it.
			wait = min(he.RetryAfter, q.repeat)
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			q.dropped.Add(1)
			return
		}
	}
}

// publish calls the publisher, recovering a panic.
func (q *queue) publish(ctx context.Context, e Event) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = checks.Permanent(errors.New("publisher panicked"))
		}
	}()
	return q.sink.Publisher.Publish(ctx, e)
}
