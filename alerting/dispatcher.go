package alerting

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/echofx/healthcheck/checks"
)

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
	hold   holdState // Maintenance (maintenance.go); silences under silenceMu

	silenceMu sync.Mutex

	runMu    sync.Mutex // orders Start's launch against Stop's check
	closed   atomic.Bool
	started  atomic.Bool
	closing  chan struct{}
	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	stopOnce sync.Once
}

// New returns a Dispatcher subscribed to runner's results (through
// runner.AddHooks). A nil runner, a sink without a name or a publisher,
// or two sinks of one name give a *checks.ConfigError (Setting "runner" or
// "WithSink").
func New(runner *checks.Runner, opts ...Option) (*Dispatcher, error) {
	if runner == nil {
		return nil, &checks.ConfigError{Package: "alerting", Setting: "runner", Reason: "nil"}
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
	for i, s := range cfg.sinks {
		switch {
		case s.Name == "" || s.Publisher == nil:
			what := fmt.Sprintf("sink %d", i)
			if s.Name != "" {
				what += fmt.Sprintf(" (%q)", s.Name)
			}
			return nil, &checks.ConfigError{Package: "alerting", Setting: "WithSink", Reason: what + " needs a name and a publisher"}
		case seen[s.Name]:
			return nil, &checks.ConfigError{Package: "alerting", Setting: "WithSink", Value: s.Name, Reason: "two sinks of this name"}
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
	d.runMu.Lock()
	defer d.runMu.Unlock()
	if d.closed.Load() || d.started.Load() {
		return
	}
	d.started.Store(true)
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

// stopGrace is how long Stop still waits, once its ctx has ended and the
// deliveries in flight are cancelled, for the sinks' goroutines to end.
const stopGrace = 100 * time.Millisecond

// Stop first resolves every alert this instance has firing (a KindResolved
// event with Reason ReasonStopped: Alertmanager gets endsAt now, so a
// replica that stops, or is replaced by a rolling deploy, leaves no alert
// behind; the other replicas' alerts are theirs and stay). Then it stops
// recording events and delivers what is queued, waiting at most
// until ctx ends; then it abandons the rest (counted as dropped), cancels
// deliveries in flight, waits at most stopGrace more and returns an error
// wrapping ctx's. A Publisher that ignores its ctx, or a Close that hangs,
// cannot hold Stop longer: its goroutine is left to end on its own when
// the call returns. Otherwise Stop returns once every goroutine of the
// Dispatcher has ended. Publishers that implement io.Closer are closed
// within the same bound, with or without Start. Later calls return nil.
// Stop without Start delivers nothing: what was queued is dropped.
func (d *Dispatcher) Stop(ctx context.Context) error {
	var err error
	d.stopOnce.Do(func() {
		d.runMu.Lock()
		started := d.started.Load()
		d.mu.Lock() // no event is being recorded once closed is set
		if started {
			d.resolveAll(ReasonStopped)
		}
		d.closed.Store(true)
		d.mu.Unlock()
		d.runMu.Unlock()
		close(d.closing)
		done := make(chan struct{})
		if !started {
			d.cancel()
			for _, q := range d.queues {
				q.discard()
			}
			go func() {
				defer close(done)
				for _, q := range d.queues {
					q.close()
				}
			}()
			if !await(ctx, done) {
				err = fmt.Errorf("alerting: stop: closing sinks: %w", ctx.Err())
			}
			return
		}
		go func() { d.wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-ctx.Done():
			var left, inFlight int
			for _, q := range d.queues {
				left += q.undelivered()
				inFlight += int(q.inFlight.Load())
			}
			err = fmt.Errorf("alerting: stop: %d events undelivered (%d in flight): %w", left, inFlight, ctx.Err())
		}
		for _, q := range d.queues {
			q.logStopped(d)
		}
		d.cancel()
		if err != nil {
			t := time.NewTimer(stopGrace)
			select {
			case <-done:
			case <-t.C:
			}
			t.Stop()
		}
	})
	return err
}

// resolveAll queues a KindResolved event, with reason, for every alert
// firing, and forgets them. d.mu is held.
func (d *Dispatcher) resolveAll(reason string) {
	now := d.clock.Now()
	for _, st := range d.states {
		for _, slot := range st.alerts() {
			a := *slot
			if a == nil {
				continue
			}
			e := a.event
			e.ID, e.Kind, e.Firing, e.Repeat, e.Time, e.Reason = newID(), KindResolved, false, false, now, reason
			e.Replaces, e.ReplacesStartsAt, e.Previous, e.Outage = "", time.Time{}, e.Status, now.Sub(e.StartsAt)
			d.emit(nil, e)
			*slot = nil
		}
	}
}

// await waits for done until ctx ends and then at most stopGrace more. It
// reports whether done was closed before ctx ended.
func await(ctx context.Context, done <-chan struct{}) bool {
	select {
	case <-done:
		return true
	case <-ctx.Done():
	}
	t := time.NewTimer(stopGrace)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}
	return false
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
	if d.held(e) {
		return
	}
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
	if d.closed.Load() || d.hold.on {
		return
	}
	now := d.clock.Now()
	d.settleQuiet(now)
	for _, st := range d.states {
		for _, slot := range st.alerts() {
			a := *slot
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
