package alerting

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/echofx/healthcheck/checks"
)

// ErrInvalidSink is wrapped by New's error for a sink without a name or a
// publisher, or two sinks of one name.
var ErrInvalidSink = errors.New("invalid alert sink")

// Dispatcher turns a runner's results into events and delivers them to
// its sinks. Build it with New, which subscribes it to the runner at once;
// call Start to begin delivering and the repeats, and Stop to flush.
// Events recorded before Start wait in the queues (bounded). A Dispatcher
// is safe for concurrent use.
type Dispatcher struct {
	runner *checks.Runner
	clock  checks.Clock
	cfg    config
	queues []*queue

	mu     sync.Mutex
	states map[string]*checkState

	closed   atomic.Bool
	started  atomic.Bool
	closing  chan struct{}
	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	stopOnce sync.Once
}

// New returns a Dispatcher subscribed to runner's results (through
// runner.AddHooks). Errors wrap ErrInvalidSink.
func New(runner *checks.Runner, opts ...Option) (*Dispatcher, error) {
	if runner == nil {
		return nil, errors.New("alerting: nil runner")
	}
	cfg := defaultConfig()
	for _, o := range opts {
		if o != nil {
			o.apply(&cfg)
		}
	}
	d := &Dispatcher{runner: runner, clock: runner.Clock(), cfg: cfg,
		states: map[string]*checkState{}, closing: make(chan struct{})}
	seen := map[string]bool{}
	for _, s := range cfg.sinks {
		switch {
		case s.Name == "" || s.Publisher == nil:
			return nil, fmt.Errorf("%w: a sink needs a name and a publisher", ErrInvalidSink)
		case seen[s.Name]:
			return nil, fmt.Errorf("%w: two sinks named %q", ErrInvalidSink, s.Name)
		}
		seen[s.Name] = true
		d.queues = append(d.queues, newQueue(s, cfg.repeat))
	}
	d.ctx, d.cancel = context.WithCancel(context.Background())
	runner.AddHooks(checks.Hooks{OnResult: d.observe})
	return d, nil
}

// Start starts one delivery goroutine per sink and the repeats of firing
// alerts. Calling it again does nothing; after Stop it does nothing.
func (d *Dispatcher) Start() {
	if d.closed.Load() || !d.started.CompareAndSwap(false, true) {
		return
	}
	for _, q := range d.queues {
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			q.run(d.ctx, d.closing, d)
		}()
	}
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		d.repeatLoop()
	}()
}

// Stop stops recording events and delivers what is queued, waiting at most
// until ctx ends; then it abandons the rest (counted as dropped), cancels
// deliveries in flight and returns an error wrapping ctx's. It returns once
// every goroutine of the Dispatcher has ended. Later calls return nil.
// Stop without Start delivers nothing: what was queued is dropped.
func (d *Dispatcher) Stop(ctx context.Context) error {
	var err error
	d.stopOnce.Do(func() {
		d.mu.Lock() // no event is being recorded once closed is set
		d.closed.Store(true)
		d.mu.Unlock()
		close(d.closing)
		if !d.started.Load() {
			d.cancel()
			for _, q := range d.queues {
				q.discard()
			}
			return
		}
		done := make(chan struct{})
		go func() { d.wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-ctx.Done():
			var left uint64
			for _, q := range d.queues {
				left += uint64(q.len())
			}
			err = fmt.Errorf("alerting: stop: %d events undelivered: %w", left, ctx.Err())
		}
		d.cancel()
		<-done
	})
	return err
}

// Stats returns each sink's counters, in the order the sinks were given.
func (d *Dispatcher) Stats() []SinkStats {
	out := make([]SinkStats, len(d.queues))
	for i, q := range d.queues {
		out[i] = q.stats()
	}
	return out
}

// emit queues e to every sink and notes when each got it. d.mu is held.
func (d *Dispatcher) emit(a *activeAlert, e Event) {
	for i, q := range d.queues {
		q.push(e)
		if a != nil {
			a.lastSent[i] = e.Time
		}
	}
}

// repeatLoop re-sends firing alerts to each sink at its repeat interval,
// on the runner's clock.
func (d *Dispatcher) repeatLoop() {
	if len(d.queues) == 0 {
		<-d.closing
		return
	}
	tick := d.queues[0].repeat
	for _, q := range d.queues[1:] {
		tick = min(tick, q.repeat)
	}
	tick = max(tick/4, 1)
	for {
		t := d.clock.NewTimer(tick)
		select {
		case <-t.C():
			d.repeat()
		case <-d.closing:
			t.Stop()
			return
		}
	}
}

func (d *Dispatcher) repeat() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed.Load() {
		return
	}
	now := d.clock.Now()
	for _, st := range d.states {
		for _, a := range []*activeAlert{st.status, st.errorRate, st.latency} {
			if a == nil {
				continue
			}
			for i, q := range d.queues {
				if now.Sub(a.lastSent[i]) < q.repeat {
					continue
				}
				e := a.event
				e.ID, e.Repeat, e.Time = newID(), true, now
				e.Replaces, e.ReplacesStartsAt = "", time.Time{}
				e.Previous = e.Status
				if a.format != nil {
					e.Message = a.format(e.Value)
				}
				q.push(e)
				a.lastSent[i] = now
			}
		}
	}
}
